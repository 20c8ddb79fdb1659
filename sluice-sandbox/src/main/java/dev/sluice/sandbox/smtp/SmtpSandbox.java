package dev.sluice.sandbox.smtp;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.SandboxServices;
import io.javalin.router.JavalinDefaultRoutingApi;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real SMTP server that stores every message it accepts: GreenMail's SMTP server and mail store,
 * behind {@link SmtpRelay} (auth required, injected refusals and lost replies). It listens on its
 * own port on 127.0.0.1 (the sandbox's HTTP port serves its admin API under {@code /_admin/smtp/}),
 * starts with the sandbox and stops with it.
 *
 * <pre>{@code
 * SmtpSandbox smtp = new SmtpSandbox(SmtpOptions.defaults());
 * try (Sandbox sb = Sandbox.builder().platform(smtp).start()) {
 *   // send to 127.0.0.1:smtp.port() with AUTH smtp.options().username() / password()
 *   smtp.rejectNext(1, "451 4.3.0 Try again later");
 *   List<StoredMail> got = smtp.messages("ana@example.com");
 * }
 * }</pre>
 */
public final class SmtpSandbox implements PlatformSandbox {
  private final SmtpOptions options;
  private volatile GreenMail server;
  private volatile SmtpRelay relay;
  private volatile Clock clock = Clock.systemUTC();

  public SmtpSandbox(SmtpOptions options) {
    this.options = options;
  }

  public SmtpOptions options() {
    return options;
  }

  @Override
  public String name() {
    return "smtp";
  }

  @Override
  public synchronized void attach(SandboxServices services) {
    if (relay != null) throw new IllegalStateException("this SMTP sandbox is already started");
    clock = services.clock();
    GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
        .withConfiguration(GreenMailConfiguration.aConfig().withUser(options.username() + "@sandbox.invalid", options.username(), options.password()));
    gm.start();
    try {
      relay = new SmtpRelay(options, gm.getSmtp().getPort(), clock, id -> services.recordIdempotencyKey(name(), id));
    } catch (IOException e) {
      gm.stop();
      throw new UncheckedIOException("SMTP sandbox: cannot listen on 127.0.0.1:" + options.port(), e);
    }
    server = gm;
  }

  @Override
  public void routes(JavalinDefaultRoutingApi app) {
    new SmtpAdminRoutes(this).register(app);
  }

  /** The port clients connect to on 127.0.0.1 (once the sandbox started). */
  public int port() {
    return started().port();
  }

  /** {@code 127.0.0.1}: the sandbox listens on loopback only. */
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public Map<String, Object> describe(String serverBaseUrl) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", host());
    m.put("port", port());
    m.put("username", options.username());
    m.put("password", options.password());
    m.put("require_auth", options.requireAuth());
    m.put("messages_url", serverBaseUrl + "/_admin/smtp/messages");
    return m;
  }

  /** The next {@code times} messages are refused at {@code MAIL FROM} with {@code reply} (e.g. {@code 451 4.3.0 Try again later}). */
  public void rejectNext(int times, String reply) {
    if (reply == null || !reply.matches("[45]\\d\\d( .*)?")) throw new IllegalArgumentException("reply must be a 4xx or 5xx SMTP reply, e.g. \"451 4.3.0 Try again later\"");
    if (times < 1 || times > 10_000) throw new IllegalArgumentException("times must be 1..10000");
    started().inject(new SmtpRelay.Fault(reply), times);
  }

  /** The next {@code times} messages are stored, then their connection closes before the {@code 250} reaches the client. */
  public void loseReplyToNext(int times) {
    if (times < 1 || times > 10_000) throw new IllegalArgumentException("times must be 1..10000");
    started().inject(SmtpRelay.Fault.LOSE_REPLY, times);
  }

  /** The faults still waiting for a message, in order: a reply, or {@code "lose_reply"}. */
  public List<String> pendingFaults() {
    return started().pendingFaults().stream().map(f -> f.reply() == null ? "lose_reply" : f.reply()).toList();
  }

  public void clearFaults() {
    started().clearFaults();
  }

  /** Sessions, accepted messages, refusals by fault, lost replies, auth failures and refusals for want of auth. */
  public Map<String, Object> stats() {
    Map<String, Object> m = started().stats();
    m.put("stored", messages().size());
    return m;
  }

  /** The relayed commands with their reply codes, oldest first; {@code AUTH} credentials are {@code ****}. */
  public List<Map<String, Object>> transcript() {
    return started().transcript().stream().map(l -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("session", l.session());
      m.put("at", l.at().toString());
      m.put("command", l.command());
      m.put("reply", l.reply());
      return m;
    }).toList();
  }

  /** Every stored message, one copy per recipient mailbox, in the order they were stored. */
  public List<StoredMail> messages() {
    GreenMail gm = started(server);
    List<Stored> all = new ArrayList<>();
    for (GreenMailUser user : gm.getUserManager().listUser()) {
      try {
        for (StoredMessage m : gm.getManagers().getImapHostManager().getInbox(user).getMessages()) all.add(new Stored(user.getEmail(), m));
      } catch (FolderException e) {
        throw new IllegalStateException("SMTP sandbox: cannot read the mailbox of " + user.getEmail(), e);
      }
    }
    all.sort(Comparator.comparing((Stored s) -> s.message().getReceivedDate()).thenComparing(s -> s.message().getUid()));
    return all.stream().map(s -> mail(s.mailbox(), s.message())).toList();
  }

  /** The stored copies in {@code mailbox} (an envelope recipient), in the order they were stored. */
  public List<StoredMail> messages(String mailbox) {
    return messages().stream().filter(m -> m.mailbox().equalsIgnoreCase(mailbox)).toList();
  }

  /** Deletes every stored message. */
  public void clear() {
    try {
      started(server).purgeEmailFromAllMailboxes();
    } catch (FolderException e) {
      throw new IllegalStateException("SMTP sandbox: cannot purge the mailboxes", e);
    }
  }

  @Override
  public synchronized void close() {
    if (relay != null) relay.close();
    if (server != null) server.stop();
  }

  private record Stored(String mailbox, StoredMessage message) {}

  private SmtpRelay started() {
    return started(relay);
  }

  private static <T> T started(T part) {
    if (part == null) throw new IllegalStateException("the SMTP sandbox starts with the sandbox (Sandbox.builder().platform(smtp).start())");
    return part;
  }

  private static StoredMail mail(String mailbox, StoredMessage stored) {
    MimeMessage m = stored.getMimeMessage();
    try {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (Enumeration<Header> e = m.getAllHeaders(); e.hasMoreElements(); ) {
        Header h = e.nextElement();
        headers.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
      }
      String[] body = new String[2];
      collect(m, body);
      String[] returnPath = m.getHeader("Return-Path");
      return new StoredMail(mailbox, returnPath == null ? null : returnPath[0], m.getMessageID(), first(m.getFrom()),
          addresses(m.getRecipients(Message.RecipientType.TO)), addresses(m.getRecipients(Message.RecipientType.CC)),
          m.getSubject(), body[0], body[1], headers, stored.getReceivedDate().toInstant());
    } catch (MessagingException | IOException e) {
      throw new IllegalStateException("SMTP sandbox: cannot read a stored message: " + e.getMessage(), e);
    }
  }

  /** The first text/plain into {@code body[0]} and text/html into {@code body[1]}, through multiparts. */
  private static void collect(Part p, String[] body) throws MessagingException, IOException {
    if (p.isMimeType("text/plain") && body[0] == null) {
      body[0] = String.valueOf(p.getContent());
    } else if (p.isMimeType("text/html") && body[1] == null) {
      body[1] = String.valueOf(p.getContent());
    } else if (p.isMimeType("multipart/*") && p.getContent() instanceof Multipart mp) {
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart part = mp.getBodyPart(i);
        collect(part, body);
      }
    }
  }

  private static String first(Address[] a) {
    return a == null || a.length == 0 ? null : a[0].toString();
  }

  private static List<String> addresses(Address[] a) {
    return a == null ? List.of() : Arrays.stream(a).map(Address::toString).toList();
  }
}
