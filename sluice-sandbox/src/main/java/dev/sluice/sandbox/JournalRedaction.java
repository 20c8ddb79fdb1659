package dev.sluice.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the request journal never keeps: credentials. Authorization-like headers keep their scheme
 * ({@code Bearer ****}) so a test can still see how a client authenticated; API-key headers, query
 * parameters and form fields lose their value. The journal is served at {@code /_admin/journal} and
 * often pasted into bug reports.
 */
final class JournalRedaction {
  static final String MASK = "****";
  private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(api[-_]?key|token|secret|password|signature|session).*|key|hapikey");

  private JournalRedaction() {}

  static List<String> header(String lowerName, List<String> values) {
    if (lowerName.equals("authorization") || lowerName.equals("proxy-authorization")) {
      List<String> out = new ArrayList<>(values.size());
      for (String v : values) {
        int space = v.indexOf(' ');
        out.add(space > 0 ? v.substring(0, space) + " " + MASK : MASK);
      }
      return List.copyOf(out);
    }
    if (lowerName.equals("cookie") || SECRET_NAME.matcher(lowerName).matches()) {
      return values.stream().map(v -> MASK).toList();
    }
    return values;
  }

  /** {@code a=1&hapikey=x} becomes {@code a=1&hapikey=****}; also for form bodies. */
  static String pairs(String text) {
    if (text == null || text.isEmpty() || !text.contains("=")) return text;
    StringBuilder out = new StringBuilder(text.length());
    for (String pair : text.split("&", -1)) {
      if (out.length() > 0) out.append('&');
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String decoded = java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
      out.append(eq >= 0 && SECRET_NAME.matcher(decoded).matches() ? name + "=" + MASK : pair);
    }
    return out.toString();
  }
}
