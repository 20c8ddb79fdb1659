package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.postgres.TestDatabase;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotObjectType;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice sync run}, {@code runs} and {@code explain} as an operator runs them: a separate JVM
 * with the config file, the token in the environment, real PostgreSQL and the HubSpot sandbox.
 */
class SyncRunCommandTest {
  private static final int CONTACTS = 120;

  static TestDatabase db;
  static Sandbox sandbox;
  @TempDir static Path dir;
  static Path config;

  @BeforeAll
  static void start() throws IOException {
    db = TestDatabase.create("server_cli");
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.defaults()).start();
    for (int i = 0; i < CONTACTS; i++) {
      sandbox.hubspot().createRecord(HubSpotObjectType.CONTACTS, Map.of("email", "p" + i + "@example.com", "firstname", "P" + i));
    }
    config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        connections:
          crm:
            platform: hubspot
            base_url: %s
            token: ${HUBSPOT_TOKEN}
            tier: professional
            objects: [contacts]
        database:
          url: %s
        workers:
          concurrency: 2
        """.formatted(sandbox.baseUrl(), db.jdbcUrl()));
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) sandbox.close();
    if (db != null) db.close();
  }

  record Result(int exit, String out, String err) {}

  static Result sluice(Map<String, String> env, String... args) throws IOException, InterruptedException {
    return sluice(dir, env, args);
  }

  /** Runs {@code sluice args} in a new JVM in {@code dir}, as an operator would. */
  static Result sluice(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SluiceCommand.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().remove("SLUICE_CONFIG");
    pb.environment().remove("SLUICE_DATABASE_URL");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("sluice " + String.join(" ", args) + " did not finish in 120 s; stderr: " + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void aCompletedRunExitsZeroAndIsVisibleToRunsAndExplain() throws Exception {
    Result r = sluice(Map.of("HUBSPOT_TOKEN", sandbox.hubspot().token()),
        "sync", "run", "--config", config.toString(), "--connection", "crm", "--objects", "contacts", "--mode", "full");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("completed").contains("contacts");
    assertThat(r.err()).contains("run ").doesNotContain(sandbox.hubspot().token());
    long runId = Long.parseLong(r.out().lines().findFirst().orElseThrow().split("\\s+")[1]);

    Result show = sluice(Map.of(), "runs", "show", String.valueOf(runId), "--config", config.toString(), "--json");
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out()).contains("\"status\" : \"completed\"").contains("\"fetched\" : " + CONTACTS);

    Result list = sluice(Map.of(), "runs", "list", "--config", config.toString());
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("crm").contains("completed");

    String id = sandbox.hubspot().ids(HubSpotObjectType.CONTACTS).get(3);
    Result explain = sluice(Map.of(), "explain", "record", "crm", "contacts", id, "--config", config.toString());
    assertThat(explain.exit()).as(explain.err()).isZero();
    assertThat(explain.out()).contains("first seen in run " + runId).contains("run " + runId + " (full) page").contains("created");
  }

  @Test
  void aRefusedTokenExitsNonZeroWithTheReason() throws Exception {
    Result r = sluice(Map.of("HUBSPOT_TOKEN", "not-the-portal-token"),
        "sync", "run", "--config", config.toString(), "--connection", "crm", "--mode", "full");
    assertThat(r.exit()).isEqualTo(1);
    String lastLine = r.err().strip().lines().reduce((a, b) -> b).orElse("");
    assertThat(lastLine).startsWith("sluice: run ").contains("failed").contains("crm");
    assertThat(r.err()).doesNotContain("not-the-portal-token").doesNotContain("\tat ");
  }

  @Test
  void configErrorsAreOneLine() throws Exception {
    Result missingVar = sluice(Map.of(), "sync", "run", "--config", config.toString(), "--connection", "crm");
    assertThat(missingVar.exit()).isEqualTo(1);
    assertThat(missingVar.err().strip()).startsWith("sluice: connections.crm.token: environment variable HUBSPOT_TOKEN is not set")
        .doesNotContain("\tat ");
    Result unknown = sluice(Map.of("HUBSPOT_TOKEN", "x"), "sync", "run", "--config", config.toString(), "--connection", "nope");
    assertThat(unknown.err().strip()).isEqualTo("sluice: unknown connection 'nope' (configured: crm)");
    Result badObject = sluice(Map.of("HUBSPOT_TOKEN", "x"), "sync", "run", "--config", config.toString(), "--connection", "crm",
        "--objects", "deals");
    assertThat(badObject.err().strip()).isEqualTo("sluice: 'deals' is not an object of connection 'crm' (one of contacts)");
  }
}
