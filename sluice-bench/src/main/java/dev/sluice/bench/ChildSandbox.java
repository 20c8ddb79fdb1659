package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code sluice sandbox --json …} in a child JVM: its records, server and garbage stay out of the
 * bench JVM, so each side's peak memory can be read on its own. Talks to it over loopback only:
 * the ready line for URLs and token, {@code /_admin/counters} and {@code /_admin/hubspot/ids/…}
 * for the figures. Stopped with SIGTERM (then killed if it lingers) on {@link #close()} and, should
 * the bench JVM be interrupted, from a shutdown hook.
 */
final class ChildSandbox implements BenchSandbox {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Generating a million contacts takes the child well under a minute; this is only a backstop. */
  static final Duration READY_TIMEOUT = Duration.ofMinutes(10);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Thread shutdownHook;
  private final Path log;
  private final String baseUrl;
  private final String token;
  private final String adminUrl;
  private final String description;
  private final JsonNode ready;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private ChildSandbox(Process process, Thread shutdownHook, Path log, JsonNode ready, double readySeconds) {
    this.process = process;
    this.shutdownHook = shutdownHook;
    this.log = log;
    this.baseUrl = ready.path("hubspot").path("base_url").asText();
    this.token = ready.path("hubspot").path("token").asText();
    this.adminUrl = ready.path("admin_url").asText();
    this.ready = ready;
    if (baseUrl.isEmpty() || token.isEmpty() || adminUrl.isEmpty()) {
      throw new IllegalStateException("the sandbox's ready line lacks hubspot.base_url, hubspot.token or admin_url: " + ready);
    }
    this.description = String.format(Locale.ROOT, "sandbox (child process %d): ready in %.1f s at %s (its log: %s)",
        process.pid(), readySeconds, baseUrl, log);
  }

  /**
   * Starts {@code <sluice> sandbox --json <args>} and waits for its ready line.
   *
   * @param sluice how to run sluice, e.g. {@code [java, -jar, sluice.jar]}
   * @param log    where the child's stderr goes
   */
  static ChildSandbox start(List<String> sluice, List<String> args, Path log) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(sluice);
    cmd.add("sandbox");
    cmd.add("--json");
    cmd.addAll(args);
    Files.createDirectories(log.toAbsolutePath().getParent());
    long started = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    Thread hook = new Thread(() -> stop(p), "bench-sandbox-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      String line = readyLine(p, log);
      JsonNode ready;
      try {
        ready = JSON.readTree(line);
      } catch (IOException e) {
        throw new IllegalStateException("the sandbox's first line is not its JSON ready line: " + line, e);
      }
      return new ChildSandbox(p, hook, log, ready, (System.nanoTime() - started) / 1e9);
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop(p);
      removeHook(hook);
      throw e;
    }
  }

  /** The first stdout line; the rest of stdout is drained in the background so the child never blocks on it. */
  private static String readyLine(Process p, Path log) throws IOException, InterruptedException {
    CompletableFuture<String> first = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        first.complete(out.readLine());
        while (out.readLine() != null) {
          // nothing else is expected; keep the pipe empty
        }
      } catch (IOException e) {
        first.completeExceptionally(e);
      }
    }, "bench-sandbox-stdout");
    reader.setDaemon(true);
    reader.start();
    String line;
    try {
      line = first.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the sandbox child printed no ready line within " + READY_TIMEOUT.toMinutes() + " minutes" + tail(log));
    } catch (ExecutionException e) {
      throw new IOException("reading the sandbox child's ready line failed", e.getCause());
    }
    if (line == null) {
      p.waitFor(5, TimeUnit.SECONDS);
      throw new IllegalStateException("the sandbox child exited before it was ready"
          + (p.isAlive() ? "" : " (exit code " + p.exitValue() + ")") + tail(log));
    }
    return line;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return lines.isEmpty() ? "" : "; its stderr ends with:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** SIGTERM (the sandbox's shutdown hook closes it), then SIGKILL if it has not gone within {@link #STOP_TIMEOUT}. */
  private static void stop(Process p) {
    if (!p.isAlive()) return;
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs (or ran) and stops the child
    }
  }

  /** The ready line: every platform's URLs and credentials, and {@code admin_url}. */
  JsonNode ready() {
    return ready;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public String token() {
    return token;
  }

  @Override
  public Counters counters() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(adminUrl + "/counters")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("GET " + adminUrl + "/counters answered " + r.statusCode() + ": " + r.body());
    JsonNode body = JSON.readTree(r.body());
    Map<String, Long> byEndpoint = new java.util.HashMap<>();
    body.path("requests_by_endpoint").fields().forEachRemaining(e -> byEndpoint.put(e.getKey(), e.getValue().asLong()));
    return Counters.of(byEndpoint, body.path("too_many_requests_served").asLong());
  }

  /** Streams {@code /_admin/hubspot/ids/{type}} (one id a line) into one array: 8 bytes an id here. */
  @Override
  public long[] ids(HubSpotObjectType type) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(adminUrl + "/hubspot/ids/" + type.plural()))
        .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw new IOException("GET " + adminUrl + "/hubspot/ids/" + type.plural() + " answered " + r.statusCode() + ": "
            + new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      int expected = r.headers().firstValue("X-Sandbox-Count").map(Integer::parseInt).orElse(1024);
      long[] out = new long[Math.max(16, expected)];
      int n = 0;
      long current = 0;
      boolean inNumber = false;
      byte[] buf = new byte[1 << 16];
      for (int read; (read = in.read(buf)) > 0; ) {
        for (int i = 0; i < read; i++) {
          byte b = buf[i];
          if (b >= '0' && b <= '9') {
            current = current * 10 + (b - '0');
            inNumber = true;
          } else if (b == '\n') {
            if (inNumber) {
              if (n == out.length) out = Arrays.copyOf(out, out.length * 2);
              out[n++] = current;
            }
            current = 0;
            inNumber = false;
          } else {
            throw new IOException("unexpected byte " + b + " in the sandbox's id list");
          }
        }
      }
      if (inNumber) {
        if (n == out.length) out = Arrays.copyOf(out, n + 1);
        out[n++] = current;
      }
      long[] ids = Arrays.copyOf(out, n);
      Arrays.sort(ids);
      return ids;
    }
  }

  /** The child's VmHWM: its high-water mark, so reading it once before stopping covers the whole run. */
  @Override
  public double peakRssMb() {
    return SyncBenchmark.peakRssMb(Path.of("/proc", Long.toString(process.pid()), "status"));
  }

  @Override
  public String placement() {
    return "child-process";
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    stop(process);
    removeHook(shutdownHook);
  }
}
