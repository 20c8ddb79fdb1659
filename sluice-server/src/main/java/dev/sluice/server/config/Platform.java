package dev.sluice.server.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The platforms a connection can name, with their vendor base URL and object types (Mailchimp's
 * base URL comes from its API key's data-center suffix when the connection gives none). HubSpot is
 * synced; Salesforce and Mailchimp connections receive webhooks (Outbound Messages, list webhooks)
 * into the event store and, for Salesforce, the mirror.
 */
public enum Platform {
  HUBSPOT("https://api.hubapi.com", List.of("contacts", "companies", "deals", "tickets")),
  SALESFORCE("https://login.salesforce.com", List.of("Contact", "Lead", "Account", "Opportunity")),
  MAILCHIMP("https://us1.api.mailchimp.com/3.0", List.of("members")),
  /** A destination only: its objects are the calls written. */
  SEGMENT("https://api.segment.io/v1", List.of("identify", "track")),
  /** Rows appended by the {@code sheets.append} action; nothing is synced. */
  GOOGLE_SHEETS("https://sheets.googleapis.com", List.of());

  private final URI defaultBaseUrl;
  private final List<String> objects;

  Platform(String defaultBaseUrl, List<String> objects) {
    this.defaultBaseUrl = URI.create(defaultBaseUrl);
    this.objects = objects;
  }

  /** The vendor's production API, used when a connection gives no {@code base_url}. */
  public URI defaultBaseUrl() {
    return defaultBaseUrl;
  }

  /** Object types a sync can read, in the order a full sync reads them. */
  public List<String> objects() {
    return objects;
  }

  /** The lowercase name used in {@code sluice.yaml}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The platform called {@code name} in config (case-insensitive). */
  public static Optional<Platform> named(String name) {
    for (Platform p : values()) {
      if (p.configName().equalsIgnoreCase(name)) return Optional.of(p);
    }
    return Optional.empty();
  }

  static String names() {
    StringBuilder sb = new StringBuilder();
    for (Platform p : values()) {
      if (!sb.isEmpty()) sb.append(", ");
      sb.append(p.configName());
    }
    return sb.toString();
  }
}
