package dev.sluice.sandbox.hubspot;

/**
 * A HubSpot-defined default association between two object types, one direction, with its v4
 * type id and v3 label (e.g. contact→company is 279, {@code contact_to_company}).
 */
record AssociationKind(HubSpotObjectType from, HubSpotObjectType to, int typeId) {

  private static final AssociationKind[] ALL = {
      new AssociationKind(HubSpotObjectType.CONTACTS, HubSpotObjectType.COMPANIES, 279),
      new AssociationKind(HubSpotObjectType.COMPANIES, HubSpotObjectType.CONTACTS, 280),
      new AssociationKind(HubSpotObjectType.DEALS, HubSpotObjectType.CONTACTS, 3),
      new AssociationKind(HubSpotObjectType.CONTACTS, HubSpotObjectType.DEALS, 4),
      new AssociationKind(HubSpotObjectType.DEALS, HubSpotObjectType.COMPANIES, 341),
      new AssociationKind(HubSpotObjectType.COMPANIES, HubSpotObjectType.DEALS, 342),
      new AssociationKind(HubSpotObjectType.CONTACTS, HubSpotObjectType.TICKETS, 15),
      new AssociationKind(HubSpotObjectType.TICKETS, HubSpotObjectType.CONTACTS, 16),
      new AssociationKind(HubSpotObjectType.TICKETS, HubSpotObjectType.COMPANIES, 339),
      new AssociationKind(HubSpotObjectType.COMPANIES, HubSpotObjectType.TICKETS, 340),
      new AssociationKind(HubSpotObjectType.DEALS, HubSpotObjectType.TICKETS, 27),
      new AssociationKind(HubSpotObjectType.TICKETS, HubSpotObjectType.DEALS, 28),
      new AssociationKind(HubSpotObjectType.TASKS, HubSpotObjectType.CONTACTS, 204),
      new AssociationKind(HubSpotObjectType.CONTACTS, HubSpotObjectType.TASKS, 203),
      new AssociationKind(HubSpotObjectType.TASKS, HubSpotObjectType.COMPANIES, 192),
      new AssociationKind(HubSpotObjectType.COMPANIES, HubSpotObjectType.TASKS, 191),
      new AssociationKind(HubSpotObjectType.TASKS, HubSpotObjectType.DEALS, 216),
      new AssociationKind(HubSpotObjectType.DEALS, HubSpotObjectType.TASKS, 215),
      new AssociationKind(HubSpotObjectType.NOTES, HubSpotObjectType.CONTACTS, 202),
      new AssociationKind(HubSpotObjectType.CONTACTS, HubSpotObjectType.NOTES, 201),
      new AssociationKind(HubSpotObjectType.NOTES, HubSpotObjectType.COMPANIES, 190),
      new AssociationKind(HubSpotObjectType.COMPANIES, HubSpotObjectType.NOTES, 189),
      new AssociationKind(HubSpotObjectType.NOTES, HubSpotObjectType.DEALS, 214),
      new AssociationKind(HubSpotObjectType.DEALS, HubSpotObjectType.NOTES, 213),
  };

  /** The default association from one type to another, or {@code null} if HubSpot has none here. */
  static AssociationKind between(HubSpotObjectType from, HubSpotObjectType to) {
    for (AssociationKind k : ALL) if (k.from == from && k.to == to) return k;
    return null;
  }

  /** Primary-association type ids, accepted on writes as the plain default ones. */
  private static final int[][] PRIMARY_ALIASES = {
      {1, 279}, {2, 280}, {5, 341}, {6, 342}, {26, 339}, {25, 340}};

  /** The association a type id names when creating from {@code from}, or {@code null}. */
  static AssociationKind byTypeId(HubSpotObjectType from, int typeId) {
    for (int[] alias : PRIMARY_ALIASES) if (alias[0] == typeId) typeId = alias[1];
    for (AssociationKind k : ALL) if (k.from == from && k.typeId == typeId) return k;
    return null;
  }

  /**
   * The HubSpot-defined type id of the <em>primary</em> association in this direction (contact,
   * deal or ticket to its primary company: 1, 5, 26), or 0 when there is none. HubSpot labels it
   * "Primary" in v4 reads, next to the unlabeled default type.
   */
  int primaryTypeId() {
    if (to != HubSpotObjectType.COMPANIES) return 0;
    return switch (from) {
      case CONTACTS -> 1;
      case DEALS -> 5;
      case TICKETS -> 26;
      default -> 0;
    };
  }

  AssociationKind reverse() {
    return between(to, from);
  }

  /** The v3 label, e.g. {@code contact_to_company}. */
  String label() {
    return from.singular() + "_to_" + to.singular();
  }
}
