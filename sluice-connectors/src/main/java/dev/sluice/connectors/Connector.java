package dev.sluice.connectors;

/**
 * One platform connection, the adapter of seed 001: every connector names the same four operations,
 * and the orchestration (sync runs, pipeline runs, rule actions) knows nothing else of the platform.
 *
 * <pre>
 *            ┌──────────── Connector (this type): describe(), handleError() ─────────────┐
 *  platform ─┤ SourceConnector.fetchRecords(StreamRequest) → Page of SourceRecord         ├─ mirror
 *            │ DestinationConnector.mapFields(type, values) → OutboundRecord               │
 *  platform ◄┤ DestinationConnector.uploadBatch(type, [OutboundRecord], key) → WriteResult ├─ pipeline
 *            └────────────────────────────────────────────────────────────────────────────┘
 * </pre>
 *
 * <ul>
 *   <li><b>fetch records</b>: {@link SourceConnector#fetchRecords}, one page from an opaque checkpoint;
 *   <li><b>map fields</b>: {@link DestinationConnector#mapFields}, mapped values checked and coerced
 *       against {@link #describe} into one record the platform accepts, or every field error;
 *   <li><b>upload a batch</b>: {@link DestinationConnector#uploadBatch}, with per-record results;
 *   <li><b>handle an error</b>: {@link #handleError}, what to do after a failed call.
 * </ul>
 *
 * <p>Implementations are thread-safe and share the connection's rate limits (and, for Mailchimp,
 * its concurrency cap) with every process using the connection.
 */
public interface Connector extends AutoCloseable {

  /** The connection's name from the config, e.g. {@code "hubspot-main"}. */
  String connection();

  /** The platform, e.g. {@code "hubspot"}, {@code "salesforce"}, {@code "mailchimp"}, {@code "segment"}. */
  String platform();

  /**
   * The fields of {@code objectType} as the platform describes them (HubSpot properties API,
   * Salesforce describe, Mailchimp merge fields, Segment: free-form traits), used to validate
   * mappings. Costs at most a few requests; callers may cache the answer for a run.
   *
   * @throws ConnectorException classified failure
   * @throws IllegalArgumentException for an object type the platform does not have here
   */
  ObjectSchema describe(String objectType) throws ConnectorException;

  /**
   * What to do after {@code error} ended the {@code attempt}-th try (1 = the first) of one call.
   * The default follows {@link ConnectorException#kind()}: wait out a rate limit without spending
   * an attempt, back off exponentially on transient failures (a few tries for an unreadable answer),
   * fail the batch on a refused request and stop everything on rejected credentials. Connectors
   * override it for a platform's own rules.
   */
  default ErrorAction handleError(ConnectorException error, int attempt) {
    return ErrorAction.byKind(error, attempt);
  }

  /** Releases HTTP resources (the factory's shared client stays open). */
  @Override
  void close();
}
