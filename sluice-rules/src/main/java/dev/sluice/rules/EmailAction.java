package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.RateLimitGate;
import dev.sluice.connectors.RateLimitSpec;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobSnooze;
import dev.sluice.queue.PermanentJobFailure;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * {@code email.send}: one message over SMTP (Jakarta Mail, Angus Mail) through a connection of
 * {@code rules.smtp}, after a permit of its rate-limit bucket. The job's request is the whole
 * message as rendered when the rule fired (headers, text, html); it carries the job's dedupe key as
 * a stable {@code Message-ID} (and {@code X-Sluice-Dedupe-Key}), so a resent message is recognisable.
 * SMTP has no idempotency: a reply lost after the server accepted the message makes the retry send
 * it again, with the same {@code Message-ID}. What the handler promises: once an attempt had its
 * {@code 250}, the job records it and never sends again. Replies: 4xx, timeouts and lost
 * connections are retried; 5xx is dead with the reply kept.
 */
final class EmailAction implements ActionHandler {
  /** The header carrying the job's dedupe key as it is. */
  static final String DEDUPE_HEADER = "X-Sluice-Dedupe-Key";
  private static final Duration MAX_PERMIT_WAIT = Duration.ofSeconds(2);
  private static final String CONNECT_TIMEOUT_MS = "10000";
  private static final String IO_TIMEOUT_MS = "30000";

  private final Map<String, SmtpConnection> smtp;
  private final ActionHttp http;
  private final RateLimitGate gate;
  private final Set<String> defined = ConcurrentHashMap.newKeySet();

  EmailAction(Map<String, SmtpConnection> smtp, ActionHttp http, RateLimitGate gate) {
    this.smtp = smtp;
    this.http = http;
    this.gate = gate;
  }

  @Override
  public String kind() {
    return ActionSignature.EMAIL_SEND;
  }

  @Override
  public Set<String> connections() {
    return smtp.keySet();
  }

  @Override
  public String unknownConnection(String name) {
    return "no SMTP connection '" + name + "' under rules.smtp";
  }

  @Override
  public String configProblem(Map<String, Object> args) {
    SmtpConnection sc = smtp.get(ActionHandler.plain(args.get("connection")));
    if (sc != null && sc.from() == null && args.get("from") == null) {
      return "email.send: no from address (give from:, or from: on the SMTP connection '" + sc.name() + "')";
    }
    return null;
  }

