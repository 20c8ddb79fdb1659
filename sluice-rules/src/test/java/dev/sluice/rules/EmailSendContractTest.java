package dev.sluice.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobState;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.smtp.SmtpOptions;
import dev.sluice.sandbox.smtp.SmtpSandbox;
import dev.sluice.sandbox.smtp.StoredMail;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code email.send} against the sandbox's SMTP server (GreenMail, AUTH required), through Angus
 * Mail, taking its permits from the connection's bucket in PostgreSQL. SMTP faults are the
 * sandbox's own: a 4xx/5xx reply at {@code MAIL FROM}, a {@code 250} lost after the message was stored.
 */
class EmailSendContractTest extends ActionContractTest {
  private static final String TO = "ana@example.com";
  private SmtpSandbox smtp;
  private long sessionsBefore;
  private long acceptedBefore;

  @Override
  protected String kind() {
    return "email.send";
  }

  @Override
  protected void startDestination() {
    smtp = new SmtpSandbox(SmtpOptions.defaults());
    sandbox = Sandbox.builder().clock(clock).platform(smtp).start();
  }

  @Override
  protected String action(String marker) {
    return "email.send: {connection: mail, to: \"" + TO + "\", bcc: \"audit@agency.example\", subject: \"Deal {{event.object_id}} " + marker
        + "\", text: \"Deal {{event.object_id}} moved to {{event.value}}\", html: \"<p>Deal <b>{{event.object_id}}</b></p>\"}";
  }

  private SmtpConnection connection() {
    return new SmtpConnection("mail", smtp.host(), smtp.port(), SmtpOptions.DEFAULT_USERNAME, SmtpOptions.DEFAULT_PASSWORD,
        SmtpConnection.Security.NONE, "Sluice <ops@agency.example>", 6_000);
  }

  @Override
  protected RulesEngine.Builder targets(RulesEngine.Builder b, URI base) {
    return b.smtp(connection()).actionGate(QueueRateLimitGate.of(new RateLimits(db.dataSource(), JobQueue.DEFAULT_SCHEMA, clock)));
  }

  @Override
  protected int effects(String marker) {
    return (int) smtp.messages(TO).stream().filter(m -> m.subject() != null && m.subject().endsWith(" " + marker)).count();
  }

  /**
   * SMTP has no idempotency key and no way to ask a server whether it holds a message: a 250 lost
   * after the server stored the message makes the retry send it again. Both copies carry the same
   * Message-ID (checked below), so a receiver can drop the second; docs/rules.md says so.
   */
  @Override
  protected int effectsAfterALostResponse() {
    return 2;
  }

  @Override
  protected void injectLostResponse() {
    smtp.loseReplyToNext(1);
  }

  @Override
  protected void injectRetryableFaults() {
    smtp.rejectNext(1, "452 4.3.1 Insufficient system storage");
    smtp.rejectNext(1, "451 4.3.0 Try again later");
  }

  @Override
  protected Duration announcedRetryAfter() {
    return null; // SMTP has no Retry-After: the kind's backoff
  }

  @Override
  protected void injectRejection() {
    smtp.rejectNext(1, "550 5.7.1 contract_rejected");
  }

  @Override
  protected int rejectedStatus() {
    return 550;
  }

  @Override
  protected int received() {
    return (int) (((Number) smtp.stats().get("sessions")).longValue() - sessionsBefore);
  }

  @Override
  protected int applied() {
    return (int) (((Number) smtp.stats().get("accepted")).longValue() - acceptedBefore);
  }

  @Override
  protected void resetDestination() {
    smtp.clearFaults();
    sessionsBefore = ((Number) smtp.stats().get("sessions")).longValue();
    acceptedBefore = ((Number) smtp.stats().get("accepted")).longValue();
  }

