package dev.sluice.rules;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP proxy in front of a destination (the sandbox or a test server) that injects the
 * faults the action contract needs: an answer of its own instead of forwarding (429 with
 * Retry-After, 503, a 4xx), or a request forwarded and applied whose answer is then lost (the
 * connection closed without a response). Counts what reached it and what it forwarded.
 */
final class FaultProxy implements AutoCloseable {
  /** One injected outcome for the next request. */
  sealed interface Fault permits Answer, LoseResponse {}

  /** Answers {@code status} with these headers and body, forwarding nothing. */
  record Answer(int status, Map<String, String> headers, String body) implements Fault {}

  /** Forwards the request (the destination applies it) and closes the connection without answering. */
  record LoseResponse() implements Fault {}

  private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "host", "transfer-encoding", "upgrade", "expect");

  private final URI target;
  private final HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger forwarded = new AtomicInteger();

  FaultProxy(URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The proxy's base URL: {@code http://127.0.0.1:<port>}. */
  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The proxy URL standing for {@code url} of the target (same path and query). */
  URI proxied(URI url) {
    return URI.create(base() + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
  }

  void inject(Fault... next) {
    faults.addAll(List.of(next));
  }

  int received() {
    return received.get();
  }

  int forwarded() {
    return forwarded.get();
  }

  void reset() {
    faults.clear();
    received.set(0);
    forwarded.set(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    received.incrementAndGet();
    byte[] body = ex.getRequestBody().readAllBytes();
    Fault fault = faults.poll();
    try {
      if (fault instanceof Answer a) {
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) ex.getResponseBody().write(out);
        return;
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target.toString().replaceAll("/$", "") + ex.getRequestURI()));
      ex.getRequestHeaders().forEach((k, vs) -> {
        if (!HOP_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT))) vs.forEach(v -> b.header(k, v));
      });
      b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<byte[]> res = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      forwarded.incrementAndGet();
      if (fault instanceof LoseResponse) return; // closed below without a status line: the client sees its answer lost
      res.headers().map().forEach((k, vs) -> {
        if (!HOP_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT)) && !k.startsWith(":")) vs.forEach(v -> ex.getResponseHeaders().add(k, v));
      });
      ex.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
      if (res.body().length > 0) ex.getResponseBody().write(res.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
