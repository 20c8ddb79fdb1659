package dev.sluice.pipelines;

import java.time.Instant;

/** One entry of a run's append-only event log; {@code payload} is a JSON object. */
public record PipelineEvent(long seq, long runId, String type, String payload, Instant at) {}
