package dev.sluice.pipelines;

import dev.sluice.queue.schema.TableStatistics;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The planner statistics of the tables a push grows — identity entities and links, push states and
 * what was written — kept in step by a background {@code ANALYZE} ({@link TableStatistics}) as each
 * committed batch reports the rows it wrote, per table and pipeline (or destination). Without it
 * they describe the tables as they were when the push began (a few rows), and a batch's identity
 * links (select_links.sql) are read as every link of both sides: a cost per batch that grows with
 * the links made so far (docs/benchmarks.md).
 */
final class PipelineStatistics {
  static final String ENTITIES = "identity_entity";

  private final TableStatistics tables;

  PipelineStatistics(DataSource ds, PipelineStore store) {
    this.tables = new TableStatistics(ds, store.text("analyze_pipeline_tables"), "the identity and push-state tables");
  }

  static String records(Pipeline p) {
    return "pipeline_record/" + p.name();
  }

  static String written(Pipeline p) {
    return "pipeline_written/" + p.destinationConnection() + "/" + p.destinationObject();
  }

  /** The links one pipeline's batches make (its source's records and its destination's). */
  static String links(Pipeline p) {
    return "identity_link/" + p.name();
  }

  /** The destination's records the mirror holds, linked before a run's first batch. */
  static String destinationLinks(Pipeline p) {
    return "identity_link/" + p.destinationConnection() + "/" + p.destinationObject();
  }

  /** Rows per part that a transaction wrote, once it committed; may start an analysis, returns at once. */
  void committed(Map<String, Long> written) {
    written.forEach(tables::written);
  }

  /** Analyses finished (tests). */
  long analyses() {
    return tables.analyses();
  }
}
