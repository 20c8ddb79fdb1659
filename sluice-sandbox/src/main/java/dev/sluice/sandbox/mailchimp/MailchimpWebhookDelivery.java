package dev.sluice.sandbox.mailchimp;

import java.net.URI;

/**
 * A webhook POST the receiver accepted (answered 2xx).
 *
 * @param webhookId the webhook
 * @param url where it went
 * @param type subscribe, unsubscribe, profile, upemail or cleaned
 * @param body the {@code application/x-www-form-urlencoded} body as sent
 * @param attempts how many POSTs it took
 */
public record MailchimpWebhookDelivery(String webhookId, URI url, String type, String body, int attempts) {}
