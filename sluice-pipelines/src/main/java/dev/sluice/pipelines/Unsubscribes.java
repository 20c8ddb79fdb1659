package dev.sluice.pipelines;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a pipeline does when a source record unsubscribes: a Mailchimp member whose {@code status}
 * became {@code unsubscribed} (it stays in the audience; a member deleted from it is archived, which
 * the pipeline's deletes rule covers).
 *
 * @param delete true: the destination record this pipeline last pushed the member to is deleted, and
 *     a member unsubscribed before any push of it is not sent
 * @param set destination field → value written while the member is unsubscribed, on top of the
 *     mapping (e.g. HubSpot {@code hs_lead_status: UNQUALIFIED}); empty: none
 */
public record Unsubscribes(boolean delete, Map<String, String> set) {
  /** Unsubscribes are ordinary changes: the mapping alone decides what is sent. */
  public static final Unsubscribes IGNORE = new Unsubscribes(false, Map.of());
  /** The source property whose value {@link #UNSUBSCRIBED} means unsubscribed (a Mailchimp member's status). */
  public static final String STATUS = "status";
  public static final String UNSUBSCRIBED = "unsubscribed";

  public Unsubscribes {
    set = Collections.unmodifiableMap(new LinkedHashMap<>(set == null ? Map.of() : set));
    if (delete && !set.isEmpty()) {
      throw new IllegalArgumentException("an unsubscribe either deletes the destination record or sets fields on it, not both");
    }
  }

  /** An unsubscribe deletes the destination record. */
  public static Unsubscribes deleting() {
    return new Unsubscribes(true, Map.of());
  }

  /** An unsubscribe writes these destination fields. */
  public static Unsubscribes setting(Map<String, String> fields) {
    if (fields == null || fields.isEmpty()) {
      throw new IllegalArgumentException("an unsubscribe that sets fields names at least one");
    }
    return new Unsubscribes(false, fields);
  }

  /** Whether this rule does anything. */
  public boolean ignored() {
    return !delete && set.isEmpty();
  }

  /** Whether the rule applies to this live source record now. */
  boolean appliesTo(SourceRow row) {
    return !ignored() && !row.archived() && UNSUBSCRIBED.equals(row.properties().get(STATUS));
  }
}
