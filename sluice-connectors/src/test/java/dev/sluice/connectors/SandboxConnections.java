package dev.sluice.connectors;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.ManualClock;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.Sandbox;
import java.time.Clock;
import java.time.Instant;

/**
 * The sandbox on a manual clock with the platforms a test asks for, a real PostgreSQL for the
 * shared rate limits (and concurrency caps), and a connector factory over both. One per test class.
 */
public final class SandboxConnections implements AutoCloseable {

  public final TestDatabase db;
  public final JobQueue queue;
  public final ManualClock clock = new ManualClock(Instant.parse("2026-06-01T12:00:00Z"));
  public final Sandbox sandbox;
  public final ConnectorFactory factory;

  public SandboxConnections(String dbPrefix, PlatformSandbox... platforms) {
    db = TestDatabase.create(dbPrefix);
    queue = JobQueue.builder(db.dataSource()).build().migrate();
    Sandbox.Builder b = Sandbox.builder().port(0).clock(clock);
    for (PlatformSandbox p : platforms) {
      b.platform(p);
    }
    sandbox = b.start();
    // The buckets run on real time: the limiter refills while the sandbox's clock stands still.
    RateLimits rateLimits = new RateLimits(queue.dataSource(), queue.schema(), queue.clock());
    factory = new ConnectorFactory(rateLimits, Clock.systemUTC());
  }

  @Override
  public void close() {
    sandbox.close();
    db.close();
  }
}