  @Test
  void theMessageIsTheRecordedOneWithAStableMessageIdAndTheBucketPaysForIt() throws Exception {
    resetDestination();
    Job job = fire("exact-1", false);
    awaitState(job, JobState.COMPLETED);
    JsonNode req = json(job.payload()).path("request");
    JsonNode headers = req.path("headers");
    assertThat(req.path("method").asText()).isEqualTo("SMTP");
    assertThat(headers.path("Message-ID").asText()).isEqualTo(EmailAction.messageId(json(job.payload()).path("dedupe_key").asText(), "ops@agency.example"))
        .matches("<sluice\\.[0-9a-f]{32}@agency\\.example>");
    StoredMail got = smtp.messages(TO).stream().filter(m -> m.subject().endsWith(" exact-1")).findFirst().orElseThrow();
    assertThat(got.messageId()).isEqualTo(headers.path("Message-ID").asText());
    assertThat(got.subject()).isEqualTo(headers.path("Subject").asText());
    assertThat(got.from()).isEqualTo("Sluice <ops@agency.example>");
    assertThat(got.text()).startsWith("Deal 9").endsWith("moved to exact-1");
    assertThat(got.html()).startsWith("<p>Deal <b>9");
    assertThat(got.headers().get(EmailAction.DEDUPE_HEADER)).containsExactly(json(job.payload()).path("dedupe_key").asText());
    assertThat(got.headers()).doesNotContainKey("Bcc"); // the blind copy is envelope only
    assertThat(smtp.messages("audit@agency.example")).anySatisfy(m -> assertThat(m.messageId()).isEqualTo(got.messageId()));
    JsonNode result = json(queue.find(job.id()).orElseThrow().progress()).path("result");
    assertThat(result.path("reply").asText()).startsWith("250");
    assertThat(result.path("recipients").asInt()).isEqualTo(2);
    assertThat(new RateLimits(db.dataSource(), JobQueue.DEFAULT_SCHEMA, clock).list()).anySatisfy(b -> assertThat(b.name()).isEqualTo("mail:smtp"));
  }

  @Test
  void aResentMessageKeepsItsMessageIdSoReceiversCanDropIt() throws Exception {
    smtp.loseReplyToNext(1);
    Job job = fire("resent-1", false);
    awaitState(job, JobState.COMPLETED);
    List<StoredMail> copies = smtp.messages(TO).stream().filter(m -> m.subject().endsWith(" resent-1")).toList();
    assertThat(copies).hasSize(2);
    assertThat(copies.get(0).messageId()).isEqualTo(copies.get(1).messageId());
  }

  @Test
  void aWrongPasswordIsDeadWithTheServersReply() throws Exception {
    String yaml = """
        rules:
          contract:
            on: hs/deal.propertyChange
            actions:
              - email.send: {connection: wrong, to: "ana@example.com", subject: "x", text: "y"}
        """;
    RulesEngine engine = RulesEngine.builder(queue, RuleSet.parse("contract.yaml", yaml)).clock(clock)
        .smtp(new SmtpConnection("wrong", smtp.host(), smtp.port(), "sluice", "not-the-password", SmtpConnection.Security.NONE, "ops@agency.example", 60))
        .build().migrate();
    Job job = fire(engine, "wrong-password");
    awaitState(job, JobState.DEAD);
    JsonNode response = json(queue.find(job.id()).orElseThrow().progress()).path("response");
    assertThat(response.path("status").asInt()).isEqualTo(535);
    assertThat(response.path("body").asText()).contains("535").doesNotContain("not-the-password");
    assertThat(queue.find(job.id()).orElseThrow().attempt()).isEqualTo(1);
  }

  @Test
  void anAddressThatDoesNotParseIsAnErrorDecisionAndPlainTextAuthStaysOnLoopback() throws Exception {
    String yaml = """
        rules:
          contract:
            on: hs/deal.propertyChange
            actions:
              - email.send: {connection: mail, to: "{{event.value}}", subject: "x", text: "y"}
        """;
    RulesEngine engine = RulesEngine.builder(queue, RuleSet.parse("contract.yaml", yaml)).clock(clock).smtp(connection()).build().migrate();
    Decision d = evaluate(engine, "not an address");
    assertThat(d.outcome()).isEqualTo("error");
    assertThat(d.error()).contains("to: 'not an address' is not an email address");

    assertThatThrownBy(() -> new SmtpConnection("remote", "smtp.example.com", 25, "u", "p", SmtpConnection.Security.NONE, null, 60))
        .hasMessageContaining("would send its password in plain text to smtp.example.com");
    assertThat(new SmtpConnection("local", "127.0.0.1", 25, "u", "p", SmtpConnection.Security.NONE, null, 60).port()).isEqualTo(25);
    assertThat(new SmtpConnection("relay", "smtp.example.com", "u", "p", null).port()).isEqualTo(587); // STARTTLS by default
    assertThat(List.of("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "0:0:0:0:0:0:0:1")).allMatch(SmtpConnection::loopback);
    assertThat(List.of("10.0.0.1", "127.example.com", "smtp.example.com", "127.0.0.1.nip.io", "::2", "1.2.3.4.5")).noneMatch(SmtpConnection::loopback);
  }
}
