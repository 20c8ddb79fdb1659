package dev.sluice.inbound;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * WebhookSources says which connection accepts which sender's webhooks and with what secret: a
 * HubSpot app secret, a Salesforce organization id, a Mailchimp path secret, or the signing
 * secrets of a Standard Webhooks source. Also the public base URL HubSpot signs against when Sluice
 * sits behind a reverse proxy. Immutable; {@link #toString()} never shows a secret.
 */
public final class WebhookSources {
  /** One connection's (or Standard Webhooks source's) webhook settings. */
  record Source(WebhookSender sender, String name, String secret, List<String> secrets) {}

  private final Map<String, Source> byKey;
  private final URI publicBaseUrl;

  private WebhookSources(Map<String, Source> byKey, URI publicBaseUrl) {
    this.byKey = Map.copyOf(byKey);
    this.publicBaseUrl = publicBaseUrl;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The settings for {@code name} under {@code sender}, if configured. */
  Optional<Source> find(WebhookSender sender, String name) {
    return Optional.ofNullable(byKey.get(key(sender, name)));
  }

  /** The URL the senders call, e.g. {@code https://hooks.example.com}; empty = taken from the Host header. */
  Optional<URI> publicBaseUrl() {
    return Optional.ofNullable(publicBaseUrl);
  }

  /** Names configured for {@code sender}, for listings. */
  public List<String> names(WebhookSender sender) {
    return byKey.values().stream().filter(s -> s.sender() == sender).map(Source::name).sorted().toList();
  }

  /** Whether no sender is configured at all (then nothing is received). */
  public boolean isEmpty() {
    return byKey.isEmpty();
  }

  private static String key(WebhookSender sender, String name) {
    return sender.wireName() + "/" + name;
  }

  @Override
  public String toString() {
    return "WebhookSources" + byKey.keySet();
  }

  /** Builds {@link WebhookSources}; not thread-safe. */
  public static final class Builder {
    private final Map<String, Source> byKey = new LinkedHashMap<>();
    private URI publicBaseUrl;

    private Builder() {}

    /** HubSpot webhooks for {@code connection}, signed (v3) with the app's client secret. */
    public Builder hubspot(String connection, String appSecret) {
      return put(new Source(WebhookSender.HUBSPOT, connection, nonBlank(appSecret, "app secret"), List.of()));
    }

    /** Salesforce Outbound Messages for {@code connection}, from the organization {@code organizationId} (15 or 18 characters). */
    public Builder salesforce(String connection, String organizationId) {
      return put(new Source(WebhookSender.SALESFORCE, connection, nonBlank(organizationId, "organization id"), List.of()));
    }

    /** Mailchimp webhooks for {@code connection} at {@code /hooks/mailchimp/<connection>/<pathSecret>}. */
    public Builder mailchimp(String connection, String pathSecret) {
      return put(new Source(WebhookSender.MAILCHIMP, connection, nonBlank(pathSecret, "path secret"), List.of()));
    }

    /**
     * A Standard Webhooks source, with one or more signing secrets ({@code whsec_…}, base64; more
     * than one while a secret is rotated).
     */
    public Builder standard(String source, List<String> secrets) {
      if (secrets.isEmpty()) throw new IllegalArgumentException("standard webhooks source '" + source + "' needs a secret");
      List<String> checked = secrets.stream().map(s -> nonBlank(s, "secret")).toList();
      for (String s : checked) StandardWebhookVerifier.key(s); // fails early on a secret that is not base64
      return put(new Source(WebhookSender.STANDARD, source, checked.get(0), checked));
    }

    /** The public URL in front of Sluice (scheme, host, optional port and path prefix). */
    public Builder publicBaseUrl(URI url) {
      this.publicBaseUrl = url;
      return this;
    }

    private Builder put(Source s) {
      Objects.requireNonNull(s.name(), "name");
      byKey.put(key(s.sender(), s.name()), s);
      return this;
    }

    private static String nonBlank(String v, String what) {
      if (v == null || v.isBlank()) throw new IllegalArgumentException("webhook " + what + " must not be blank");
      return v;
    }

    public WebhookSources build() {
      return new WebhookSources(byKey, publicBaseUrl);
    }
  }
}
