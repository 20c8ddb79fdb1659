package dev.sluice.leads;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns a raw submission into a {@link Submission} or refuses it with a one-line reason: email
 * present and valid, field names and sizes sane, no unknown field on a strict source, honeypot empty.
 */
final class SubmissionCheck {
  /** Longest accepted email (RFC 5321 path limit). */
  static final int MAX_EMAIL = 254;
  static final int MAX_FIELDS = 100;
  static final int MAX_VALUE = 4_000;
  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,99}");
  /** Deliberately plain: one @, no spaces, a dot in the domain; the CRM has the last word. */
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+");

  private SubmissionCheck() {}

  /** A valid submission: the email as the CRM will get it, its dedupe key and the other non-empty fields. */
  record Submission(String source, String email, String emailKey, Map<String, String> fields, String destination) {}

  static Submission check(LeadSource source, Map<String, String> raw) {
    if (raw.size() > MAX_FIELDS) throw new InvalidLeadException("too many fields (" + raw.size() + "; at most " + MAX_FIELDS + ")");
    String honeypot = source.honeypot();
    if (honeypot != null) {
      String trap = raw.get(honeypot);
      if (trap != null && !trap.isBlank()) throw new InvalidLeadException("refused: the " + honeypot + " field must be left empty");
    }
    String email = raw.get("email");
    if (email == null || email.isBlank()) throw new InvalidLeadException("email is required");
    email = email.trim().toLowerCase(Locale.ROOT);
    if (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
      throw new InvalidLeadException("email '" + shorten(email) + "' is not a valid address");
    }
    Map<String, String> fields = new TreeMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String name = e.getKey();
      if (name.equals("email") || name.equals(honeypot)) continue;
      if (!FIELD_NAME.matcher(name).matches()) {
        throw new InvalidLeadException("field name '" + shorten(name) + "' must start with a letter and use letters, digits, '_', '-' or '.' (at most 100)");
      }
      if (source.strict() && !source.fields().contains(name)) {
        throw new InvalidLeadException("unknown field '" + name + "' (source " + source.name() + " accepts "
            + String.join(", ", new java.util.TreeSet<>(source.fields())) + ")");
      }
      String value = e.getValue() == null ? "" : e.getValue().trim();
      if (value.length() > MAX_VALUE) throw new InvalidLeadException("field '" + name + "' is longer than " + MAX_VALUE + " characters");
      if (!value.isEmpty()) fields.put(name, value); // an empty value never overwrites a stored one
    }
    return new Submission(source.name(), email, emailKey(email, source), fields, source.destination());
  }

  /** The dedupe key: the lower-cased, trimmed email with the source's extra rules applied. */
  static String emailKey(String email, LeadSource source) {
    int at = email.lastIndexOf('@');
    String local = email.substring(0, at);
    String domain = email.substring(at + 1);
    if (source.emailRules().contains(LeadSource.EmailRule.STRIP_PLUS_TAG)) {
      int plus = local.indexOf('+');
      if (plus > 0) local = local.substring(0, plus);
    }
    if (source.emailRules().contains(LeadSource.EmailRule.GMAIL_DOTS) && (domain.equals("gmail.com") || domain.equals("googlemail.com"))) {
      local = local.replace(".", "");
      domain = "gmail.com";
    }
    return local + "@" + domain;
  }

  private static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