  @Override
  public void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode req) {
    String name = args.path("connection").asText();
    SmtpConnection sc = smtp.get(name);
    if (sc == null) throw new IllegalArgumentException("no SMTP connection '" + name + "' (configured: " + smtp.keySet() + ")");
    payload.put("connection", name);
    String fromText = args.hasNonNull("from") ? args.path("from").asText() : sc.from();
    InternetAddress from = addresses(fromText == null ? null : com.fasterxml.jackson.databind.node.TextNode.valueOf(fromText), "from").stream()
        .findFirst().orElseThrow(() -> new IllegalArgumentException("from: no address"));
    List<InternetAddress> to = addresses(args.get("to"), "to");
    if (to.isEmpty()) throw new IllegalArgumentException("to: no recipient (the template rendered empty)");
    List<InternetAddress> cc = addresses(args.get("cc"), "cc");
    List<InternetAddress> bcc = addresses(args.get("bcc"), "bcc");
    List<InternetAddress> replyTo = addresses(args.get("reply_to"), "reply_to");
    req.put("method", "SMTP");
    req.put("url", (sc.security() == SmtpConnection.Security.TLS ? "smtps://" : "smtp://") + sc.host() + ":" + sc.port());
    ObjectNode h = req.putObject("headers");
    h.put("From", from.toUnicodeString());
    h.put("To", join(to));
    if (!cc.isEmpty()) h.put("Cc", join(cc));
    if (!bcc.isEmpty()) h.put("Bcc", join(bcc)); // envelope only: never written into the message
    if (!replyTo.isEmpty()) h.put("Reply-To", join(replyTo));
    h.put("Subject", oneLine(args.path("subject").asText()));
    h.put("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(http.clock().instant(), ZoneOffset.UTC)));
    h.put("Message-ID", messageId(dedupeKey, from.getAddress()));
    h.put(DEDUPE_HEADER, dedupeKey);
    ObjectNode body = req.putObject("body").put("text", args.path("text").asText());
    if (args.hasNonNull("html") && !args.path("html").asText().isEmpty()) body.put("html", args.path("html").asText());
  }

  @Override
  public void send(JobContext ctx, JsonNode payload) throws Exception {
    String name = payload.path("connection").asText();
    SmtpConnection sc = smtp.get(name);
    if (sc == null) throw new PermanentJobFailure("no SMTP connection '" + name + "' in this process's config");
    // The claim does not carry progress: an attempt that had its 250 recorded it before the job could complete.
    JsonNode progress = ActionHttp.parse(ctx.queue().find(ctx.job().id()).map(dev.sluice.queue.Job::progress).orElse(null));
    if (progress.has("result")) return;
    permit(sc);
    JsonNode req = payload.path("request");
    Session session = Session.getInstance(properties(sc));
    MimeMessage message = message(session, req);
    List<InternetAddress> envelope = new ArrayList<>();
    for (String header : List.of("To", "Cc", "Bcc")) {
      if (req.path("headers").hasNonNull(header)) envelope.addAll(List.of(InternetAddress.parse(req.path("headers").path(header).asText(), false)));
    }
    String reply;
    try (Transport t = session.getTransport(sc.security() == SmtpConnection.Security.TLS ? "smtps" : "smtp")) {
      t.connect(sc.host(), sc.port(), sc.username(), sc.password());
      t.sendMessage(message, envelope.toArray(new InternetAddress[0]));
      reply = t instanceof org.eclipse.angus.mail.smtp.SMTPTransport st ? st.getLastServerResponse() : "250";
    } catch (MessagingException e) {
      throw outcome(ctx, sc, e);
    }
    ObjectNode done = ActionHttp.JSON.createObjectNode();
    done.putObject("result").put("message_id", req.path("headers").path("Message-ID").asText())
        .put("reply", reply == null ? "250" : reply.strip()).put("recipients", envelope.size())
        .put("sent_at", http.clock().instant().toString());
    ctx.progress(done);
  }

  /** One permit of the connection's bucket, waiting at most 2 s; else the job snoozes for the announced wait. */
  private void permit(SmtpConnection sc) {
    if (defined.add(sc.bucket())) gate.define(sc.bucket(), RateLimitSpec.of(sc.perMinute(), Duration.ofMinutes(1)));
    Optional<Duration> wait = gate.acquire(List.of(sc.bucket()), 1, MAX_PERMIT_WAIT);
    if (wait.isPresent()) throw new JobSnooze(wait.get());
  }

  /** A 5xx (or a TLS requirement the server does not meet) is dead with the reply kept; the rest is retried. */
  private static Exception outcome(JobContext ctx, SmtpConnection sc, MessagingException e) {
    int code = replyCode(e);
    String text = e.getMessage() == null ? e.toString() : e.getMessage().strip();
    boolean tlsRefused = text.contains("STARTTLS is required") || causedBy(e, javax.net.ssl.SSLHandshakeException.class);
    if (code >= 500 || tlsRefused) {
      ObjectNode kept = ActionHttp.JSON.createObjectNode();
      ObjectNode r = kept.putObject("response").put("status", code > 0 ? code : 0).put("body", ActionHttp.truncate(replies(e)));
      r.put("server", sc.host() + ":" + sc.port());
      ctx.progress(kept);
      return new PermanentJobFailure("SMTP " + (code > 0 ? code + " " : "") + "from " + sc.host() + ": " + ActionHttp.truncate(replies(e)), e);
    }
    return new IllegalStateException("SMTP " + (code > 0 ? code + " " : "") + "(retried): " + text, e);
  }

  /** The highest reply code in the exception chain (a refused recipient, MAIL or DATA, a failed AUTH), or -1. */
  static int replyCode(MessagingException e) {
    int code = -1;
    for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
      if (x instanceof SMTPSendFailedException s) code = Math.max(code, s.getReturnCode());
      else if (x instanceof SMTPAddressFailedException a) code = Math.max(code, a.getReturnCode());
      else if (x instanceof AuthenticationFailedException && x.getMessage() != null && x.getMessage().strip().matches("[45]\\d\\d\\b.*")) {
        code = Math.max(code, Integer.parseInt(x.getMessage().strip().substring(0, 3)));
      }
    }
    return code;
  }

  private static String replies(MessagingException e) {
    StringBuilder b = new StringBuilder();
    for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
      if (x.getMessage() == null || b.indexOf(x.getMessage().strip()) >= 0) continue;
      if (!b.isEmpty()) b.append(" | ");
      b.append(x.getMessage().strip());
    }
    return b.toString();
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
      if (type.isInstance(x)) return true;
    }
    return false;
  }

  private static Properties properties(SmtpConnection sc) {
    Properties p = new Properties();
    for (String proto : List.of("smtp", "smtps")) {
      String k = "mail." + proto + ".";
      p.put(k + "host", sc.host());
      p.put(k + "port", String.valueOf(sc.port()));
      p.put(k + "auth", String.valueOf(sc.username() != null));
      p.put(k + "connectiontimeout", CONNECT_TIMEOUT_MS);
      p.put(k + "timeout", IO_TIMEOUT_MS);
      p.put(k + "writetimeout", IO_TIMEOUT_MS);
      p.put(k + "ssl.checkserveridentity", "true");
      p.put(k + "ssl.protocols", "TLSv1.3 TLSv1.2");
    }
    if (sc.security() == SmtpConnection.Security.STARTTLS) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    }
    return p;
  }

  /** The recorded message as MIME: the same headers and Message-ID on every attempt. */
  private static MimeMessage message(Session session, JsonNode req) throws MessagingException, UnsupportedEncodingException {
    JsonNode h = req.path("headers");
    String id = h.path("Message-ID").asText();
    MimeMessage m = new MimeMessage(session) {
      @Override
      protected void updateMessageID() throws MessagingException {
        setHeader("Message-ID", id);
      }
    };
    m.setFrom(InternetAddress.parse(h.path("From").asText(), false)[0]);
    m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(h.path("To").asText(), false));
    if (h.hasNonNull("Cc")) m.setRecipients(Message.RecipientType.CC, InternetAddress.parse(h.path("Cc").asText(), false));
    if (h.hasNonNull("Reply-To")) m.setReplyTo(InternetAddress.parse(h.path("Reply-To").asText(), false));
    m.setSubject(h.path("Subject").asText(), "UTF-8");
    m.setHeader("Date", h.path("Date").asText());
    m.setHeader(DEDUPE_HEADER, MimeUtility.fold(DEDUPE_HEADER.length() + 2, MimeUtility.encodeText(h.path(DEDUPE_HEADER).asText(), "UTF-8", null)));
    JsonNode body = req.path("body");
    if (body.hasNonNull("html")) {
      MimeMultipart alternative = new MimeMultipart("alternative");
      MimeBodyPart text = new MimeBodyPart();
      text.setText(body.path("text").asText(), "UTF-8");
      MimeBodyPart html = new MimeBodyPart();
      html.setText(body.path("html").asText(), "UTF-8", "html");
      alternative.addBodyPart(text);
      alternative.addBodyPart(html);
      m.setContent(alternative);
    } else {
      m.setText(body.path("text").asText(), "UTF-8");
    }
    m.saveChanges();
    return m;
  }

  /**
   * {@code <sluice.<first 32 hex of SHA-256(dedupe key)>@<the sender's domain>>}: the same for every
   * attempt of a job (and for any job with the same key), so a receiver can drop a resent copy.
   */
  static String messageId(String dedupeKey, String fromAddress) {
    String domain = fromAddress.substring(fromAddress.lastIndexOf('@') + 1);
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(dedupeKey.getBytes(StandardCharsets.UTF_8));
      return "<sluice." + HexFormat.of().formatHex(d, 0, 16) + "@" + domain + ">";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Addresses from text ({@code a@x, B <b@y>}) or a list of them; an address that does not parse is an error decision. */
  private static List<InternetAddress> addresses(JsonNode node, String what) {
    List<InternetAddress> out = new ArrayList<>();
    if (node == null || node.isNull()) return out;
    List<String> parts = new ArrayList<>();
    if (node.isArray()) node.forEach(n -> parts.add(n.asText()));
    else parts.add(node.asText());
    for (String p : parts) {
      if (p.isBlank()) continue;
      if (p.indexOf('\r') >= 0 || p.indexOf('\n') >= 0) throw new IllegalArgumentException(what + ": '" + p.strip() + "' holds a line break");
      try {
        for (InternetAddress a : InternetAddress.parse(p, true)) {
          a.validate();
          out.add(a);
        }
      } catch (AddressException e) {
        throw new IllegalArgumentException(what + ": '" + p + "' is not an email address (" + e.getMessage() + ")");
      }
    }
    return out;
  }

  private static String join(List<InternetAddress> list) {
    return String.join(", ", list.stream().map(InternetAddress::toUnicodeString).toList());
  }

  /** A header value on one line: a line break from a record's value cannot start a header of its own. */
  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n]+", " ").strip();
  }
}
