package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.DestinationConnector;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.queue.ratelimit.RateLimits;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The contract for the actions that write through a connection's connector (Segment, Mailchimp,
 * Salesforce) against the sandbox, plus what they share with the connection's pipelines: a budget
 * spent by another limiter on the same PostgreSQL tables (another process's pipeline) makes the
 * action wait for it without sending anything.
 */
abstract class ConnectorActionContractTest extends ActionContractTest {
  /** The connection the action names (name {@link #CONNECTION}), pointing at {@code base}. */
  protected abstract ConnectionConfig.Builder connection(URI base);

  static final String CONNECTION = "vendor";

  @Override
  protected RulesEngine.Builder targets(RulesEngine.Builder b, URI base) {
    ConnectionConfig config = connection(base).build();
    ConnectorFactory factory = new ConnectorFactory(new RateLimits(db.dataSource(), queue.schema(), clock), clock);
    DestinationConnector connector = factory.destination(config);
    return b.targets(ActionTargets.builder().connection(config, () -> connector).build());
  }

  /**
   * Spends the connection's shared budget (its write bucket, or every connection slot) through a
   * limiter of its own, as a pipeline of another process does; {@code close} gives it back where it can.
   */
  protected abstract AutoCloseable spendTheSharedBudget(ConnectorFactory pipelineSide, ConnectionConfig config) throws Exception;

  /**
   * Takes every permit of the connection's bucket {@code bucketClass} through a limiter of its own;
   * {@code close} makes it full again, so that the next tests never wait inside the limiter on the stopped clock.
   */
  protected AutoCloseable spendBucket(ConnectorFactory pipelineSide, ConnectionConfig config, String bucketClass) {
    RateLimits limits = new RateLimits(db.dataSource(), queue.schema(), clock);
    String bucket = ConnectionLimits.bucketName(config.name(), bucketClass);
    limits.tryAcquire(bucket, (int) Math.floor(limits.snapshot(bucket).available()));
    return () -> {
      limits.remove(bucket);
      pipelineSide.destination(config);
    };
  }

  @Test
  void anActionWaitsForTheBudgetItSharesWithPipelines() throws Exception {
    ConnectionConfig config = connection(proxy.base()).build();
    ConnectorFactory pipelineSide = new ConnectorFactory(new RateLimits(db.dataSource(), queue.schema(), clock), clock);
    pipelineSide.destination(config); // defines the connection's buckets and caps
    String marker = "budget-" + System.nanoTime();
    Job job;
    try (AutoCloseable spent = spendTheSharedBudget(pipelineSide, config)) {
      job = fire(marker, false);
      // The manual clock moves on its own here: a limiter waits at most 2 s (on this clock) before the job snoozes.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
        Job j = queue.find(job.id()).orElseThrow();
        if (j.state() == JobState.READY && j.runAt().isAfter(clock.instant())) return true;
        clock.advance(Duration.ofMillis(500));
        return false;
      });
      assertThat(proxy.received()).isZero();
      assertThat(effects(marker)).isZero();
    }
    awaitState(job, JobState.COMPLETED);
    assertThat(effects(marker)).isEqualTo(1);
  }
}
