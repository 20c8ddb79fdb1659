package dev.sluice.server.http;

import dev.sluice.server.config.Secret;
import io.javalin.http.Context;

/**
 * Admits a request only when it carries {@code Authorization: Bearer <the API token>} (the scheme
 * name in any case, as RFC 9110 allows). The token is compared in constant time so the answer's
 * timing says nothing about how much of a guess was right, and repeated failures from one address
 * are slowed down by {@link AuthThrottle} (429 with {@code Retry-After}).
 */
final class BearerTokenCheck {
  private static final String PREFIX = "Bearer ";
  private final Secret token;
  private final AuthThrottle throttle;

  BearerTokenCheck(Secret token, AuthThrottle throttle) {
    this.token = token;
    this.throttle = throttle;
  }

  void check(Context ctx) {
    String client = ctx.ip();
    long wait = throttle.retryAfterSeconds(client);
    if (wait > 0) {
      ctx.header("Retry-After", Long.toString(wait));
      throw new ApiError(429, "too many failed authentications from this address; retry after " + wait + " s");
    }
    try {
      verify(ctx.header("Authorization"));
    } catch (ApiError e) {
      throttle.failed(client);
      throw e;
    }
    throttle.succeeded(client);
  }

  private void verify(String header) {
    if (header == null || header.isBlank()) {
      throw new ApiError(401, "missing Authorization header; send 'Authorization: Bearer <SLUICE_API_TOKEN>'");
    }
    if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      throw new ApiError(401, "the Authorization header must use the Bearer scheme");
    }
    String presented = header.substring(PREFIX.length()).trim();
    if (presented.isEmpty()) {
      throw new ApiError(401, "the bearer token is empty");
    }
    if (!token.matches(presented)) {
      throw new ApiError(401, "the bearer token is not valid");
    }
  }
}
