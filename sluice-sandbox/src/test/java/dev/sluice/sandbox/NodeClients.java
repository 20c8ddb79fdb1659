package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of {@code sluice-sandbox/clients/} with the machine's {@code node}, so a contract
 * test drives the sandbox with a vendor's official Node client (jsforce, @mailchimp/mailchimp_marketing,
 * @segment/analytics-node). The packages are installed with {@code npm ci} from the committed
 * package-lock.json on first use. The script prints one JSON object as its last line of output.
 */
public final class NodeClients {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The module directory is the working directory of its tests. */
  private static final Path DIR = Path.of("clients").toAbsolutePath();
  private static final long INSTALL_TIMEOUT_SECONDS = 600;

  private NodeClients() {}

  /** What a script's steps returned or threw (see {@code clients/report.mjs}). */
  public record Report(JsonNode steps) {
    /** The value of a step that must have succeeded. */
    public JsonNode ok(String step) {
      JsonNode s = steps.path(step);
      assertThat(s.path("ok").asBoolean()).as(step + ": " + s).isTrue();
      return s.path("value");
    }

    /** The error of a step that must have failed: {@code status}, {@code errorCode}, {@code title}, {@code message}. */
    public JsonNode failed(String step) {
      JsonNode s = steps.path(step);
      assertThat(s.path("ok").asBoolean()).as(step + " should fail: " + s).isFalse();
      return s;
    }
  }

  /** Runs {@code clients/<script>} with {@code env} added to the environment and returns its report. */
  public static Report run(String script, Map<String, String> env, long timeoutSeconds) throws Exception {
    ensureInstalled();
    Path out = Files.createTempFile("node-client", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder("node", DIR.resolve(script).toString()).directory(DIR.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("node " + script + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(out));
      }
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
      if (p.exitValue() != 0 || !last.startsWith("{")) {
        throw new AssertionError("node " + script + " exited " + p.exitValue() + ":\n" + String.join("\n", lines));
      }
      return new Report(JSON.readTree(last));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void ensureInstalled() throws Exception {
    try (FileChannel lockFile = FileChannel.open(DIR.resolve(".install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock ignored = lockFile.lock()) {
      if (Files.exists(DIR.resolve("node_modules/.package-lock.json"))) {
        return;
      }
      Path log = Files.createTempFile("npm-ci", ".log");
      Process p;
      try {
        p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error").directory(DIR.toFile())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      } catch (IOException e) {
        throw new AssertionError("npm is needed to install the vendors' Node clients (" + e.getMessage()
            + "); install Node.js 18 or later with npm", e);
      }
      if (!p.waitFor(INSTALL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new AssertionError("npm ci in " + DIR + " failed:\n" + Files.readString(log));
      }
      Files.deleteIfExists(log);
    }
  }
}
