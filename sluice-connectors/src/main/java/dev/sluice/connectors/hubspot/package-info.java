/**
 * HubSpot CRM: list paging, v4 association batch reads, search-based incremental reads that never
 * reach the 10,000-result cap, archived records, batch upsert, tasks and default associations.
 * {@link dev.sluice.connectors.hubspot.HubSpotConnector} is the only public type.
 */
package dev.sluice.connectors.hubspot;
