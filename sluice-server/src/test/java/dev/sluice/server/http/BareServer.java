package dev.sluice.server.http;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.runtime.SluiceRuntime;
import java.net.URI;
import java.time.Clock;
import java.util.Map;

/**
 * An {@link ApiServer} on its own database with one connection that is never synced (no workers, no
 * sandbox): for tests of the HTTP surface itself — routes, errors, the contract.
 */
final class BareServer implements AutoCloseable {
  static final String TOKEN = "test-api-token-bare";

  private final TestDatabase db;
  private final SluiceRuntime runtime;
  final ApiServer server;

  BareServer(String name) {
    db = TestDatabase.create(name, 4);
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

  URI url() {
    return server.url();
  }

  @Override
  public void close() {
    server.close();
    runtime.close();
    db.close();
  }
}
