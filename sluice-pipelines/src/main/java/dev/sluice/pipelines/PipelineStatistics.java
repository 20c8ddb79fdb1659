package dev.sluice.pipelines;

import dev.sluice.queue.schema.TableStatistics;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The planner statistics of the tables a push grows — identity entities and links, push states and
 * what was written — kept in step by background {@code ANALYZE}s ({@link TableStatistics}, one per
 * table, of the columns that steer plans) as each committed batch reports the rows it wrote, per
 * table and pipeline (or destination). Without them the tables' statistics describe them as they
 * were when the push began (a few rows), and a batch's identity links (select_links.sql) are read as
 * every link of both sides: a cost per batch that grows with the links made so far
 * (docs/benchmarks.md). A table a push does not grow (the entities, when every person is known
 * already) is not analyzed again.
 */
final class PipelineStatistics {
  static final String ENTITIES = "identity_entity";
  private static final String LINKS = "identity_link";
  private static final String RECORDS = "pipeline_record";
  private static final String WRITTEN = "pipeline_written";

  private final Map<String, TableStatistics> tables;

  PipelineStatistics(DataSource ds, PipelineStore store) {
    this.tables = Map.of(
        ENTITIES, new TableStatistics(ds, store.text("analyze_identity_entity"), ENTITIES),
        LINKS, new TableStatistics(ds, store.text("analyze_identity_link"), LINKS),
        RECORDS, new TableStatistics(ds, store.text("analyze_pipeline_record"), RECORDS),
        WRITTEN, new TableStatistics(ds, store.text("analyze_pipeline_written"), WRITTEN));
  }

  static String records(Pipeline p) {
    return RECORDS + "/" + p.name();
  }

  static String written(Pipeline p) {
    return WRITTEN + "/" + p.destinationConnection() + "/" + p.destinationObject();
  }

  /** The links one pipeline's batches make (its source's records and its destination's). */
  static String links(Pipeline p) {
    return LINKS + "/" + p.name();
  }

  /** The destination's records the mirror holds, linked before a run's first batch. */
  static String destinationLinks(Pipeline p) {
    return LINKS + "/" + p.destinationConnection() + "/" + p.destinationObject();
  }

  /** Rows per part that a transaction wrote, once it committed; may start analyses, returns at once. */
  void committed(Map<String, Long> written) {
    written.forEach((part, rows) -> {
      int slash = part.indexOf('/');
      tables.get(slash < 0 ? part : part.substring(0, slash)).written(part, rows);
    });
  }

  /** Analyses finished, over the four tables (tests). */
  long analyses() {
    return tables.values().stream().mapToLong(TableStatistics::analyses).sum();
  }
}
