package dev.sluice.connectors;

import java.time.Instant;
import java.util.Objects;

/**
 * Asks a {@link SourceConnector} for the next page of one stream.
 *
 * @param objectType one of {@link SourceConnector#objectTypes()}, e.g. {@code "contacts"}
 * @param mode full or incremental
 * @param checkpoint the {@link Page#nextCheckpoint()} of the last committed page, or null to start
 *     the stream from the beginning. Opaque: store it and hand it back unchanged.
 * @param incrementalSince for {@link SyncMode#INCREMENTAL}: when the previous completed run of this
 *     stream started (the connector subtracts its own overlap for index lag). Null means "no
 *     previous run": the stream is read in full. Ignored for {@link SyncMode#FULL}. Must stay the
 *     same for every page of one stream run.
 * @param runStartedAt for {@link SyncMode#INCREMENTAL}: when the run reading this stream started.
 *     A connector whose change feed lags the source's writes (HubSpot's search index) reads until
 *     every change made before this instant is in the stream, waiting for the lag to pass (see
 *     {@link SourceConnector#waitBeforeReading}). Null: no such guarantee is asked for. Must stay
 *     the same for every page of one stream run.
 */
public record StreamRequest(String objectType, SyncMode mode, String checkpoint, Instant incrementalSince, Instant runStartedAt) {

  public StreamRequest {
    Objects.requireNonNull(objectType, "objectType");
    Objects.requireNonNull(mode, "mode");
  }

  /** A request without a run start (no wait for the change feed to settle). */
  public StreamRequest(String objectType, SyncMode mode, String checkpoint, Instant incrementalSince) {
    this(objectType, mode, checkpoint, incrementalSince, null);
  }

  /** The first page of a full read. */
  public static StreamRequest full(String objectType) {
    return new StreamRequest(objectType, SyncMode.FULL, null, null);
  }

  /** The first page of an incremental read of records changed since {@code since}. */
  public static StreamRequest incremental(String objectType, Instant since) {
    return new StreamRequest(objectType, SyncMode.INCREMENTAL, null, since);
  }

  /**
   * The same request for a run that started at {@code startedAt}: the read then holds every change
   * the source made before that instant.
   */
  public StreamRequest startedAt(Instant startedAt) {
    return new StreamRequest(objectType, mode, checkpoint, incrementalSince, startedAt);
  }

  /** The same stream continued from {@code nextCheckpoint}. */
  public StreamRequest resumeFrom(String nextCheckpoint) {
    return new StreamRequest(objectType, mode, nextCheckpoint, incrementalSince, runStartedAt);
  }
}
