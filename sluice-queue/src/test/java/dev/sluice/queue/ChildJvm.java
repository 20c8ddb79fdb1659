package dev.sluice.queue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test main class on this JVM's class path, so that cluster tests use real
 * separate processes. The child reads commands from stdin; closing stdin asks it to stop.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Writer stdin;
  private final BufferedReader stdout;

  private ChildJvm(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  public static ChildJvm start(Class<?> main, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Path log = Files.createDirectories(Path.of("target", "child-logs")).resolve(main.getSimpleName() + "-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    return new ChildJvm(p);
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Blocks until the child prints a protocol line ({@code @word}) and returns the word, or null at
   * the end of its output; log lines in between are skipped.
   */
  public String readLine() throws IOException {
    String line;
    while ((line = stdout.readLine()) != null) {
      if (line.startsWith("@")) return line.substring(1);
    }
    return null;
  }

  public void send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /** Closes stdin (the child's cue to stop gracefully) and waits for the exit code. */
  public int stop() throws Exception {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // already gone
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child " + pid() + " did not stop within 60 s");
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hooks, no flush, as with kill -9. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) process.destroyForcibly();
  }
}
