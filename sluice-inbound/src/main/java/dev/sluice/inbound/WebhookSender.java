package dev.sluice.inbound;

import java.util.Locale;

/** WebhookSender names the kinds of sender Sluice receives from; {@link #wireName()} is the stored {@code source}. */
public enum WebhookSender {
  HUBSPOT, SALESFORCE, MAILCHIMP, STANDARD;

  /** e.g. {@code "hubspot"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
