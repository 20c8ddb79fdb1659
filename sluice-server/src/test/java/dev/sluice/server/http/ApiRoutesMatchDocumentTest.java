package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
  static BareServer bare;

  @BeforeAll
  static void start() {
    bare = new BareServer("server_routes");
  }

  @AfterAll
  static void stop() {
    if (bare != null) bare.close();
  }

  @Test
  void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered() {
    Set<String> registered = new LinkedHashSet<>();
    List<String> unDocumentable = new ArrayList<>();
    for (String route : bare.server.routes()) {
      // Javalin's <param> (may span slashes) is OpenAPI's {param}; a wildcard has no OpenAPI form.
      String normalized = route.replace('<', '{').replace('>', '}');
      if (normalized.contains("*")) unDocumentable.add(route);
      registered.add(normalized);
    }
    assertThat(bare.server.routes()).as("a route registered twice").doesNotHaveDuplicates();
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
