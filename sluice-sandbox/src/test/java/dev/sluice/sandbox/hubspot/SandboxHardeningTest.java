package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox's own edges: a journal without credentials, JSON-only admin writes, bounded generation. */
class SandboxHardeningTest {
  private Sandbox sandbox;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    sandbox = Sandbox.builder().hubspot(HubSpotOptions.builder().token("pat-secret-token").build()).start();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theJournalKeepsNoCredential() throws Exception {
    send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/crm/v3/objects/contacts?limit=1&hapikey=legacy-key-123"))
        .header("Authorization", "Bearer pat-secret-token").header("X-Api-Key", "key-456"));
    send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/crm/v3/objects/contacts"))
        .header("Authorization", "Bearer pat-secret-token").header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=form-token-789&text=hi")));
    List<RecordedRequest> all = sandbox.journal().withPathPrefix("/crm/");
    assertThat(all).hasSize(2);
    assertThat(all.get(0).header("Authorization")).isEqualTo("Bearer ****");
    assertThat(all.get(0).header("X-Api-Key")).isEqualTo("****");
    assertThat(all.get(0).query()).isEqualTo("limit=1&hapikey=****");
    assertThat(all.get(1).body()).isEqualTo("token=****&text=hi");
    HttpResponse<String> journal = send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl() + "/journal")));
    assertThat(journal.body()).doesNotContain("pat-secret-token").doesNotContain("legacy-key-123")
        .doesNotContain("key-456").doesNotContain("form-token-789");
  }

  @Test
  void adminWritesMustBeJson() throws Exception {
    HttpResponse<String> form = send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl() + "/counters/reset"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("a=1")));
    assertThat(form.statusCode()).isEqualTo(415);
    assertThat(form.body()).contains("application/json");
    HttpResponse<String> none = send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl() + "/hubspot/generate"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"contacts\":1}")));
    assertThat(none.statusCode()).isEqualTo(415);
    assertThat(sandbox.hubspot().count(HubSpotObjectType.CONTACTS)).isZero();
    HttpResponse<String> json = send(HttpRequest.newBuilder(URI.create(sandbox.adminUrl() + "/counters/reset"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(json.statusCode()).isEqualTo(200);
  }

  @Test
  void generatorCountsAreBounded() throws Exception {
    Http admin = new Http(sandbox.adminUrl(), null);
    for (String body : new String[] {"{\"contacts\":100000000}", "{\"contacts\":-1}", "{\"contacts\":1e20}",
        "{\"contacts\":99999999999999999999999}", "{\"contacts\":1.5}", "{\"contacts\":\"many\"}", "{\"custom_properties\":100000}"}) {
      Http.Response r = admin.post("/hubspot/generate", body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.text()).as(body).contains("VALIDATION_ERROR");
    }
    assertThat(admin.post("/hubspot/generate", "{\"contacts\":3,\"companies\":1}").status()).isEqualTo(200);
  }
}
