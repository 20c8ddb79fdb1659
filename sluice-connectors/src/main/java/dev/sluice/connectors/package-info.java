/**
 * Connectors: one adapter per platform behind a small interface.
 *
 * <ul>
 *   <li>{@link dev.sluice.connectors.SourceConnector} reads a stream page by page from an opaque
 *       checkpoint ({@link dev.sluice.connectors.StreamRequest} → {@link dev.sluice.connectors.Page}
 *       of {@link dev.sluice.connectors.SourceRecord}s).
 *   <li>{@link dev.sluice.connectors.DestinationConnector} writes batches with per-record results.
 *   <li>{@link dev.sluice.connectors.ConnectorException} classifies every failure (retryable, rate
 *       limited with a wait, permanent per record or batch, auth, malformed).
 *   <li>{@link dev.sluice.connectors.ConnectorFactory} builds connectors from
 *       {@link dev.sluice.connectors.ConnectionConfig}s, with limits from the versioned
 *       {@link dev.sluice.connectors.RateLimitRegistry}, shared across processes through
 *       {@link dev.sluice.connectors.QueueRateLimitGate}.
 * </ul>
 */
package dev.sluice.connectors;
