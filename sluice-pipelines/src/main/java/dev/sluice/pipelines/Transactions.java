package dev.sluice.pipelines;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** The module's one way to run work in a transaction (rolled back on any failure) or on a plain connection. */
final class Transactions {
  private Transactions() {}

  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  static <T> T read(DataSource ds, Work<T> work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return work.run(c);
    }
  }

  static <T> T inTransaction(DataSource ds, Work<T> work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      boolean done = false;
      try {
        T out = work.run(c);
        c.commit();
        done = true;
        return out;
      } finally {
        if (!done) c.rollback();
        c.setAutoCommit(true);
      }
    }
  }
}
