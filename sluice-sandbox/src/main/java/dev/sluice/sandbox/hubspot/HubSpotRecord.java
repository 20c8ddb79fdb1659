package dev.sluice.sandbox.hubspot;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A copy of one sandbox record at the moment it was read (later changes do not show in it).
 *
 * @param type the object type
 * @param id the record id as HubSpot sends it (a decimal string)
 * @param properties every property with a value, computed ones ({@code hs_object_id},
 *     {@code createdate}, the last-modified property) included
 * @param associations associated record ids per object type
 */
public record HubSpotRecord(
    HubSpotObjectType type, String id, Map<String, String> properties, Instant createdAt, Instant updatedAt,
    boolean archived, Map<HubSpotObjectType, List<String>> associations) {

  /** A property's value, or {@code null}. */
  public String property(String name) {
    return properties.get(name);
  }

  /** The ids associated of one type (empty if none). */
  public List<String> associated(HubSpotObjectType type) {
    return associations.getOrDefault(type, List.of());
  }
}
