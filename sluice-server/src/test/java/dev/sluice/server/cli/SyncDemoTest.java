package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The demo end to end at a small size: embedded PostgreSQL, the sandbox, the HTTP API, a full and an
 * incremental sync whose counts must equal the changes made, and the mirror equal to the sandbox;
 * and no log line of the whole run shows the API token, the vendor token or the database password.
 */
class SyncDemoTest {
  @TempDir Path home;

  @Test
  void theIncrementalSyncPicksUpExactlyTheChangesAndTheMirrorEqualsTheSandbox() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int exit;
    SyncDemo demo;
    // every log event of the whole run, at DEBUG for Sluice's own loggers, with stack traces
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger sluice = (Logger) LoggerFactory.getLogger("dev.sluice");
    Level before = sluice.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    sluice.setLevel(Level.DEBUG);
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      demo = new SyncDemo(new SyncDemo.Options(450, 120, 150, 60, 4, 0, false, home, 300), out);
      exit = demo.run();
    } finally {
      root.detachAppender(logs);
      sluice.setLevel(before);
    }
    String output = bytes.toString(StandardCharsets.UTF_8);
    StringBuilder logged = new StringBuilder();
    for (ILoggingEvent e : logs.list) {
      logged.append(e.getLoggerName()).append(' ').append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        logged.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    assertThat(logs.list).hasSizeGreaterThan(20);
    assertThat(demo.secrets()).hasSize(4).allSatisfy(secret -> assertThat(logged.toString()).doesNotContain(secret));
    assertThat(output).contains("-> HTTP 202").contains("every check passed").doesNotContain("MISMATCH");
    assertThat(output).containsPattern("contacts +4 edited, +1 created, +1 archived");
    assertThat(output).contains("4/7  Leads: 300 form posts").containsPattern("5/7  Webhooks: .*\\n.*\\n +[0-9]+ events stored \\(each once\\), 20 of 20 mirror rows updated in [0-9.]+ s, no sync run  ok").containsPattern("CRM check: [0-9,]+ acknowledged addresses.* 0 missing, 0 duplicated  ok");
    assertThat(output).contains("6/7  Pipelines:").containsPattern("Salesforce now holds [0-9,]+ contacts, one per email address  ok")
        .containsPattern("the Mailchimp audience now holds [0-9,]+ members  ok")
        .contains("nothing sent back to HubSpot: Sluice's own writes were recognised as echoes  ok")
        .contains("now has firstname \"Edited in Salesforce\" (1 record, 1 write call)  ok")
        .contains("the edit stopped there: the next runs both ways wrote nothing  ok");
    assertThat(output).contains("7/7  Rules:").containsPattern("\\./sluice explain event [0-9]+ ")
        .containsPattern("rule deal-placed \\([^)]*deals\\.yaml\\) at .*: ENQUEUED").containsPattern("rule deal-placed-invoice \\([^)]*deals\\.yaml\\) at .*: SHADOWED")
        .containsPattern("deal-placed: (DEDUPED|ALREADY-MATCHING).*  ok")
        .contains("Slack #placements: 4 messages, one per deal despite the duplicated and retried webhooks  ok")
        .contains("HubSpot tasks: 4, one per deal, associated to it, with its owner and the job's dedupe key  ok")
        .contains("shadowed rule deal-placed-invoice: 4 decisions, 8 requests recorded and never sent (Slack #finance: 0 messages)  ok");
    // "Where to look": the dashboard with the token in the fragment, and a psql command that works
    assertThat(output).containsPattern("http://127\\.0\\.0\\.1:[0-9]+/dashboard#token=[A-Za-z0-9_-]{32,}").contains("psql");
    assertThat(exit).as(output).isZero();
  }
}
