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
 * {@link #truncating} is the variant for callers whose decision rests on the status code (an action
 * that must not be retried after a 2xx): the body is cut at the limit, the connection closed, and
 * the status kept.
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
  private final boolean truncate;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(long limit, boolean truncate) {
    this.limit = limit;
    this.truncate = truncate;
  }

  /** A handler answering bodies of at most {@code limit} bytes. */
  public static HttpResponse.BodyHandler<String> handler(long limit) {
    return info -> {
      long announced = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (announced > limit) return HttpResponse.BodySubscribers.replacing(null);
      return new BoundedBody(limit, false);
    };
  }

  /**
   * A handler answering at most the first {@code limit} bytes of any body, announced or not: past
   * the limit it stops reading (the connection is closed) and answers what it read, cut at a
   * character boundary. The status code is always kept.
   */
  public static HttpResponse.BodyHandler<String> truncating(long limit) {
    return info -> new BoundedBody(limit, true);
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
        if (truncate) {
          byte[] head = new byte[(int) (limit - bytes.size())];
          b.get(head);
          bytes.writeBytes(head);
          result.complete(cutText(bytes.toByteArray()));
        } else {
          result.completeExceptionally(new TooLarge(limit));
        }
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      bytes.writeBytes(chunk);
    }
  }

  /** The bytes as text without a trailing partial UTF-8 sequence (the cut may fall inside one). */
  private static String cutText(byte[] b) {
    int end = b.length;
    int back = 0;
    while (back < 3 && end - back - 1 >= 0 && (b[end - back - 1] & 0xC0) == 0x80) back++;
    if (end - back - 1 >= 0) {
      int lead = b[end - back - 1] & 0xFF;
      int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
      if (need > back) end = end - back - 1;
    }
    return new String(b, 0, end, StandardCharsets.UTF_8);
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
