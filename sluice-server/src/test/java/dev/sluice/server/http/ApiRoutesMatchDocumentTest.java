package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.runtime.SluiceRuntime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The routes the server registers and the paths and methods of {@code openapi.yaml} are the same
 * set: a route added without documentation fails here, and so does documentation of a route that
 * does not exist. (How to document a route: {@code docs/http-api.md}.)
 */
class ApiRoutesMatchDocumentTest {
  private static final String TOKEN = "test-api-token-routes";
  static TestDatabase db;
  static SluiceRuntime runtime;
  static ApiServer server;

  @BeforeAll
  static void start() {
    db = TestDatabase.create("server_routes", 4);
    SluiceConfig config = SluiceConfig.parse("""
        connections:
          hubspot-main:
            platform: hubspot
            base_url: http://127.0.0.1:9
            token: not-used
            objects: [contacts]
        """, Map.of());
    runtime = SluiceRuntime.on(config, db.dataSource(), Clock.systemUTC());
    server = ApiServer.start(new ApiServer.Settings("127.0.0.1", 0, Secret.of(TOKEN, "test")), config,
        runtime.engine(), runtime.queue(), runtime.dataSource());
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (runtime != null) runtime.close();
    if (db != null) db.close();
  }

  @Test
  void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() {
    Set<String> registered = new LinkedHashSet<>();
    List<String> unDocumentable = new ArrayList<>();
    for (String route : server.routes()) {
      // Javalin's <param> (may span slashes) is OpenAPI's {param}; a wildcard has no OpenAPI form.
      String normalized = route.replace('<', '{').replace('>', '}');
      if (normalized.contains("*")) unDocumentable.add(route);
      registered.add(normalized);
    }
    assertThat(server.routes()).as("a route registered twice").doesNotHaveDuplicates();
    Set<String> documented = new LinkedHashSet<>(ApiContract.get().routes());
    assertThat(registered).as("the server registers routes (is the handlerAdded hook still wired?)").contains("GET /healthz", "POST /v1/sync-runs");
    assertThat(unDocumentable).as("wildcard routes cannot be described in OpenAPI: register each path").isEmpty();

    Set<String> undocumented = new LinkedHashSet<>(registered);
    undocumented.removeAll(documented);
    assertThat(undocumented)
        .as("routes the server registers that openapi.yaml does not describe: add them to sluice-server/src/main/resources/openapi.yaml"
            + " (see 'Documenting a route' in docs/http-api.md)")
        .isEmpty();
    Set<String> phantom = new LinkedHashSet<>(documented);
    phantom.removeAll(registered);
    assertThat(phantom).as("operations openapi.yaml describes that the server does not register").isEmpty();
  }
}
