package dev.sluice.pipelines;

import java.util.Objects;

/**
 * One configured pipeline: the mirror records of one source connection and object type, pushed
 * through {@link #mapping()} to one destination connection and object.
 *
 * @param name the pipeline's name from {@code sluice.yaml}
 * @param sourceConnection the connection whose mirror rows are read, e.g. {@code hubspot-main}
 * @param sourceObject the mirror object type, e.g. {@code contacts}
 * @param destinationConnection where records are written, e.g. {@code salesforce-main}
 * @param destinationObject the destination's object, e.g. {@code Contact}
 * @param matchField the mapped destination field the destination upserts on and whose normalized
 *     value (trimmed, lower case) is the identity key, e.g. {@code Email}
 * @param mapping the compiled mapping
 * @param batchSize records per batch; 0 = the destination's largest batch
 * @param cron optional cron expression for scheduled runs
 * @param propagateDeletes true: a source record deleted (archived) since its push deletes the
 *     destination record it was pushed to; false: it is skipped and the destination record stays
 * @param unsubscribes what an unsubscribed source record (a Mailchimp member) does to its destination
 *     record: nothing special ({@link Unsubscribes#IGNORE}), a delete, or fields set
 */
public record Pipeline(String name, String sourceConnection, String sourceObject, String destinationConnection,
    String destinationObject, String matchField, Mapping mapping, int batchSize, String cron, boolean propagateDeletes,
    Unsubscribes unsubscribes) {

  /** A pipeline that does not propagate deletes. */
  public Pipeline(String name, String sourceConnection, String sourceObject, String destinationConnection,
      String destinationObject, String matchField, Mapping mapping, int batchSize, String cron) {
    this(name, sourceConnection, sourceObject, destinationConnection, destinationObject, matchField, mapping, batchSize, cron, false);
  }

  /** A pipeline whose unsubscribes are ordinary changes. */
  public Pipeline(String name, String sourceConnection, String sourceObject, String destinationConnection,
      String destinationObject, String matchField, Mapping mapping, int batchSize, String cron, boolean propagateDeletes) {
    this(name, sourceConnection, sourceObject, destinationConnection, destinationObject, matchField, mapping, batchSize, cron,
        propagateDeletes, Unsubscribes.IGNORE);
  }

  public Pipeline {
    if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("pipeline name '" + name + "' may only contain letters, digits, '-', '_' and '.'");
    }
    Objects.requireNonNull(sourceConnection, "source connection");
    Objects.requireNonNull(sourceObject, "source object");
    Objects.requireNonNull(destinationConnection, "destination connection");
    Objects.requireNonNull(destinationObject, "destination object");
    Objects.requireNonNull(mapping, "mapping");
    if (matchField == null || !mapping.destinationFields().contains(matchField)) {
      throw new IllegalArgumentException("pipeline '" + name + "': match field '" + matchField
          + "' must be one of the mapping's fields " + mapping.destinationFields());
    }
    unsubscribes = unsubscribes == null ? Unsubscribes.IGNORE : unsubscribes;
    if (unsubscribes.set().containsKey(matchField)) {
      throw new IllegalArgumentException("pipeline '" + name + "': an unsubscribe must not set the match field '" + matchField + "'");
    }
    if (batchSize < 0) {
      throw new IllegalArgumentException("pipeline '" + name + "': batch size must not be negative");
    }
  }

  /** The identity key of a mapped match value: trimmed and lower case (emails compare so). */
  static String normalizeKey(String value) {
    return value == null ? null : value.strip().toLowerCase(java.util.Locale.ROOT);
  }
}
