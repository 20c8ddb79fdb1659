package dev.sluice.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals — a request it cannot parse (bad escape, oversized header: 400, 414, 431…)
 * before any route runs — in the API's one error shape, {@code {"error":"<reason>"}}, instead of
 * Jetty's HTML page. Never includes a stack trace or a cause.
 */
final class JsonErrorHandler extends ErrorHandler {
  private final ObjectMapper json;

  JsonErrorHandler(ObjectMapper json) {
    this.json = json;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason));
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  private byte[] body(int status, String reason) {
    String text = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
    try {
      return json.writeValueAsBytes(json.createObjectNode().put("error", text));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
