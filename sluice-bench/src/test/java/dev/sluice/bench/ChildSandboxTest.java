package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child-process plumbing with stand-in children (real processes, {@code sh}): ready line, failure
 * reports, and that the child is gone on every way out. {@code SandboxCommandTest} in sluice-server
 * covers the real {@code sluice sandbox --json}.
 */
class ChildSandboxTest {
  private static final String READY = "{\"hubspot\":{\"base_url\":\"http://127.0.0.1:9\",\"token\":\"pat-x\"},\"admin_url\":\"http://127.0.0.1:9/_admin\"}";

  @TempDir
  Path dir;

  @Test
  void readsTheReadyLineAndStopsTheChildOnClose() throws Exception {
    ChildSandbox child = ChildSandbox.start(List.of("sh", "-c", "echo '" + READY + "'; exec sleep 60"), List.of(), dir.resolve("s.log"));
    long pid = child.pid();
    try {
      assertThat(child.baseUrl()).isEqualTo("http://127.0.0.1:9");
      assertThat(child.token()).isEqualTo("pat-x");
      assertThat(child.placement()).isEqualTo("child-process");
      assertThat(child.peakRssMb()).isPositive(); // the child's own VmHWM, read from /proc/<pid>/status
    } finally {
      child.close();
    }
    assertThat(child.isAlive()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aChildThatExitsBeforeItIsReadyIsReportedWithItsStderr() {
    assertThatThrownBy(() -> ChildSandbox.start(List.of("sh", "-c", "echo 'no such option' >&2; exit 3"), List.of(), dir.resolve("e.log")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited before it was ready")
        .hasMessageContaining("exit code 3")
        .hasMessageContaining("no such option");
  }

  @Test
  void aChildWithoutAUsableReadyLineIsStopped() throws Exception {
    Path log = dir.resolve("p.log");
    // The line is the shell's pid, which exec hands to sleep: valid JSON, but not a ready line.
    assertThatThrownBy(() -> ChildSandbox.start(List.of("sh", "-c", "echo $$ >&2; echo $$; exec sleep 60"), List.of(), log))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ready line");
    long pid = Long.parseLong(java.nio.file.Files.readString(log).trim());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
