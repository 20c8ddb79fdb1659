package dev.sluice.sandbox.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The SMTP port clients see: a line-by-line relay in front of the mail server (GreenMail on a
 * loopback port of its own) that adds what a submission server does and the sandbox's faults:
 * <ul>
 *   <li>{@code MAIL FROM} before a successful {@code AUTH} is answered {@code 530} when auth is required;
 *   <li>an injected reply refuses the next message at {@code MAIL FROM} (e.g. {@code 451 4.3.0 …} or
 *       {@code 550 5.7.1 …}), nothing reaching the server;
 *   <li>an injected lost reply lets the next message be stored, then closes the connection before
 *       the server's {@code 250} reaches the client (the client cannot tell whether it was delivered).
 * </ul>
 * Commands are relayed one at a time (the server offers no {@code PIPELINING}). The transcript keeps
 * every command with the reply code; {@code AUTH} arguments and the answers to its challenges are
 * replaced by {@code ****}. Thread-safe.
 */
final class SmtpRelay implements AutoCloseable {
  static final int TRANSCRIPT_CAPACITY = 2_000;
  private static final int SOCKET_TIMEOUT_MS = 60_000;

  /** One message's fault: an SMTP reply instead of accepting it, or (reply null) its 250 lost. */
  record Fault(String reply) {
    static final Fault LOSE_REPLY = new Fault(null);
  }

  /** One relayed command: the session, the command (credentials masked) and the reply code. */
  record Line(long session, java.time.Instant at, String command, int reply) {}

  private final SmtpOptions options;
  private final int upstreamPort;
  private final Clock clock;
  private final Consumer<String> messageIdSeen;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
  private final Deque<Line> transcript = new ArrayDeque<>();
  private final AtomicLong sessions = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong lostReplies = new AtomicLong();
  private final AtomicLong authFailures = new AtomicLong();
  private final AtomicLong authRequired = new AtomicLong();
  private volatile boolean closed;

