package dev.sluice.queue.schema;

import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * QueueSchema creates or upgrades the queue's tables (jobs, cron schedules, rate-limit buckets) in
 * one schema with Flyway, under its own history table. {@code JobQueue.migrate()} calls it; a
 * process that only uses rate limits calls it directly.
 */
public final class QueueSchema {
  private QueueSchema() {
  }

  /**
   * Migrates {@code schema} (created when missing). Idempotent and safe to race.
   *
   * @throws IllegalStateException when the migration fails (the message says why)
   */
  public static void migrate(DataSource dataSource, String schema) {
    Objects.requireNonNull(dataSource, "dataSource");
    SqlResource.checkSchema(schema);
    try {
      Flyway.configure(QueueSchema.class.getClassLoader())
          .dataSource(dataSource)
          .schemas(schema)
          .defaultSchema(schema)
          .createSchemas(true)
          .table("flyway_schema_history")
          .locations("classpath:dev/sluice/queue/migration")
          // Version ranges are per feature (V40-V49 the kind settings, V50 rate limits, V60 concurrency
          // slots, ...), so a lower version can land after a higher one was applied; each is independent.
          .outOfOrder(true)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new IllegalStateException("migrating the queue schema '" + schema + "' failed: " + e.getMessage(), e);
    }
  }
}
