package dev.sluice.sync;

import dev.sluice.connectors.SyncMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What to sync: a named connection, the object types (streams) to read and the mode.
 *
 * <p>The compact constructor validates the shape (non-blank connection, at least one object, no
 * blank object names) with {@link IllegalArgumentException}s whose message says what is wrong;
 * duplicate object names are dropped, order kept. Whether the connection and objects exist is
 * checked by {@link SyncEngine#trigger(SyncRequest)}.
 */
public record SyncRequest(String connection, List<String> objects, SyncMode mode) {

  public SyncRequest {
    if (connection == null || connection.isBlank()) {
      throw new IllegalArgumentException("connection is required");
    }
    if (objects == null || objects.isEmpty()) {
      throw new IllegalArgumentException("objects must name at least one object type, e.g. [\"contacts\"]");
    }
    List<String> clean = new ArrayList<>();
    for (String o : objects) {
      if (o == null || o.isBlank()) {
        throw new IllegalArgumentException("objects must not contain blank names");
      }
      clean.add(o.trim());
    }
    objects = List.copyOf(new LinkedHashSet<>(clean));
    connection = connection.trim();
    if (mode == null) {
      mode = SyncMode.FULL;
    }
  }
}
