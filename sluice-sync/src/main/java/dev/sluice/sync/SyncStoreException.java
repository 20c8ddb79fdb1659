package dev.sluice.sync;

import java.sql.SQLException;

/** The database failed underneath the engine (connection lost, statement error); the message says which. */
public final class SyncStoreException extends RuntimeException {
  SyncStoreException(SQLException cause) {
    super("sync store: " + cause.getMessage(), cause);
  }
}
