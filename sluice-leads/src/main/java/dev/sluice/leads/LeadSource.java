package dev.sluice.leads;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One place leads come from (a web form, a landing-page tool) and what is allowed of it: its intake
 * key, the connection its leads drain into, field rules, the honeypot, the per-IP limit, CORS
 * origins and the thank-you page. Immutable; the key is kept only as a SHA-256 digest and never
 * printed.
 */
public final class LeadSource {
  /** Sources are named like connections: letters, digits, '-', '_' and '.'. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  /** Honeypot field name unless configured: a hidden input humans leave empty. */
  public static final String DEFAULT_HONEYPOT = "_hp";
  /** Submissions per minute per client IP unless configured. */
  public static final int DEFAULT_PER_IP_PER_MINUTE = 60;

  /** Extra email normalization on top of trimming and lower-casing. */
  public enum EmailRule {
    /** {@code ann+news@x.com} is {@code ann@x.com}. */
    STRIP_PLUS_TAG,
    /** Dots in a gmail.com / googlemail.com local part do not count. */
    GMAIL_DOTS
  }

  /** How a submission is committed. */
  public enum CommitMode {
    /** Concurrent submissions share a transaction (the default). */
    GROUP,
    /** One INSERT transaction per submission: the benchmark's baseline, slower under load. */
    PER_REQUEST
  }

  private final String name;
  private final byte[] keyDigest;
  private final String destination;
  private final boolean strict;
  private final Set<String> fields;
  private final String honeypot;
  private final Map<String, String> mapping;
  private final List<String> origins;
  private final URI thankYouUrl;
  private final int perIpPerMinute;
  private final Set<EmailRule> emailRules;
  private final CommitMode commitMode;

  private LeadSource(Builder b) {
    this.name = b.name;
    this.keyDigest = digest(b.key);
    this.destination = b.destination;
    this.strict = b.strict;
    this.fields = Set.copyOf(b.fields);
    this.honeypot = b.honeypot;
    this.mapping = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.mapping));
    this.origins = List.copyOf(b.origins);
    this.thankYouUrl = b.thankYouUrl;
    this.perIpPerMinute = b.perIpPerMinute;
    this.emailRules = b.emailRules.isEmpty() ? Set.of() : Set.copyOf(b.emailRules);
    this.commitMode = b.commitMode;
  }

  /** A source called {@code name} whose submissions must carry {@code key}. */
  public static Builder builder(String name, String key) {
    return new Builder(name, key);
  }

  public String name() {
    return name;
  }

  /** True when {@code candidate} is this source's intake key (constant-time comparison). */
  public boolean keyMatches(String candidate) {
    return candidate != null && digestMatches(digest(candidate));
  }

  /** True when {@code candidateDigest} (a key's {@link #digest}) is this source's, compared in constant time. */
  boolean digestMatches(byte[] candidateDigest) {
    return MessageDigest.isEqual(keyDigest, candidateDigest);
  }

  /** The connection leads drain into, or null when they are only stored. */
  public String destination() {
    return destination;
  }

  /** True when fields outside {@link #fields()} are refused. */
  public boolean strict() {
    return strict;
  }

  /** The fields a strict source accepts (besides email); empty = any. */
  public Set<String> fields() {
    return fields;
  }

  /** The honeypot field: a submission with it filled in is refused and not stored. */
  public String honeypot() {
    return honeypot;
  }

  /** Lead field → CRM property; fields not named keep their name, a blank target drops the field. */
  public Map<String, String> mapping() {
    return mapping;
  }

  /** Browser origins allowed to post (CORS), e.g. {@code https://www.example.com}; {@code *} for any. */
  public List<String> origins() {
    return origins;
  }

  /** Where a form post that asks for it is redirected (303) after the commit; null = none. */
  public URI thankYouUrl() {
    return thankYouUrl;
  }

  /** Submissions allowed per minute from one client IP (0 = no limit). */
  public int perIpPerMinute() {
    return perIpPerMinute;
  }

  public Set<EmailRule> emailRules() {
    return emailRules;
  }

  public CommitMode commitMode() {
    return commitMode;
  }

  /** True when a browser at {@code origin} may post to this source. */
  public boolean allowsOrigin(String origin) {
    return origin != null && (origins.contains("*") || origins.contains(origin));
  }

  @Override
  public String toString() {
    return "LeadSource[" + name + " → " + (destination == null ? "stored only" : destination) + "]";
  }

  static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Builds a {@link LeadSource}. */
  public static final class Builder {
    private final String name;
    private final String key;
    private String destination;
    private boolean strict;
    private Set<String> fields = Set.of();
    private String honeypot = DEFAULT_HONEYPOT;
    private Map<String, String> mapping = Map.of();
    private List<String> origins = List.of();
    private URI thankYouUrl;
    private int perIpPerMinute = DEFAULT_PER_IP_PER_MINUTE;
    private Set<EmailRule> emailRules = EnumSet.noneOf(EmailRule.class);
    private CommitMode commitMode = CommitMode.GROUP;

    private Builder(String name, String key) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("a lead source name uses letters, digits, '-', '_' and '.' (at most 63 characters): '" + name + "'");
      }
      if (key == null || key.length() < 16) throw new IllegalArgumentException("lead source '" + name + "': the intake key must be at least 16 characters");
      this.name = name;
      this.key = key;
    }

    public Builder destination(String connection) {
      this.destination = connection;
      return this;
    }

    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    public Builder fields(Set<String> fields) {
      this.fields = Objects.requireNonNull(fields);
      return this;
    }

    public Builder honeypot(String field) {
      this.honeypot = field;
      return this;
    }

    public Builder mapping(Map<String, String> mapping) {
      this.mapping = Objects.requireNonNull(mapping);
      return this;
    }

    public Builder origins(List<String> origins) {
      this.origins = Objects.requireNonNull(origins);
      return this;
    }

    public Builder thankYouUrl(URI url) {
      this.thankYouUrl = url;
      return this;
    }

    public Builder perIpPerMinute(int n) {
      if (n < 0) throw new IllegalArgumentException("per-IP limit must be >= 0");
      this.perIpPerMinute = n;
      return this;
    }

    public Builder emailRules(Set<EmailRule> rules) {
      this.emailRules = EnumSet.noneOf(EmailRule.class);
      this.emailRules.addAll(rules);
      return this;
    }

    public Builder commitMode(CommitMode mode) {
      this.commitMode = Objects.requireNonNull(mode);
      return this;
    }

    public LeadSource build() {
      if (strict && fields.isEmpty()) throw new IllegalArgumentException("lead source '" + name + "' is strict but lists no fields");
      return new LeadSource(this);
    }
  }
}
