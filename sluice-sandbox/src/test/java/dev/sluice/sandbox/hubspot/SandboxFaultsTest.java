package dev.sluice.sandbox.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.FaultRule;
import dev.sluice.sandbox.RecordedRequest;
import dev.sluice.sandbox.Sandbox;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fault injection, the request journal and counters (shared by every platform), seen through HubSpot. */
class SandboxFaultsTest {
  private final List<Sandbox> started = new ArrayList<>();

  private Sandbox start(long seed) {
    Sandbox s = Sandbox.builder().port(0).seed(seed)
        .hubspot(HubSpotOptions.builder().token("pat-f").customLimits(100_000, 10_000_000).build()).start();
    started.add(s);
    return s;
  }

  @AfterEach
  void stop() {
    started.forEach(Sandbox::close);
  }

  @Test
  void injected429HasHubSpotsShapeAndStopsAfterItsCount() throws Exception {
    Sandbox sandbox = start(1);
    Http http = new Http(sandbox.baseUrl(), "pat-f");
    sandbox.faults().add(FaultRule.tooManyRequests(1.0).onPath("/crm/v3/objects/contacts").times(2));
    assertThat(http.get("/crm/v3/objects/companies").status()).isEqualTo(200);
    Http.Response limited = http.get("/crm/v3/objects/contacts");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.json().get("policyName").asText()).isEqualTo("TEN_SECONDLY_ROLLING");
    assertThat(http.get("/crm/v3/objects/contacts").status()).isEqualTo(429);
    assertThat(http.get("/crm/v3/objects/contacts").status()).isEqualTo(200);
    assertThat(sandbox.counters().tooManyRequestsServed()).isEqualTo(2);
    assertThat(sandbox.journal().all()).extracting(RecordedRequest::fault).containsExactly(null, "TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS", null);
  }

  @Test
  void aRateOf429sIsDeterministicForASeed() throws Exception {
    List<Integer> first = statuses(start(42));
    List<Integer> second = statuses(start(42));
    assertThat(first).isEqualTo(second);
    long limited = first.stream().filter(s -> s == 429).count();
    assertThat(limited).isBetween(20L, 100L); // 30% of 200, drawn
  }

  private static List<Integer> statuses(Sandbox sandbox) throws Exception {
    Http http = new Http(sandbox.baseUrl(), "pat-f");
    sandbox.faults().add(FaultRule.tooManyRequests(0.3));
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < 200; i++) out.add(http.get("/crm/v3/objects/contacts?limit=1").status());
    return out;
  }

  @Test
  void serverErrorsSlowAnswersAndMalformedBodies() throws Exception {
    Sandbox sandbox = start(3);
    Http http = new Http(sandbox.baseUrl(), "pat-f");
    sandbox.faults().add(FaultRule.serverError(503, 1.0).times(1));
    Http.Response err = http.get("/crm/v3/objects/contacts");
    assertThat(err.status()).isEqualTo(503);
    assertThat(err.header("Content-Type")).startsWith("application/json");
    assertThat(err.json().get("status").asText()).isEqualTo("error");
    assertThat(err.json().has("correlationId")).isTrue();
    assertThat(err.json().has("category")).isTrue();
    assertThat(sandbox.counters().serverErrorsServed()).isEqualTo(1);

    sandbox.faults().add(FaultRule.malformedBody(1.0).times(1));
    Http.Response broken = http.get("/crm/v3/objects/contacts");
    assertThat(broken.status()).isEqualTo(200);
    assertThatThrownBy(() -> Http.JSON.readTree(broken.text())).isInstanceOf(IOException.class);

    sandbox.faults().add(FaultRule.slow(Duration.ofMillis(300), 1.0).times(1));
    long t0 = System.nanoTime();
    Http.Response slow = http.get("/crm/v3/objects/contacts");
    assertThat(slow.status()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(http.get("/crm/v3/objects/contacts").json().has("results")).isTrue();
  }

  @Test
  void droppedConnectionIsAnIOExceptionForTheClient() throws Exception {
    Sandbox sandbox = start(4);
    Http http = new Http(sandbox.baseUrl(), "pat-f");
    sandbox.faults().add(FaultRule.dropConnection(1.0).times(1));
    // A POST: the JDK client silently retries an idempotent GET once on a dropped connection.
    assertThatThrownBy(() -> http.post("/crm/v3/objects/contacts/batch/read", "{\"inputs\":[]}")).isInstanceOf(IOException.class);
    assertThat(http.get("/crm/v3/objects/contacts").status()).isEqualTo(200);
    assertThat(sandbox.counters().droppedConnections()).isEqualTo(1);
    assertThat(sandbox.journal().all().get(0).status()).isEqualTo(-1);
  }

  @Test
  void journalKeepsHeadersAndBodiesAndCountersCountEndpointsAndTraceIds() throws Exception {
    Sandbox sandbox = start(5);
    Http http = new Http(sandbox.baseUrl(), "pat-f");
    String body = "{\"inputs\":[{\"properties\":{\"email\":\"j@x.com\"},\"objectWriteTraceId\":\"trace-1\"}]}";
    http.post("/crm/v3/objects/contacts/batch/create", body);
    http.post("/crm/v3/objects/contacts/batch/create", body.replace("j@x.com", "k@x.com"));
    http.get("/crm/v3/objects/contacts?limit=5");
    List<RecordedRequest> all = sandbox.journal().withPathPrefix("/crm/");
    assertThat(all).hasSize(3);
    assertThat(all.get(0).method()).isEqualTo("POST");
    assertThat(all.get(0).body()).isEqualTo(body);
    assertThat(all.get(0).header("Authorization")).isEqualTo("Bearer ****"); // the journal keeps no credential
    assertThat(all.get(0).status()).isEqualTo(201);
    assertThat(all.get(2).query()).isEqualTo("limit=5");
    assertThat(sandbox.counters().requests("POST /crm/v3/objects/{type}/batch/{action}")).isEqualTo(2);
    assertThat(sandbox.counters().requests("GET /crm/v3/objects/{type}")).isEqualTo(1);
    assertThat(sandbox.counters().idempotencyKeyCount("hubspot", "trace-1")).isEqualTo(2);

    // The same through the admin API.
    Http admin = new Http(sandbox.adminUrl(), null);
    JsonNode counters = admin.get("/counters").json();
    assertThat(counters.get("idempotency_keys").get("hubspot").get("trace-1").asInt()).isEqualTo(2);
    JsonNode journal = admin.get("/journal?path_prefix=/crm/").json();
    assertThat(journal.get("requests")).hasSize(3);
    Http.Response fault = admin.post("/faults", "{\"kind\":\"server_error\",\"status\":502,\"rate\":1.0,\"times\":1}");
    assertThat(fault.status()).isEqualTo(201);
    assertThat(http.get("/crm/v3/objects/contacts").status()).isEqualTo(502);
    assertThat(admin.post("/faults", "{\"kind\":\"nonsense\"}").status()).isEqualTo(400);
  }
}