  SmtpRelay(SmtpOptions options, int upstreamPort, Clock clock, Consumer<String> messageIdSeen) throws IOException {
    this.options = options;
    this.upstreamPort = upstreamPort;
    this.clock = clock;
    this.messageIdSeen = messageIdSeen;
    this.listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), options.port()));
    this.acceptor = Thread.ofPlatform().daemon().name("sandbox-smtp-accept").start(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  void inject(Fault fault, int times) {
    for (int i = 0; i < times; i++) faults.add(fault);
  }

  List<Fault> pendingFaults() {
    return List.copyOf(faults);
  }

  void clearFaults() {
    faults.clear();
  }

  List<Line> transcript() {
    synchronized (transcript) {
      return new ArrayList<>(transcript);
    }
  }

  Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sessions", sessions.get());
    m.put("accepted", accepted.get());
    m.put("refused_by_fault", refused.get());
    m.put("lost_replies", lostReplies.get());
    m.put("auth_failures", authFailures.get());
    m.put("auth_required", authRequired.get());
    m.put("pending_faults", faults.size());
    return m;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed) return;
        continue;
      }
      long id = sessions.incrementAndGet();
      Thread.ofVirtual().name("sandbox-smtp-" + id).start(() -> session(id, client));
    }
  }

  private void session(long id, Socket client) {
    open.add(client);
    try (client; Socket up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      open.add(up);
      client.setSoTimeout(SOCKET_TIMEOUT_MS);
      up.setSoTimeout(SOCKET_TIMEOUT_MS);
      new Session(id, new BufferedInputStream(client.getInputStream()), client.getOutputStream(),
          new BufferedInputStream(up.getInputStream()), up.getOutputStream()).run();
    } catch (IOException e) {
      // The client went away or timed out: the session ends as a real server's would.
    } finally {
      open.remove(client);
    }
  }

  /** One client connection, relayed to one server connection. */
  private final class Session {
    private final long id;
    private final InputStream in;
    private final OutputStream out;
    private final InputStream upIn;
    private final OutputStream upOut;
    private boolean authenticated;
    private Fault fault;

    Session(long id, InputStream in, OutputStream out, InputStream upIn, OutputStream upOut) {
      this.id = id;
      this.in = in;
      this.out = out;
      this.upIn = upIn;
      this.upOut = upOut;
    }

    void run() throws IOException {
      write(readReply(upIn)); // the greeting
      while (true) {
        byte[] raw = readLine(in);
        if (raw == null) return;
        String line = text(raw);
        String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
        if (verb.equals("MAIL")) {
          if (options.requireAuth() && !authenticated) {
            authRequired.incrementAndGet();
            answer(line, "530 5.7.0 Authentication required");
            continue;
          }
          fault = faults.poll();
          if (fault != null && fault.reply() != null) {
            refused.incrementAndGet();
            answer(line, fault.reply());
            fault = null;
            continue;
          }
        }
        String reply = forward(raw);
        if (verb.equals("AUTH")) {
          while (reply.startsWith("334")) { // a challenge: the client's answer is a credential
            write(reply);
            byte[] answer = readLine(in);
            if (answer == null) return;
            reply = forward(answer);
          }
          if (reply.startsWith("235")) authenticated = true;
          else authFailures.incrementAndGet();
          String[] parts = line.split(" ");
          line = "AUTH" + (parts.length > 1 ? " " + parts[1] : "") + (parts.length > 2 ? " ****" : "");
        } else if (verb.equals("DATA") && reply.startsWith("354")) {
          write(reply);
          record(line, 354);
          reply = relayData();
          if (reply == null) return;
          if (reply.startsWith("250")) accepted.incrementAndGet();
          Fault f = fault;
          fault = null;
          if (f == Fault.LOSE_REPLY && reply.startsWith("250")) {
            lostReplies.incrementAndGet();
            record("<message> (reply lost by fault)", code(reply));
            return; // closed without the 250: stored, but the client never hears it
          }
          line = "<message>";
        } else if (verb.equals("RSET")) {
          fault = null;
        }
        write(reply);
        record(line, code(reply));
        if (verb.equals("QUIT")) return;
      }
    }

    /** The message lines up to the lone dot, to the server; its reply. */
    private String relayData() throws IOException {
      boolean headers = true;
      String messageId = null;
      while (true) {
        byte[] raw = readLine(in);
        if (raw == null) return null;
        upOut.write(raw);
        String l = text(raw).stripTrailing();
        if (l.equals(".")) break;
        if (headers && l.isEmpty()) headers = false;
        if (headers && l.regionMatches(true, 0, "Message-ID:", 0, 11)) messageId = l.substring(11).strip();
      }
      upOut.flush();
      String reply = readReply(upIn);
      if (messageId != null && reply.startsWith("250")) messageIdSeen.accept(messageId);
      return reply;
    }

    private String forward(byte[] raw) throws IOException {
      upOut.write(raw);
      upOut.flush();
      return readReply(upIn);
    }

    private void answer(String command, String reply) throws IOException {
      write(reply + "\r\n");
      record(command, code(reply));
    }

    private void write(String reply) throws IOException {
      out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    private void record(String command, int code) {
      synchronized (transcript) {
        if (transcript.size() == TRANSCRIPT_CAPACITY) transcript.removeFirst();
        transcript.addLast(new Line(id, clock.instant(), command, code));
      }
    }
  }

  /** A reply of one or more lines ({@code 250-…} continues, {@code 250 …} ends), CRLFs kept. */
  private static String readReply(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      byte[] raw = readLine(in);
      if (raw == null) throw new SocketException("the mail server closed the connection");
      String l = text(raw);
      b.append(new String(raw, StandardCharsets.ISO_8859_1));
      if (l.length() < 4 || l.charAt(3) != '-') return b.toString();
    }
  }

  /** One line including its LF, or null at the end of the stream. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int c;
    while ((c = in.read()) != -1) {
      line.write(c);
      if (c == '\n') return line.toByteArray();
    }
    return line.size() == 0 ? null : line.toByteArray();
  }

  private static String text(byte[] raw) {
    return new String(raw, StandardCharsets.ISO_8859_1).replaceAll("\r?\n$", "");
  }

  private static int code(String reply) {
    try {
      return Integer.parseInt(reply.substring(0, 3));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    acceptor.interrupt();
  }
}
