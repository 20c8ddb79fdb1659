package dev.sluice.server.http;

/**
 * A request the API refuses, with the HTTP status and a one-line reason. Rendered as
 * {@code {"error":"<reason>"}}; never carries a stack trace to the client.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  ApiError(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  static ApiError badRequest(String reason) {
    return new ApiError(400, reason);
  }

  static ApiError notFound(String reason) {
    return new ApiError(404, reason);
  }

  int status() {
    return status;
  }
}
