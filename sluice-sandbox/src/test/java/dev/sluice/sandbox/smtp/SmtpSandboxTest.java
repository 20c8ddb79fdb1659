package dev.sluice.sandbox.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.Sandbox;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SMTP sandbox driven by Angus Mail (Jakarta Mail), as the email action and any Java client would. */
class SmtpSandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private SmtpSandbox smtp;
  private Sandbox sandbox;

  @BeforeEach
  void start() {
    smtp = new SmtpSandbox(SmtpOptions.defaults());
    sandbox = Sandbox.builder().platform(smtp).start();
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private Session session() {
    Properties p = new Properties();
    p.put("mail.smtp.host", smtp.host());
    p.put("mail.smtp.port", String.valueOf(smtp.port()));
    p.put("mail.smtp.connectiontimeout", "10000");
    p.put("mail.smtp.timeout", "10000");
    return Session.getInstance(p);
  }

  private MimeMessage message(Session s, String id, String subject) throws MessagingException {
    MimeMessage m = new MimeMessage(s) {
      @Override
      protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", id);
      }
    };
    m.setFrom(new InternetAddress("ops@agency.example"));
    m.setRecipients(Message.RecipientType.TO, "ana@example.com");
    m.setRecipients(Message.RecipientType.CC, "finance@agency.example");
    m.setSubject(subject, "UTF-8");
    MimeMultipart alt = new MimeMultipart("alternative");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("Deal Zoë placed", "UTF-8");
    MimeBodyPart html = new MimeBodyPart();
    html.setContent("<p>Deal <b>Zoë</b> placed</p>", "text/html; charset=UTF-8");
    alt.addBodyPart(text);
    alt.addBodyPart(html);
    m.setContent(alt);
    return m;
  }

  private void send(String id, String subject, String password) throws MessagingException {
    Session s = session();
    Transport.send(message(s, id, subject), smtp.options().username(), password);
  }

  private JsonNode admin(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sandbox.adminUrl() + path));
    if (contentType != null) b.header("Content-Type", contentType);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode n = JSON.createObjectNode().put("status", res.statusCode());
    if (!res.body().isBlank()) ((com.fasterxml.jackson.databind.node.ObjectNode) n).set("body", JSON.readTree(res.body()));
    return n;
  }

  @Test
  void anAuthenticatedMessageIsStoredPerRecipientAndReadableAsJson() throws Exception {
    send("<deal-1@sluice>", "Placed: Zoë", SmtpOptions.DEFAULT_PASSWORD);

    assertThat(smtp.messages()).hasSize(2); // one copy in each recipient's mailbox
    StoredMail ana = smtp.messages("ana@example.com").get(0);
    assertThat(ana.messageId()).isEqualTo("<deal-1@sluice>");
    assertThat(ana.subject()).isEqualTo("Placed: Zoë");
    assertThat(ana.text()).isEqualTo("Deal Zoë placed");
    assertThat(ana.html()).isEqualTo("<p>Deal <b>Zoë</b> placed</p>");
    assertThat(ana.to()).containsExactly("ana@example.com");
    assertThat(ana.cc()).containsExactly("finance@agency.example");
    assertThat(ana.returnPath()).isEqualTo("<ops@agency.example>");

    JsonNode res = admin("GET", "/smtp/messages?to=ana@example.com", null, null);
    assertThat(res.path("status").asInt()).isEqualTo(200);
    JsonNode m = res.path("body").path("messages").get(0);
    assertThat(m.path("message_id").asText()).isEqualTo("<deal-1@sluice>");
    assertThat(m.path("html").asText()).contains("<b>Zoë</b>");
    assertThat(admin("GET", "/smtp/messages?message_id=%3Cdeal-1@sluice%3E", null, null).path("body").path("messages")).hasSize(2);
    assertThat(sandbox.counters().idempotencyKeys("smtp")).containsExactly("<deal-1@sluice>");
    assertThat(sandbox.describe()).containsKey("smtp");

    assertThat(admin("DELETE", "/smtp/messages", null, null).path("status").asInt()).isEqualTo(204);
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void mailWithoutAuthOrWithAWrongPasswordIsRefusedAndCredentialsNeverShow() throws Exception {
    Session s = session();
    assertThatThrownBy(() -> Transport.send(message(s, "<x@sluice>", "no auth")))
        .isInstanceOf(SMTPSendFailedException.class).satisfies(e -> assertThat(((SMTPSendFailedException) e).getReturnCode()).isEqualTo(530));
    Session plain = session();
    plain.getProperties().put("mail.smtp.auth.mechanisms", "PLAIN");
    assertThatThrownBy(() -> Transport.send(message(plain, "<y@sluice>", "bad"), "sluice", "wrong-password"))
        .isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
    assertThat(smtp.messages()).isEmpty();
    assertThat(smtp.stats()).containsEntry("auth_failures", 1L).containsEntry("auth_required", 1L);

    send("<z@sluice>", "ok", SmtpOptions.DEFAULT_PASSWORD);
    String transcript = admin("GET", "/smtp/transcript", null, null).toString();
    assertThat(transcript).contains("AUTH PLAIN ****").contains("AUTH LOGIN").contains("MAIL FROM:<ops@agency.example>");
    String encoded = java.util.Base64.getEncoder().encodeToString(("\0sluice\0" + SmtpOptions.DEFAULT_PASSWORD).getBytes());
    assertThat(transcript).doesNotContain(SmtpOptions.DEFAULT_PASSWORD).doesNotContain(encoded).doesNotContain("wrong-password");
  }

  @Test
  void injectedRepliesRefuseTheNextMessagesAndALostReplyStillStores() throws Exception {
    assertThat(admin("POST", "/smtp/faults", "text/plain", "{\"reply\":\"451 4.3.0 Try again later\"}").path("status").asInt()).isEqualTo(415);
    assertThat(admin("POST", "/smtp/faults", "application/json", "{\"reply\":\"250 fine\"}").path("status").asInt()).isEqualTo(400);
    assertThat(admin("POST", "/smtp/faults", "application/json", "{\"reply\":\"451 4.3.0 Try again later\",\"times\":1}").path("status").asInt()).isEqualTo(201);
    smtp.rejectNext(1, "550 5.7.1 Relaying denied");
    smtp.loseReplyToNext(1);
    assertThat(admin("GET", "/smtp/faults", null, null).path("body").path("pending").toString())
        .isEqualTo("[\"451 4.3.0 Try again later\",\"550 5.7.1 Relaying denied\",\"lose_reply\"]");

    assertThatThrownBy(() -> send("<a@sluice>", "a", SmtpOptions.DEFAULT_PASSWORD))
        .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(451));
    assertThatThrownBy(() -> send("<a@sluice>", "a", SmtpOptions.DEFAULT_PASSWORD))
        .isInstanceOfSatisfying(SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(550));
    assertThat(smtp.messages()).isEmpty();

    assertThatThrownBy(() -> send("<a@sluice>", "a", SmtpOptions.DEFAULT_PASSWORD)).isInstanceOf(MessagingException.class);
    assertThat(smtp.messages("ana@example.com")).hasSize(1); // stored, though the client never heard the 250

    send("<a@sluice>", "a", SmtpOptions.DEFAULT_PASSWORD);
    assertThat(smtp.messages("ana@example.com")).extracting(StoredMail::messageId).containsExactly("<a@sluice>", "<a@sluice>");
    assertThat(smtp.stats()).containsEntry("refused_by_fault", 2L).containsEntry("lost_replies", 1L).containsEntry("accepted", 2L);
  }
}
