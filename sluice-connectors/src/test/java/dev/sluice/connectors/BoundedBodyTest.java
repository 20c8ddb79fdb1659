package dev.sluice.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Vendor answers are read up to a limit, announced or not, over real HTTP on loopback. */
class BoundedBodyTest {
  private static final long LIMIT = 1024;
  private HttpServer server;
  private URI base;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/small", x -> answer(x, 200, 100));
    server.createContext("/chunked", x -> answer(x, 0, 4096)); // 0: chunked, no Content-Length
    server.createContext("/announced", x -> answer(x, 4096, 4096));
    server.createContext("/endless", x -> {
      x.sendResponseHeaders(200, 0);
      byte[] chunk = new byte[64 * 1024];
      try (OutputStream out = x.getResponseBody()) {
        for (long sent = 0; sent <= BoundedBody.DEFAULT_LIMIT; sent += chunk.length) out.write(chunk);
      } catch (IOException e) {
        // the client hung up once past its limit
      }
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void answer(com.sun.net.httpserver.HttpExchange x, long length, int bytes) throws IOException {
    x.sendResponseHeaders(200, length == 0 ? 0 : bytes);
    try (OutputStream out = x.getResponseBody()) {
      out.write("x".repeat(bytes).getBytes());
    } catch (IOException e) {
      // the client hung up once past its limit
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), BoundedBody.handler(LIMIT));
  }

  @Test
  void aBodyWithinTheLimitIsRead() throws Exception {
    assertThat(get("/small").body()).hasSize(100);
  }

  @Test
  void aChunkedBodyPastTheLimitFailsTheCall() {
    assertThatThrownBy(() -> get("/chunked")).isInstanceOf(IOException.class)
        .satisfies(e -> {
          boolean found = false;
          for (Throwable t = e; t != null; t = t.getCause()) found |= t instanceof BoundedBody.TooLarge;
          assertThat(found).as("a TooLarge in the causes of " + e).isTrue();
        });
  }

  @Test
  void anAnnouncedOversizeBodyIsNotReadAtAll() throws Exception {
    HttpResponse<String> r = get("/announced");
    assertThat(r.body()).isNull();
    assertThat(BoundedBody.announcedTooLarge(r, LIMIT)).isTrue();
  }

  @Test
  void aTruncatingHandlerKeepsTheStatusAndTheHeadOfAnEndlessBody() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/endless")).build(), BoundedBody.truncating(LIMIT));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize((int) LIMIT);
  }

  @Test
  void aTruncatingHandlerReadsAnAnnouncedOversizeBodyUpToTheLimit() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/announced")).build(), BoundedBody.truncating(LIMIT));
    assertThat(r.body()).hasSize((int) LIMIT);
  }

  @Test
  void aTruncatedBodyEndsOnACharacterBoundary() throws Exception {
    server.createContext("/euro", x -> {
      byte[] body = "\u20ac".repeat(2000).getBytes(java.nio.charset.StandardCharsets.UTF_8); // 3 bytes each
      x.sendResponseHeaders(200, body.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      } catch (IOException e) {
        // the client hung up once past its limit
      }
    });
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/euro")).build(), BoundedBody.truncating(LIMIT));
    assertThat(r.body()).isEqualTo("\u20ac".repeat((int) (LIMIT / 3)));
  }

  @Test
  void everyConnectorsAnswerIsReadWithTheLimit() {
    ConnectorHttp http = new ConnectorHttp("Vendor", RateLimitGate.unlimited(), null, null, client);
    assertThatThrownBy(() -> http.send(java.util.List.of(), ConnectorHttp.request(base.resolve("/endless").toString()).build(), "page 1"))
        .isInstanceOfSatisfying(ConnectorException.class, e -> {
          assertThat(e.kind()).isEqualTo(ConnectorException.Kind.MALFORMED);
          assertThat(e.getMessage()).contains("Vendor's answer at page 1 was cut").contains(Long.toString(BoundedBody.DEFAULT_LIMIT));
        });
  }
}
