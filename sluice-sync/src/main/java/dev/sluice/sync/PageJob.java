package dev.sluice.sync;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The payload of a page job: which page of which stream generation it expects to read. A job whose
 * page is already committed (a worker died between the commit and the job's completion) or whose
 * generation is older than the stream's (the stream was resumed) does nothing.
 */
record PageJob(long run, String stream, long page, int generation) {

  static PageJob from(JsonNode p) {
    if (!p.path("run").canConvertToLong() || !p.path("stream").isTextual() || !p.path("page").canConvertToLong()) {
      throw new IllegalArgumentException("page job payload needs run, stream and page: " + p);
    }
    return new PageJob(p.path("run").asLong(), p.path("stream").asText(), p.path("page").asLong(),
        p.path("generation").asInt(0));
  }

  String json() {
    return Json.write(Json.object().put("run", run).put("stream", stream).put("page", page).put("generation", generation));
  }

  /** {@code sync:<run>:<stream>:<page>}, plus {@code :resume<n>} after the n-th resume. */
  String dedupeKey() {
    String key = "sync:" + run + ":" + stream + ":" + page;
    return generation == 0 ? key : key + ":resume" + generation;
  }

  /** One page of a stream in flight at a time, across all workers. */
  String concurrencyKey() {
    return "sync:" + run + ":" + stream;
  }

  PageJob next() {
    return new PageJob(run, stream, page + 1, generation);
  }
}
