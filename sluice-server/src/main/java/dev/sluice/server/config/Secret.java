package dev.sluice.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (API token, database password) read from the environment. Its {@link #toString()}
 * is always redacted so that logging or printing a config never shows it; only {@link #reveal()}
 * gives the value, to the one place that sends it.
 */
public final class Secret {
  /** What every printed form of a secret shows instead of the value. */
  public static final String REDACTED = "****";

  private final String value;
  private final String source;

  private Secret(String value, String source) {
    this.value = Objects.requireNonNull(value);
    this.source = source;
  }

  /** A secret with {@code source} describing where it came from (e.g. {@code "${HUBSPOT_TOKEN}"}). */
  public static Secret of(String value, String source) {
    return new Secret(value, source);
  }

  /** The value itself. Send it; never log or print it. */
  public String reveal() {
    return value;
  }

  /** Where the value came from, safe to print (the environment reference, or "literal"). */
  public String source() {
    return source;
  }

  /** Compares with {@code candidate} in time independent of where they differ. */
  public boolean matches(String candidate) {
    if (candidate == null) return false;
    return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return REDACTED;
  }
}
