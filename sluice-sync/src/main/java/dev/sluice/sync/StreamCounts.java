package dev.sluice.sync;

/**
 * Record counters of one stream (or of a whole run, summed).
 *
 * @param fetched records read from the source
 * @param created rows inserted into the mirror
 * @param updated rows whose content hash changed
 * @param unchanged rows read again with the same content (nothing written)
 * @param archived records the source reports as archived (included in the three counts above too)
 * @param failed records that could not be stored (e.g. no external id)
 */
public record StreamCounts(long fetched, long created, long updated, long unchanged, long archived, long failed) {

  public static final StreamCounts ZERO = new StreamCounts(0, 0, 0, 0, 0, 0);

  public StreamCounts plus(StreamCounts o) {
    return new StreamCounts(fetched + o.fetched, created + o.created, updated + o.updated,
        unchanged + o.unchanged, archived + o.archived, failed + o.failed);
  }
}
