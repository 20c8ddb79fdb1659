package dev.sluice.server.http;

import dev.sluice.server.config.Secret;
import io.javalin.http.Context;

/**
 * Admits a request only when it carries {@code Authorization: Bearer <the API token>}. The token
 * is compared in constant time so the answer's timing says nothing about how much of a guess was right.
 */
final class BearerTokenCheck {
  private static final String PREFIX = "Bearer ";
  private final Secret token;

  BearerTokenCheck(Secret token) {
    this.token = token;
  }

  void check(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiError(401, "missing Authorization header; send 'Authorization: Bearer <SLUICE_API_TOKEN>'");
    }
    if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      throw new ApiError(401, "the Authorization header must use the Bearer scheme");
    }
    if (!token.matches(header.substring(PREFIX.length()).trim())) {
      throw new ApiError(401, "the bearer token is not valid");
    }
  }
}
