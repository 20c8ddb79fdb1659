package dev.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Reads the named {@code .sql} files that sit next to the bench classes in the jar. */
final class SqlResource {
  private static final Pattern SAFE_IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private SqlResource() {}

  /** The text of {@code dev/sluice/bench/<name>}, with the leading comment lines kept (PostgreSQL ignores them). */
  static String load(String name) {
    try (InputStream in = SqlResource.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing SQL resource dev/sluice/bench/" + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A DDL statement whose {@code {database}} placeholder is a database name: DDL cannot bind an
   * identifier, so only names the bench made itself (lower-case letters, digits, underscores) pass.
   */
  static String withDatabase(String name, String database) {
    if (!SAFE_IDENTIFIER.matcher(database).matches()) {
      throw new IllegalArgumentException("not a bench database name: " + database);
    }
    return load(name).replace("{database}", database);
  }
}
