package dev.sluice.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.connectors.SyncMode;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos for sync (issue 8): a full run of every object type while the sandbox answers with 429s,
 * 5xx, slow answers and dropped connections, worker processes are killed, and PostgreSQL itself
 * crashes (an immediate shutdown of a cluster this test owns) and comes back. Nobody intervenes:
 * the workers that lived through the crash reconnect and finish the run, and the mirror then equals
 * the portal exactly. A small portal keeps it to about a minute.
 */
class SyncChaosTest {
  private static final Logger log = LoggerFactory.getLogger(SyncChaosTest.class);
  static final String CONNECTION = "hubspot-chaos";
  static final HubSpotDataGenerator.Spec PORTAL = new HubSpotDataGenerator.Spec(7, 2000, 150, 200, 100, 0, 2, true);

  @TempDir Path dir;
  final List<Process> children = new ArrayList<>();

  @AfterEach
  void killChildren() {
    children.forEach(Process::destroyForcibly);
  }

  @Test
  void aRunThroughSourceFaultsKilledWorkersAndADatabaseCrashMirrorsThePortalExactly() throws Exception {
    try (ThrowawayPostgres pg = new ThrowawayPostgres(dir);
         Sandbox sandbox = Sandbox.builder().journalCapacity(200_000).hubspot(HubSpotOptions.builder()
             .customLimits(20_000, 50_000_000).searchPerSecond(200).initialData(PORTAL).build()).start();
         HikariDataSource ds = pool(pg)) {
      SyncProcessFixture fx = new SyncProcessFixture(ds, null, sandbox.baseUrl(),
          Map.of(CONNECTION, sandbox.hubspot().token()), MirrorCheck.portalProperties(sandbox), SyncProcessFixture.SETTINGS);
      MirrorCheck mirror = new MirrorCheck(ds::getConnection, sandbox, fx, CONNECTION);
      sandbox.faults().add(FaultRule.tooManyRequests(0.08));
      sandbox.faults().add(FaultRule.serverError(503, 0.03));
      sandbox.faults().add(FaultRule.serverError(500, 0.02));
      sandbox.faults().add(FaultRule.slow(Duration.ofMillis(200), 0.40));
      sandbox.faults().add(FaultRule.dropConnection(0.02));

      // this JVM only triggers and watches: every page is committed by a worker process
      List<Process> workers = startChildren(pg, sandbox, 3);
      SyncRun run = fx.engine.trigger(new SyncRequest(CONNECTION, SyncProcessFixture.OBJECTS, SyncMode.FULL));

      awaitPages(fx, run.id(), 4);
      workers.get(0).destroyForcibly().waitFor();
      log.info("chaos: killed a worker process at {} pages", pages(fx, run.id()));

      awaitPages(fx, run.id(), 8);
      pg.crashAndRestart();
      log.info("chaos: PostgreSQL crashed and restarted at {} pages", pages(fx, run.id()));
      assertThat(fx.engine.find(run.id()).orElseThrow().status().active()).as("the crash came mid-run").isTrue();

      awaitPages(fx, run.id(), 12);
      workers.get(1).destroyForcibly().waitFor();
      log.info("chaos: killed another worker process at {} pages", pages(fx, run.id()));
      Process third = workers.get(2);

      // the third worker lived through the crash: it reconnects and finishes alone
      SyncRun done = await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(250))
          .ignoreExceptions() // the watcher's own pool may still be reconnecting
          .until(() -> fx.engine.find(run.id()).orElseThrow(), r -> !r.status().active());
      assertThat(third.isAlive()).isTrue();
      assertThat(done.status()).as("%s", done).isEqualTo(RunStatus.COMPLETED);
      for (String objectType : SyncProcessFixture.OBJECTS) {
        assertThat(done.counts().get(objectType).created()).as(objectType).isEqualTo(mirror.mirror(objectType).size());
      }
      mirror.assertMirrorEqualsSandbox();
      Set<Integer> statuses = new java.util.TreeSet<>();
      sandbox.journal().matching(r -> r.fault() != null).forEach(r -> statuses.add(r.status()));
      log.info("chaos: faulted answers by status {}", statuses);
      assertThat(statuses).as("429s and 5xx were served").contains(429, 503);
      assertThat(fx.engine.events(done.id(), 0)).anyMatch(e -> e.type() == SyncEventType.RETRY)
          .anyMatch(e -> e.type() == SyncEventType.SNOOZE);
      fx.close();
    }
  }

  /** Starts {@code n} worker processes at once (a JVM start is seconds on a loaded machine). */
  private List<Process> startChildren(ThrowawayPostgres pg, Sandbox sandbox, int n) throws Exception {
    List<CompletableFuture<Process>> starting = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      starting.add(CompletableFuture.supplyAsync(() -> {
        try {
          return SyncProcessFixture.startChild(pg.jdbcUrl(), pg.user(), sandbox, CONNECTION,
              MirrorCheck.portalProperties(sandbox));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    List<Process> started = new ArrayList<>();
    for (CompletableFuture<Process> f : starting) {
      Process p = f.get();
      children.add(p);
      started.add(p);
    }
    return started;
  }

  private static HikariDataSource pool(ThrowawayPostgres pg) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(pg.jdbcUrl());
    hc.setUsername(pg.user());
    hc.setMaximumPoolSize(6);
    return new HikariDataSource(hc);
  }

  private static long pages(SyncProcessFixture fx, long runId) {
    return fx.engine.find(runId).orElseThrow().streams().stream().mapToLong(SyncStream::pagesCommitted).sum();
  }

  private static void awaitPages(SyncProcessFixture fx, long runId, long atLeast) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> pages(fx, runId) >= atLeast);
  }
}
