package dev.sluice.pipelines;

import dev.sluice.connectors.ObjectSchema;
import dev.sluice.connectors.ObjectSchema.Field;
import dev.sluice.connectors.ObjectSchema.FieldType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in drafter, offline: pairs each writable destination field with the source field that
 * resembles it most, by API names and labels (split into words, with common synonyms: given name ↔
 * first name, job title ↔ title, company ↔ account…), types (a number field only from numbers or
 * number-like samples, a date from dates), sample values (an e-mail field from values that are
 * e-mail addresses) and the words of the description (fields it names weigh more; a clause naming a
 * destination field and a quoted value makes that value the field's default). Each source field
 * feeds one destination field. Deterministic; thread-safe.
 */
public final class OfflineDrafter implements MappingDrafter {
  /** The least resemblance a pair needs to be proposed. */
  static final double THRESHOLD = 0.5;
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
  private static final Pattern QUOTED = Pattern.compile("[\"'“‘]([^\"'”’]{1,80})[\"'”’]");
  /** Words (and whole normalized names) that mean the same, each to its canonical word. */
  private static final Map<String, String> SYNONYMS = synonyms(
      "first: given fname forename firstname",
      "last: surname family lname lastname",
      "email: mail emailaddress e-mail",
      "phone: telephone tel phonenumber",
      "mobile: cell mobilephone cellphone",
      "company: account organization organisation employer companyname",
      "title: jobtitle position role",
      "zip: postal postcode zipcode postalcode",
      "state: region province",
      "city: town",
      "website: url web domain homepage",
      "street: address",
      "optout: unsubscribed optedout");
  private static final Set<String> NOISE = Set.of("hs", "c", "the", "of", "a", "an", "to", "and", "or", "is", "from", "into",
      "copy", "map", "with", "when", "its", "their", "s", "each", "every", "field", "fields", "record", "records", "set", "as");

  @Override
  public String name() {
    return "offline drafter (names, labels, types, sample values and the description's words)";
  }

  @Override
  public String draft(DraftRequest request) {
    Draft d = propose(request);
    StringBuilder y = new StringBuilder();
    y.append("# Drafted by `sluice mapping draft` (offline) for ").append(request.sourceName()).append(" → ")
        .append(request.destinationName()).append('\n');
    if (!request.description().isEmpty()) {
      y.append("# from: ").append(request.description().replace('\n', ' ')).append('\n');
    }
    y.append("# Review every line before use: a draft is never applied as it is.\n");
    for (String n : d.notes) y.append("# ").append(n).append('\n');
    y.append("fields:\n");
    for (Line l : d.lines) {
      y.append("  ").append(l.field).append(": ").append(l.spec).append("   # ").append(l.why).append('\n');
    }
    return y.toString();
  }

  record Line(String field, String spec, String why) {}

  record Draft(List<Line> lines, List<String> notes) {}

  private record Pair(Field source, Field destination, double score, String why) {}

  Draft propose(DraftRequest r) {
    Vocabulary vocab = new Vocabulary(r);
    List<String> clauses = clauses(r.description());
    Set<String> described = vocab.words(r.description());
    List<Pair> pairs = new ArrayList<>();
    for (Field d : r.destination().fields()) {
      if (!d.writable() || d.type() == FieldType.ID) continue;
      for (Field s : r.source().fields()) {
        Pair p = score(vocab, described, r, s, d);
        if (p != null && p.score() >= THRESHOLD) pairs.add(p);
      }
    }
    pairs.sort(Comparator.comparingDouble(Pair::score).reversed().thenComparing(p -> p.destination().name())
        .thenComparing(p -> p.source().name()));
    Map<String, Pair> chosen = new LinkedHashMap<>();
    Set<String> used = new HashSet<>();
    for (Pair p : pairs) {
      if (chosen.containsKey(p.destination().name()) || used.contains(p.source().name())) continue;
      chosen.put(p.destination().name(), p);
      used.add(p.source().name());
    }
    List<Line> lines = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Set<String> keyed = new HashSet<>();
    for (Field d : r.destination().fields()) {
      Pair p = chosen.get(d.name());
      String constant = constantFor(vocab, clauses, r, d);
      if (p == null && constant == null) {
        if (d.required() && d.writable()) {
          notes.add(d.name() + " (" + d.label() + ") is required by " + r.destinationName() + " and no source field resembles it: add it");
        }
        continue;
      }
      if (p == null) {
        lines.add(new Line(d.name(), quoteExpression("\"" + constant.replace("\"", "\\\"") + "\""), "the description gives this value"));
        continue;
      }
      Map<String, String> spec = new LinkedHashMap<>();
      spec.put("from", "source." + p.source().name());
      String type = typeOf(r, p.source(), d);
      if (type != null) spec.put("type", type);
      if ("email".equals(type) && d.unique() && keyed.isEmpty()) {
        spec.put("required", "true");
        keyed.add(d.name());
      } else if (d.required()) {
        spec.put("required", "true");
      }
      String why = p.why();
      if (constant != null) {
        spec.put("default", yamlString(constant));
        why += "; the description gives " + constant + " when it is empty";
      }
      lines.add(new Line(d.name(), spec.size() == 1 ? spec.get("from") : flow(spec), why));
    }
    if (lines.isEmpty()) {
      notes.add("no destination field resembles a source field; write the mapping by hand");
    }
    return new Draft(lines, notes);
  }

  private Pair score(Vocabulary v, Set<String> described, DraftRequest r, Field s, Field d) {
    String sn = v.canonicalName(s.name());
    String dn = v.canonicalName(d.name());
    double score;
    String why;
    if (sn.equals(dn)) {
      score = 1.0;
      why = "same name";
    } else if (v.canonicalName(s.label()).equals(v.canonicalName(d.label()))) {
      score = 0.95;
      why = "same label (" + d.label() + ")";
    } else {
      Set<String> a = v.words(s.name() + " " + s.label());
      Set<String> b = v.words(d.name() + " " + d.label());
      Set<String> both = new HashSet<>(a);
      both.retainAll(b);
      Set<String> any = new HashSet<>(a);
      any.addAll(b);
      score = any.isEmpty() ? 0 : 0.85 * both.size() / any.size();
      why = "similar words " + both;
    }
    if (score <= 0) return null;
    List<String> values = values(r, s.name());
    if (!typesFit(s, d, values)) return null;
    if (v.words(d.name() + " " + d.label()).contains("email") && !values.isEmpty()) {
      long emails = values.stream().filter(x -> EMAIL.matcher(x.strip()).matches()).count();
      if (emails * 5 >= values.size() * 4) {
        score += 0.2;
        why += "; " + emails + "/" + values.size() + " samples are e-mail addresses";
      } else {
        score -= 0.3;
        why += "; samples are not e-mail addresses";
      }
    }
    if (!r.samples().isEmpty() && values.isEmpty()) {
      score -= 0.05; // empty in every sample: weaker evidence
    }
    if (!described.isEmpty()) {
      Set<String> dw = v.words(d.name() + " " + d.label());
      Set<String> sw = v.words(s.name() + " " + s.label());
      if (described.containsAll(dw) || described.containsAll(sw)) {
        score += 0.15;
        why += "; named in the description";
      }
    }
    return new Pair(s, d, score, why);
  }

  /** A number field only from numbers (or number-like samples), a date only from dates, a boolean from booleans or picklists. */
  private static boolean typesFit(Field s, Field d, List<String> values) {
    return switch (d.type()) {
      case NUMBER -> s.type() == FieldType.NUMBER
          || (!values.isEmpty() && values.stream().allMatch(x -> NUMBER.matcher(x.strip()).matches()));
      case BOOLEAN -> s.type() == FieldType.BOOLEAN || s.type() == FieldType.ENUMERATION;
      case DATE, DATETIME -> s.type() == FieldType.DATE || s.type() == FieldType.DATETIME;
      case ID -> false;
      default -> s.type() != FieldType.ID || d.unique();
    };
  }

  private String typeOf(DraftRequest r, Field s, Field d) {
    return switch (d.type()) {
      case NUMBER -> "number";
      case BOOLEAN -> "boolean";
      case DATETIME -> "datetime";
      default -> {
        List<String> values = values(r, s.name());
        boolean emails = !values.isEmpty() && values.stream().allMatch(x -> EMAIL.matcher(x.strip()).matches());
        yield emails || "email".equals(new Vocabulary(r).canonicalName(s.name())) ? "email" : null;
      }
    };
  }

  /** A quoted value in a clause that names {@code d} (by its name's or label's words). */
  private static String constantFor(Vocabulary v, List<String> clauses, DraftRequest r, Field d) {
    if (!d.writable()) return null;
    Set<String> dw = v.words(d.name() + " " + d.label());
    Set<String> lw = v.words(d.label());
    for (String c : clauses) {
      Matcher m = QUOTED.matcher(c);
      if (!m.find()) continue;
      Set<String> cw = v.words(QUOTED.matcher(c).replaceAll(" "));
      if (!dw.isEmpty() && (cw.containsAll(v.words(d.name())) || (!lw.isEmpty() && cw.containsAll(lw)))) {
        return m.group(1).strip();
      }
    }
    return null;
  }

  private static List<String> clauses(String description) {
    List<String> out = new ArrayList<>();
    for (String c : description.split("[;\\n]|\\.(\\s|$)|,\\s*(?=[^,]*[\"'“‘])")) {
      if (!c.isBlank()) out.add(c.strip());
    }
    return out;
  }

  /** The non-empty sample values of one source property. */
  private static List<String> values(DraftRequest r, String property) {
    List<String> out = new ArrayList<>();
    for (MirrorSample.MirrorRecord rec : r.samples()) {
      String v = rec.properties().get(property);
      if (v != null && !v.isBlank()) out.add(v);
    }
    return out;
  }

  private static String flow(Map<String, String> spec) {
    StringBuilder b = new StringBuilder("{");
    spec.forEach((k, val) -> b.append(b.length() > 1 ? ", " : "").append(k).append(": ").append(val));
    return b.append('}').toString();
  }

  private static String yamlString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String quoteExpression(String expression) {
    return "'" + expression.replace("'", "''") + "'";
  }

  private static Map<String, String> synonyms(String... groups) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String g : groups) {
      String canonical = g.substring(0, g.indexOf(':'));
      out.put(canonical, canonical);
      for (String w : g.substring(g.indexOf(':') + 1).trim().split("\\s+")) out.put(w.replace("-", ""), canonical);
    }
    return out;
  }

  /** Words of names and labels: camelCase and snake_case split, run-together words segmented by the labels' words, synonyms folded. */
  static final class Vocabulary {
    private final Set<String> known = new LinkedHashSet<>();

    Vocabulary(DraftRequest r) {
      for (ObjectSchema s : List.of(r.source(), r.destination())) {
        for (Field f : s.fields()) {
          for (String w : f.label().toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) if (w.length() > 1) known.add(w);
        }
      }
      known.addAll(SYNONYMS.keySet());
    }

    /** The normalized name with synonyms folded: {@code jobtitle} and {@code Title} both give {@code title}. */
    String canonicalName(String name) {
      String n = name.replaceAll("__c$", "").replaceAll("^hs_", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
      if (SYNONYMS.containsKey(n)) return SYNONYMS.get(n);
      StringBuilder b = new StringBuilder();
      for (String w : words(name)) b.append(w);
      return b.toString();
    }

    Set<String> words(String text) {
      Set<String> out = new LinkedHashSet<>();
      String spaced = text.replaceAll("__c\\b", " ").replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
      for (String t : spaced.split("[^a-z0-9]+")) {
        if (t.isEmpty() || NOISE.contains(t)) continue;
        if (SYNONYMS.containsKey(t)) {
          out.add(SYNONYMS.get(t));
          continue;
        }
        for (String w : segment(t)) {
          if (!NOISE.contains(w)) out.add(SYNONYMS.getOrDefault(w, w.endsWith("s") && known.contains(w.substring(0, w.length() - 1))
              ? w.substring(0, w.length() - 1) : w));
        }
      }
      return out;
    }

    /** Splits a run-together word into known words (fewest pieces); the word itself when it cannot. */
    private List<String> segment(String t) {
      int n = t.length();
      int[] best = new int[n + 1];
      int[] from = new int[n + 1];
      java.util.Arrays.fill(best, Integer.MAX_VALUE);
      best[0] = 0;
      for (int i = 1; i <= n; i++) {
        for (int j = 0; j < i; j++) {
          if (best[j] != Integer.MAX_VALUE && best[j] + 1 < best[i] && known.contains(t.substring(j, i))) {
            best[i] = best[j] + 1;
            from[i] = j;
          }
        }
      }
      if (best[n] == Integer.MAX_VALUE || best[n] == 1) return List.of(t);
      List<String> out = new ArrayList<>();
      for (int i = n; i > 0; i = from[i]) out.add(0, t.substring(from[i], i));
      return out;
    }
  }
}
