package dev.sluice.inbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Secret comparisons whose time does not depend on where the inputs differ (or on their lengths). */
final class ConstantTime {
  private ConstantTime() {}

  /** Whether {@code a} equals {@code b}; both are hashed first so their lengths leak nothing either. */
  static boolean equal(String a, String b) {
    return MessageDigest.isEqual(sha256(a.getBytes(StandardCharsets.UTF_8)), sha256(b.getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  static byte[] hmacSha256(byte[] key, byte[] data) {
    return hmacSha256(key, new byte[][] {data});
  }

  /** The HMAC-SHA256 of the concatenated {@code parts}, without copying them into one array first. */
  static byte[] hmacSha256(byte[] key, byte[][] parts) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      for (byte[] part : parts) mac.update(part);
      return mac.doFinal();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
