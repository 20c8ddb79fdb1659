package dev.sluice.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The load generator's HTTP/1.1 client: blocking keep-alive sockets, one request at a time per
 * socket, idle sockets reused. It shares the machine's cores with the server it measures, so it
 * does as little as a load generator can (the JDK {@code HttpClient} hands every exchange between
 * its selector thread and an executor, which costs more CPU per request than the server's intake
 * path itself). Baseline and contender always get the same client. Plain HTTP on loopback only.
 * Thread-safe.
 */
final class BenchHttp implements AutoCloseable {
  /** An answer: status and body. */
  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** No complete answer within the timeout; the request may or may not have reached the server. */
  static final class Timeout extends IOException {
    Timeout(String message) {
      super(message);
    }
  }

  private static final class Conn {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a socket we give up on
      }
    }
  }

  private final String host;
  private final int port;
  private final String hostHeader;
  private final ConcurrentLinkedDeque<Conn> idle = new ConcurrentLinkedDeque<>();
  private final java.util.concurrent.atomic.AtomicLong opened = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong connectNanos = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong slowestConnectNanos = new java.util.concurrent.atomic.AtomicLong();

  BenchHttp(URI base) {
    if (!"http".equals(base.getScheme())) throw new IllegalArgumentException("the bench client speaks plain http only: " + base);
    this.host = base.getHost();
    this.port = base.getPort();
    this.hostHeader = host + ":" + port;
  }

  /**
   * Connections opened so far, their summed and their slowest connect time in ns: a connect of a
   * second or more is a SYN the server's full listen backlog dropped.
   */
  long[] connects() {
    return new long[] {opened.get(), connectNanos.get(), slowestConnectNanos.get()};
  }

  /**
   * Sends {@code POST path} with {@code headers} (each {@code "Name: value"}) and {@code body};
   * waits at most {@code timeout} for the whole answer.
   *
   * @throws Timeout when no complete answer came in time (the socket is dropped)
   * @throws IOException when the connection failed
   */
  Response post(String path, byte[] body, Duration timeout, String... headers) throws IOException {
    return exchange("POST", path, body, timeout, headers);
  }

  /** {@code GET path}, as {@link #post}. */
  Response get(String path, Duration timeout, String... headers) throws IOException {
    return exchange("GET", path, null, timeout, headers);
  }

  private Response exchange(String method, String path, byte[] body, Duration timeout, String... headers) throws IOException {
    StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
        .append(hostHeader).append("\r\n");
    for (String h : headers) head.append(h).append("\r\n");
    if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
    byte[] request = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    Conn reused = idle.pollFirst();
    if (reused != null) {
      try {
        return exchange(reused, request, body, timeout);
      } catch (Timeout t) {
        throw t;
      } catch (IOException stale) {
        // the server closed an idle keep-alive socket before our request reached it: a new one
      }
    }
    return exchange(open(timeout), request, body, timeout);
  }

  private Conn open(Duration timeout) throws IOException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      long t0 = System.nanoTime();
      s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      long took = System.nanoTime() - t0;
      opened.incrementAndGet();
      connectNanos.addAndGet(took);
      slowestConnectNanos.accumulateAndGet(took, Math::max);
      return new Conn(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private Response exchange(Conn c, byte[] request, byte[] body, Duration timeout) throws IOException {
    boolean keep = false;
    try {
      c.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
      c.out.write(request);
      if (body != null) c.out.write(body);
      c.out.flush();
      Response r;
      boolean close;
      try {
        String status = line(c.in);
        if (status == null) throw new EOFException("the server closed the connection");
        if (!status.startsWith("HTTP/1.")) throw new IOException("not an HTTP/1.x answer: " + status);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        close = status.startsWith("HTTP/1.0");
        String h;
        while ((h = line(c.in)) != null && !h.isEmpty()) {
          int colon = h.indexOf(':');
          if (colon < 0) continue;
          String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
          String value = h.substring(colon + 1).trim();
          switch (name) {
            case "content-length" -> length = Long.parseLong(value);
            case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            case "connection" -> close |= value.equalsIgnoreCase("close");
            default -> { }
          }
        }
        if (h == null) throw new EOFException("the answer's headers were cut off");
        byte[] content;
        if (chunked) {
          content = chunked(c.in);
        } else if (length >= 0) {
          content = c.in.readNBytes((int) length);
          if (content.length < length) throw new EOFException("the answer's body was cut off");
        } else {
          content = c.in.readAllBytes(); // no length: the body runs to the end of the connection
          close = true;
        }
        r = new Response(code, content);
      } catch (SocketTimeoutException e) {
        throw new Timeout("no answer within " + timeout.toMillis() + " ms");
      }
      keep = !close;
      return r;
    } finally {
      if (keep) idle.offerFirst(c);
      else c.close();
    }
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      if (size == null) throw new EOFException("a chunked body was cut off");
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        String trailer;
        while ((trailer = line(in)) != null && !trailer.isEmpty()) {
          // trailers are not used
        }
        return out.toByteArray();
      }
      byte[] chunk = in.readNBytes(n);
      if (chunk.length < n) throw new EOFException("a chunk was cut off");
      out.write(chunk);
      line(in); // the CRLF after the chunk
    }
  }

  /** One header line without its CRLF; null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(64);
    int ch;
    while ((ch = in.read()) >= 0) {
      if (ch == '\n') {
        int len = b.length();
        if (len > 0 && b.charAt(len - 1) == '\r') b.setLength(len - 1);
        return b.toString();
      }
      b.append((char) ch);
    }
    return b.isEmpty() ? null : b.toString();
  }

  @Override
  public void close() {
    Conn c;
    while ((c = idle.pollFirst()) != null) c.close();
  }
}
