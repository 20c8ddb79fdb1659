package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end at a small size: embedded PostgreSQL, the sandbox, the HTTP API, a full and an
 * incremental sync whose counts must equal the changes made, and the mirror equal to the sandbox.
 */
class SyncDemoTest {
  @TempDir Path home;

  @Test
  void theIncrementalSyncPicksUpExactlyTheChangesAndTheMirrorEqualsTheSandbox() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int exit;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      exit = new SyncDemo(new SyncDemo.Options(450, 120, 150, 60, 4, 0, false, home), out).run();
    }
    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(output).contains("-> HTTP 202").contains("every check passed").doesNotContain("MISMATCH");
    assertThat(output).containsPattern("contacts +4 edited, +1 created, +1 archived");
    assertThat(exit).as(output).isZero();
  }
}
