package dev.sluice.sync;

import dev.sluice.connectors.SyncMode;
import java.time.Instant;
import java.util.List;

/** One {@code sync_run} row (the run's cached projection). */
record RunRow(
    long id,
    String connection,
    List<String> objects,
    SyncMode mode,
    RunStatus status,
    String currentObject,
    String phase,
    String lastError,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    long lastEventSeq) {}
