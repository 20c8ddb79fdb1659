package dev.sluice.queue;

import dev.sluice.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Runs the store contract against PostgreSQL. */
class PostgresJobStoreTest extends JobStoreContract {
  static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.create("queue_store");
    JobQueue.builder(db.dataSource()).schema("sluice").build().migrate();
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Override
  protected JobStore emptyStore() throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE sluice.job, sluice.job_kind");
    }
    return new PostgresJobStore(db.dataSource(), "sluice");
  }

  @Override
  protected Connection connect() throws Exception {
    return db.dataSource().getConnection();
  }
}
