package dev.sluice.server.http;

import dev.sluice.server.config.Secret;
import java.security.SecureRandom;
import java.util.Base64;

/** What an API token must be to guard the API: long enough that guessing it is hopeless. */
public final class ApiTokenPolicy {
  /** The shortest token {@code serve} accepts. */
  public static final int MIN_LENGTH = 32;

  private ApiTokenPolicy() {}

  /** Null when {@code token} is acceptable, else the reason, offering a freshly generated token. */
  public static String problem(Secret token) {
    int length = token.reveal().strip().length();
    if (length >= MIN_LENGTH) return null;
    return "is " + length + " characters long; at least " + MIN_LENGTH + " are needed. A generated one: "
        + "export SLUICE_API_TOKEN=" + generate();
  }

  /** 32 random bytes, URL-safe base64 (43 characters). */
  public static String generate() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
