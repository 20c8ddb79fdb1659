package dev.sluice.connectors;

import java.util.List;

/**
 * Reads one platform's records page by page, from an opaque checkpoint: seed 001's <b>fetch
 * records</b> ({@link #fetchRecords}). Every source syncs into the mirror through this interface
 * (sluice-sync reads pages and upserts them into {@code sluice.record}).
 *
 * <p>Contract (checked by the contract test suite every connector must pass):
 *
 * <ul>
 *   <li>Starting with a null checkpoint and following {@link Page#nextCheckpoint()} until {@link
 *       Page#streamDone()} returns every record of the stream at least once; a full read returns
 *       every active record once and then every archived record once, marked archived.
 *   <li>Calling again with the same request returns the same page (when the source has not changed):
 *       a worker killed before committing a page repeats only that page.
 *   <li>Checkpoints are small JSON strings that survive a restart of the process and of the connector.
 *   <li>Each call makes a bounded number of HTTP requests and waits for the rate limiter at most a
 *       couple of seconds; a longer wait is thrown as {@link ConnectorException.Kind#RATE_LIMITED}
 *       so the caller can snooze instead of holding a worker.
 *   <li>An incremental read whose request names the run's start ({@link StreamRequest#runStartedAt()})
 *       holds, once {@link Page#streamDone()}, every change the source made before that instant:
 *       every record modified (or created) before it is returned in a version at least that recent.
 *       A connector whose change feed lags the writes (a search index) asks the caller to wait with
 *       {@link #waitBeforeReading} and reads again; it never makes the caller hold a thread for it.
 *       A change made after the run started is in this read or in the next one (which starts from
 *       this run's start, minus the connector's overlap).
 * </ul>
 *
 * <p>Implementations are thread-safe: several streams of one connection may be read at once, and
 * every process reading one connection shares its rate limits.
 */
public interface SourceConnector extends Connector {

  /** The streams this connection reads (the configured objects), e.g. contacts, companies. */
  List<String> objectTypes();

  /**
   * Reads the page that starts at {@code request.checkpoint()}.
   *
   * @throws ConnectorException classified failure; nothing has been consumed, so the same request
   *     can be repeated
   * @throws IllegalArgumentException for an object type this connector does not read or a checkpoint
   *     it did not write
   */
  Page fetchRecords(StreamRequest request) throws ConnectorException;

  /**
   * The former name of {@link #fetchRecords}, kept for callers written before the adapter interface
   * took seed 001's names.
   *
   * @deprecated call {@link #fetchRecords}
   */
  @Deprecated
  default Page readPage(StreamRequest request) throws ConnectorException {
    return fetchRecords(request);
  }

  /**
   * How long the caller must wait before reading the page at {@code request}: zero normally;
   * positive while the source's change feed (e.g. HubSpot's search index) may still be missing
   * changes made before the run started. The caller comes back with the same request after the
   * wait (a job snooze: no thread held, no attempt spent). Costs no request.
   */
  default java.time.Duration waitBeforeReading(StreamRequest request) {
    return java.time.Duration.ZERO;
  }

  /**
   * How many records a stream run starting with {@code first} will roughly return (active records;
   * archived ones not counted), for progress and ETA; empty when the connector cannot tell cheaply.
   * Costs at most one request. The default knows nothing.
   *
   * @throws ConnectorException as {@link #fetchRecords}; callers may treat any failure as "unknown"
   */
  default java.util.OptionalLong estimateTotal(StreamRequest first) throws ConnectorException {
    return java.util.OptionalLong.empty();
  }

  /**
   * The current state of the given records, by id (webhook-driven refreshes of the mirror): live
   * records with their associations, deleted ones as archived records; ids the source no longer
   * knows at all are left out. Read in the connector's largest batches, under the connection's
   * shared rate limit. The default cannot read by id.
   *
   * @throws ConnectorException as {@link #fetchRecords}
   */
  default List<SourceRecord> readRecords(String objectType, List<String> ids) throws ConnectorException {
    throw new UnsupportedOperationException(platform() + " connections cannot read records by id");
  }

}
