package dev.sluice.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Reads a request body as one JSON object, refusing oversize bodies before buffering them: the
 * declared {@code Content-Length} is checked first, and a chunked body is read at most one byte past
 * the limit.
 */
final class JsonBodyReader {
  /** Largest body the admin API accepts (1 MB); sync triggers are a few hundred bytes. */
  static final int MAX_BODY_BYTES = 1_000_000;

  private final ObjectMapper json;

  JsonBodyReader() {
    this.json = new ObjectMapper()
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** Bodies up to this size are read into an array of their declared size at once. */
  static final int UPFRONT_BYTES = 64 * 1024;

  /** The raw body, refused with 413 past {@link #MAX_BODY_BYTES} (also used by the webhook receivers). */
  static byte[] readBytes(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BODY_BYTES) throw tooLarge();
    byte[] body;
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared >= 0 && declared <= UPFRONT_BYTES) {
        // read straight into an array of the declared size (the server ends the stream there)
        body = new byte[(int) declared];
        int n = in.readNBytes(body, 0, body.length);
        if (n < body.length) body = java.util.Arrays.copyOf(body, n);
      } else {
        // a large declared size is not allocated before its bytes arrive: a slow sender declaring
        // the maximum would otherwise hold that much memory per connection, before any signature check
        body = in.readNBytes(MAX_BODY_BYTES + 1);
      }
    } catch (IOException e) {
      throw ApiError.badRequest("could not read the request body: " + e.getMessage());
    }
    if (body.length > MAX_BODY_BYTES) throw tooLarge();
    return body;
  }

  JsonNode readObject(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!type.equals("application/json") && !type.endsWith("+json")) {
      throw new ApiError(415, "the body must be JSON, sent with Content-Type: application/json"
          + (type.isEmpty() ? " (no Content-Type was sent)" : " (got " + type + ")"));
    }
    byte[] body = readBytes(ctx);
    if (body.length == 0) throw ApiError.badRequest("the request body is empty; expected a JSON object");
    JsonNode node;
    try {
      node = json.readTree(body);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw ApiError.badRequest("the body is not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest("could not read the request body: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiError.badRequest("expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
    }
    return node;
  }

  private static ApiError tooLarge() {
    return new ApiError(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
  }
}
