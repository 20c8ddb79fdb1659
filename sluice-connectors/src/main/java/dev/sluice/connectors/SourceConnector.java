package dev.sluice.connectors;

import java.util.List;

/**
 * Reads one platform's records page by page, from an opaque checkpoint.
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
 * </ul>
 *
 * <p>Implementations are thread-safe: several streams of one connection may be read at once, and
 * every process reading one connection shares its rate limits.
 */
public interface SourceConnector extends AutoCloseable {

  /** The connection's name from the config, e.g. {@code "hubspot-main"}. */
  String connection();

  /** The platform, e.g. {@code "hubspot"}. */
  String platform();

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
  Page readPage(StreamRequest request) throws ConnectorException;

  /**
   * How many records a stream run starting with {@code first} will roughly return (active records;
   * archived ones not counted), for progress and ETA; empty when the connector cannot tell cheaply.
   * Costs at most one request. The default knows nothing.
   *
   * @throws ConnectorException as {@link #readPage}; callers may treat any failure as "unknown"
   */
  default java.util.OptionalLong estimateTotal(StreamRequest first) throws ConnectorException {
    return java.util.OptionalLong.empty();
  }

  /** Releases HTTP resources. */
  @Override
  void close();
}
