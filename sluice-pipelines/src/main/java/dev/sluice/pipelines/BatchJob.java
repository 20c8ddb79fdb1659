package dev.sluice.pipelines;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Payload of a {@code pipeline-batch} job: batch {@code batch} (0-based) of run {@code run} under
 * resume generation {@code generation}.
 */
record BatchJob(long run, long batch, int generation) {

  static BatchJob from(JsonNode payload) {
    if (payload == null || !payload.path("run").canConvertToLong() || !payload.path("batch").canConvertToLong()) {
      throw new IllegalArgumentException("a pipeline batch job needs {run, batch, generation}: " + payload);
    }
    return new BatchJob(payload.path("run").asLong(), payload.path("batch").asLong(), payload.path("generation").asInt(0));
  }

  String json() {
    return "{\"run\":" + run + ",\"batch\":" + batch + ",\"generation\":" + generation + "}";
  }

  /** One job per batch and generation, whoever enqueues it. */
  String dedupeKey() {
    return "pipeline:" + run + ":" + batch + ":g" + generation;
  }
}
