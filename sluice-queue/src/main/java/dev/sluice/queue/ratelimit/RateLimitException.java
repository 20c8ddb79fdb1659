package dev.sluice.queue.ratelimit;

/** RateLimitException: a rate-limit operation failed in the database (the message says which). */
public class RateLimitException extends RuntimeException {
  public RateLimitException(String message, Throwable cause) {
    super(message, cause);
  }
}
