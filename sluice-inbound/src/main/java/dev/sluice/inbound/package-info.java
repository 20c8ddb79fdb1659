/**
 * Inbound webhooks: HubSpot, Salesforce Outbound Messages, Mailchimp and Standard Webhooks senders
 * are verified, parsed, deduplicated by the provider's event id and stored durably (group commit)
 * before they are acknowledged; each new event gets an {@code inbound-event} job in the same
 * transaction, and HubSpot or Salesforce events keep the sync mirror fresh.
 *
 * <p>The public API: {@link dev.sluice.inbound.InboundEvents} (receive, list, show, replay, retention),
 * {@link dev.sluice.inbound.WebhookSources} (which connections accept which webhooks, with their
 * secrets), {@link dev.sluice.inbound.InboundRequest} / {@link dev.sluice.inbound.Receipt} /
 * {@link dev.sluice.inbound.WebhookRejected} (one HTTP exchange), and
 * {@link dev.sluice.inbound.StoredEvent} / {@link dev.sluice.inbound.EventFilter} (reading the store).
 * Everything else is package-private.
 */
package dev.sluice.inbound;
