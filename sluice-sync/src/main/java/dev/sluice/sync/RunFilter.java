package dev.sluice.sync;

/**
 * Which runs {@link SyncEngine#list(RunFilter)} returns, newest first.
 *
 * @param connection only this connection, or null for all
 * @param status only this status, or null for all
 * @param beforeId only runs with an id below this (paging: pass the last id seen), or null
 * @param limit at most this many (1..1000)
 */
public record RunFilter(String connection, RunStatus status, Long beforeId, int limit) {

  public static final int DEFAULT_LIMIT = 50;

  public RunFilter {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000, was " + limit);
    }
  }

  /** The newest {@value #DEFAULT_LIMIT} runs. */
  public static RunFilter all() {
    return new RunFilter(null, null, null, DEFAULT_LIMIT);
  }

  public RunFilter withConnection(String c) {
    return new RunFilter(c, status, beforeId, limit);
  }

  public RunFilter withStatus(RunStatus s) {
    return new RunFilter(connection, s, beforeId, limit);
  }

  public RunFilter withLimit(int l) {
    return new RunFilter(connection, status, beforeId, l);
  }

  public RunFilter before(long id) {
    return new RunFilter(connection, status, id, limit);
  }
}
