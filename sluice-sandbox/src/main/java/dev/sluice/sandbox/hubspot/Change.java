package dev.sluice.sandbox.hubspot;

import java.util.List;

/** One change to portal data, the raw material of webhook events. */
record Change(
    Kind kind, HubSpotObjectType type, long objectId, String propertyName, String propertyValue,
    List<Long> mergedIds, String associationType, long fromId, long toId, boolean associationRemoved,
    String changeSource) {

  enum Kind {
    CREATION("creation"), DELETION("deletion"), PROPERTY_CHANGE("propertyChange"), MERGE("merge"),
    ASSOCIATION_CHANGE("associationChange");

    final String wire;

    Kind(String wire) {
      this.wire = wire;
    }
  }

  /** The subscription type this change is delivered under, e.g. {@code contact.propertyChange}. */
  String subscriptionType() {
    return type.singular() + "." + kind.wire;
  }

  static Change creation(HubSpotObjectType type, long id, String source) {
    return new Change(Kind.CREATION, type, id, null, null, List.of(), null, 0, 0, false, source);
  }

  static Change deletion(HubSpotObjectType type, long id, String source) {
    return new Change(Kind.DELETION, type, id, null, null, List.of(), null, 0, 0, false, source);
  }

  static Change propertyChange(HubSpotObjectType type, long id, String name, String value, String source) {
    return new Change(Kind.PROPERTY_CHANGE, type, id, name, value, List.of(), null, 0, 0, false, source);
  }

  static Change merge(HubSpotObjectType type, long primaryId, List<Long> mergedIds, String source) {
    return new Change(Kind.MERGE, type, primaryId, null, null, mergedIds, null, 0, 0, false, source);
  }

  static Change association(AssociationKind kind, long fromId, long toId, boolean removed, String source) {
    return new Change(Kind.ASSOCIATION_CHANGE, kind.from(), fromId, null, null, List.of(),
        kind.label().toUpperCase(java.util.Locale.ROOT), fromId, toId, removed, source);
  }
}
