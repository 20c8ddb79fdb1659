package dev.sluice.inbound;

import java.util.Locale;

/** WebhookSender names the kinds of sender Sluice receives from; {@link #wireName()} is the stored {@code source}. */
public enum WebhookSender {
  HUBSPOT, SALESFORCE, MAILCHIMP, STANDARD;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** e.g. {@code "hubspot"}. */
  public String wireName() {
    return wireName;
  }
}
