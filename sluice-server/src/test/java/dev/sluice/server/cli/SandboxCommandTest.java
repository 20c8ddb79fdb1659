package dev.sluice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code sluice sandbox --json} as a script would drive it: a real child process, real sockets. */
class SandboxCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void printsOneReadyLineWithGivenCredentialsServesThemAndStopsOnSigterm() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
        SluiceCommand.class.getName(), "sandbox", "--json", "--port", "0",
        "--hubspot-token", "pat-test-token", "--hubspot-tier", "starter", "--hubspot-contacts", "25",
        "--slack-bot-token", "xoxb-test", "--segment-write-key", "wk-test", "--smtp-password", "smtp-test"));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("ready line").isNotNull();
      JsonNode ready = JSON.readTree(line);
      assertThat(ready.fieldNames()).toIterable()
          .contains("hubspot", "salesforce", "mailchimp", "segment", "slack", "sheets", "smtp", "admin_url");
      assertThat(ready.path("smtp").path("password").asText()).isEqualTo("smtp-test");
      int smtpPort = ready.path("smtp").path("port").asInt();
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", smtpPort)) {
        assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine()).startsWith("220 ");
      }
      assertThat(ready.path("hubspot").path("token").asText()).isEqualTo("pat-test-token");
      assertThat(ready.path("slack").path("bot_token").asText()).isEqualTo("xoxb-test");

      HttpClient http = HttpClient.newHttpClient();
      String base = ready.path("hubspot").path("base_url").asText();
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/crm/v3/objects/contacts?limit=100"))
          .header("Authorization", "Bearer pat-test-token").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(page.body()).path("results").size()).isEqualTo(25);
      assertThat(page.headers().firstValue("X-HubSpot-RateLimit-Max")).contains("100");

      HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(base + "/crm/v3/objects/contacts"))
          .header("Authorization", "Bearer wrong").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(denied.statusCode()).isEqualTo(401);
    } finally {
      p.destroy(); // SIGTERM: the shutdown hook closes the sandbox
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
  }
}
