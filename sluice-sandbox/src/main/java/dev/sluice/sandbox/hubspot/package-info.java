/**
 * The sandbox HubSpot portal: CRM v3 objects (contacts, companies, deals, tickets, tasks), v4
 * associations, private-app auth and rate limits, search with index lag and the 10,000 cap,
 * webhooks with signature v3, and a deterministic data generator. Public API:
 * {@link dev.sluice.sandbox.hubspot.HubSpotSandbox} (admin methods),
 * {@link dev.sluice.sandbox.hubspot.HubSpotOptions}, {@link dev.sluice.sandbox.hubspot.HubSpotTier},
 * {@link dev.sluice.sandbox.hubspot.HubSpotObjectType}, {@link dev.sluice.sandbox.hubspot.HubSpotRecord},
 * {@link dev.sluice.sandbox.hubspot.HubSpotWebhooks} and
 * {@link dev.sluice.sandbox.hubspot.HubSpotDataGenerator}; the rest is package-private.
 */
package dev.sluice.sandbox.hubspot;
