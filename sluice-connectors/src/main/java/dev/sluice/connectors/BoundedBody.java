package dev.sluice.connectors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read as UTF-8 text up to a size limit: a vendor (or anything posing as one)
 * answering an endless or huge body makes the call fail with {@link TooLarge} once the limit is
 * passed (at once when Content-Length announces it), instead of filling the heap. Non-blocking.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<String> {
  /** The largest vendor answer read: a HubSpot page of 100 records with every property is a few MB. */
  public static final long DEFAULT_LIMIT = 32L * 1024 * 1024;

  /** The answer is larger than the limit. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(long limit) {
      super("the answer is larger than " + limit + " bytes");
    }
  }

  private final long limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(long limit) {
    this.limit = limit;
  }

  /** A handler answering bodies of at most {@code limit} bytes. */
  public static HttpResponse.BodyHandler<String> handler(long limit) {
    return info -> {
      long announced = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (announced > limit) return HttpResponse.BodySubscribers.replacing(null);
      return new BoundedBody(limit);
    };
  }

  /** True when the handler gave up on an announced oversize body (its body is then null). */
  public static boolean announcedTooLarge(HttpResponse<String> response, long limit) {
    return response.headers().firstValueAsLong("Content-Length").orElse(-1) > limit;
  }

  @Override
  public CompletionStage<String> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    this.subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) return;
    for (ByteBuffer b : buffers) {
      if (bytes.size() + (long) b.remaining() > limit) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(limit));
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      bytes.writeBytes(chunk);
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(bytes.toString(StandardCharsets.UTF_8));
  }
}
