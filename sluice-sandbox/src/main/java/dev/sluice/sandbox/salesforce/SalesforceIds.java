package dev.sluice.sandbox.salesforce;

import java.util.concurrent.atomic.AtomicLong;

/**
 * 18-character Salesforce record ids: a 3-character key prefix, a 12-character body and the
 * 3-character case-safe suffix Salesforce derives from the upper-case positions of the first 15.
 */
final class SalesforceIds {
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  /** Pod/instance characters after the prefix, as real ids carry them. */
  private static final String INSTANCE = "Sx";

  private final AtomicLong next = new AtomicLong(1);
  private final String prefix;

  SalesforceIds(String prefix) {
    this.prefix = prefix;
  }

  String nextId() {
    return of(prefix, next.getAndIncrement());
  }

  static String of(String prefix, long sequence) {
    StringBuilder body = new StringBuilder();
    long v = sequence;
    for (int i = 0; i < 10; i++) {
      body.append(BASE62.charAt((int) (v % 62)));
      v /= 62;
    }
    String id15 = prefix + INSTANCE + body.reverse();
    return id15 + caseSafeSuffix(id15);
  }

  static String caseSafeSuffix(String id15) {
    StringBuilder suffix = new StringBuilder(3);
    for (int chunk = 0; chunk < 3; chunk++) {
      int bits = 0;
      for (int i = 0; i < 5; i++) {
        char c = id15.charAt(chunk * 5 + i);
        if (c >= 'A' && c <= 'Z') {
          bits |= 1 << i;
        }
      }
      suffix.append(SUFFIX_ALPHABET.charAt(bits));
    }
    return suffix.toString();
  }
}
