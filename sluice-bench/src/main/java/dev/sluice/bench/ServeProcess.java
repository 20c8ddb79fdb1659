package dev.sluice.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sluice serve} in a child process, started from the same jar (or class path) as this JVM,
 * with its output in a log file; {@link #url()} is where its API answers once it printed its
 * "serving" line. {@link #kill()} is {@code kill -9}.
 */
public final class ServeProcess implements AutoCloseable {
  private static final Pattern SERVING = Pattern.compile("serving the HTTP API on (http://\\S+)");
  /** An embedded PostgreSQL's first start (initdb) is the slow part. */
  static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  private final Process process;
  private final URI url;
  private final Path log;

  private ServeProcess(Process process, URI url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /**
   * Starts {@code sluice serve --config <config> --host 127.0.0.1 --port 0} with {@code env} added
   * to this process's environment, and waits until it serves.
   */
  public static ServeProcess start(List<String> sluice, Path config, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(sluice);
    cmd.addAll(List.of("serve", "--config", config.toString(), "--host", "127.0.0.1", "--port", "0"));
    // Straight into the file: a pipe read by this JVM would stall the server's logging (and so its
    // requests) whenever this JVM is slow to drain it.
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        Matcher m = SERVING.matcher(Files.readString(log, StandardCharsets.UTF_8));
        if (m.find()) return new ServeProcess(p, URI.create(m.group(1)), log);
      }
      if (!p.isAlive()) throw new IOException("sluice serve exited with " + p.exitValue() + " before serving (log: " + log + ")");
      TimeUnit.MILLISECONDS.sleep(100);
    }
    p.destroyForcibly();
    throw new IOException("sluice serve did not serve within " + READY_TIMEOUT.toSeconds() + " s (log: " + log + ")");
  }

  /** Where the API answers, e.g. {@code http://127.0.0.1:41234}. */
  public URI url() {
    return url;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) return;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
  }
}
