package dev.sluice.postgres;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the embedded PostgreSQL locked down. Next to its data directory a private directory
 * ({@code postgres/}, mode 0700) holds the extracted binaries ({@code bin/}), the Unix socket and the superuser's
 * generated password ({@code postgres/password}, mode 0600). Every connection, over TCP on loopback
 * or the socket, must prove that password with scram-sha-256: {@code pg_hba.conf} is rewritten at
 * every start, so nothing else on the host (another user, a browser page doing DNS rebinding...)
 * reaches the data through a {@code trust} rule.
 *
 * <p>A data directory made before the password existed (or whose password file was deleted) gets a
 * new password: the server starts once under its old rules, the role's password is set, then the
 * scram rules are written and reloaded.
 */
final class EmbeddedServer {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedServer.class);
  static final String SUPERUSER = "postgres";
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int PASSWORD_LENGTH = 32;
  /** sun_path holds 108 bytes, of which {@code /.s.PGSQL.NNNNN} and the NUL take 17. */
  private static final int MAX_SOCKET_DIR_LENGTH = 90;
  /** What pg_ctl's shell-parsed {@code -o} string can carry unquoted. */
  private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9/._-]+");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

  /** A started server, the superuser's password and where its socket is (null: TCP only). */
  record Started(EmbeddedPostgres postgres, String password, Path passwordFile, Path socketDirectory) {}

  private EmbeddedServer() {}

  /**
   * The library's own binaries, as a resolver per private directory: the library remembers one
   * extraction per resolver for the whole JVM, which would put a second home's server on the first
   * home's binaries.
   */
  private record BinariesFor(Path directory) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String architecture) throws IOException {
      return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, architecture);
    }
  }

  /** The private directory beside {@code dataDir}: binaries, socket and password. */
  static Path privateDirectory(Path dataDir) {
    return dataDir.toAbsolutePath().resolveSibling("postgres");
  }

  static Started start(Path dataDir) throws IOException {
    Path dir = privateDirectory(dataDir);
    ownerOnlyDirectory(dir);
    Path passwordFile = dir.resolve("password");
    boolean fresh = !Files.exists(dataDir.resolve("postgresql.conf"));
    boolean known = Files.exists(passwordFile);
    // A kept cluster without a password file: its role's password is set below, under its old rules.
    boolean setPassword = !fresh && !known;
    String password = known ? readPassword(passwordFile) : generatePassword();
    if (!known) writeOwnerOnly(passwordFile, password);
    Path socketDir = usableSocketDirectory(dir);

    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(dir.resolve("bin").toFile())
        .setPgBinaryResolver(new BinariesFor(dir))
        .setServerConfig("max_connections", "300")
        .setServerConfig("shared_buffers", "256MB")
        // the library starts the server with fsync off (-F) and synchronous_commit off: an
        // acknowledged commit must survive a crash, so both go back to PostgreSQL's own defaults
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("listen_addresses", "localhost")
        .setServerConfig("unix_socket_directories", socketDir == null ? "''" : socketDir.toString())
        .setServerConfig("unix_socket_permissions", "0700")
        .setServerConfig("password_encryption", "scram-sha-256")
        .setConnectConfig("password", password)
        .setDataDirectoryCustomizer(d -> writeHba(d.toPath(), setPassword ? null : "scram-sha-256"))
        .setPGStartupWait(Duration.ofSeconds(60));
    if (fresh) {
      // initdb's own -A trust is overridden by this later option; the password comes from the file
      builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString());
    }
    EmbeddedPostgres pg = builder.start();
    // the library opens its extraction directory to everyone (chmod a+w); the private parent
    // already keeps others out, and this takes the write bit back
    ownerOnly(dir.resolve("bin"), OWNER_ONLY_DIR);
    if (setPassword) {
      adoptPassword(pg, dataDir, password);
    }
    return new Started(pg, password, passwordFile, socketDir);
  }

  /** Sets the superuser's password under the cluster's old rules, then switches to scram. */
  private static void adoptPassword(EmbeddedPostgres pg, Path dataDir, String password) throws IOException {
    log.info("the embedded PostgreSQL in {} had no password yet: setting a generated one (kept in {})",
        dataDir, privateDirectory(dataDir).resolve("password"));
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("SET password_encryption = 'scram-sha-256'");
      // the alphabet has no quote, so the literal needs no escaping
      s.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + password + "'");
      writeHba(dataDir, "scram-sha-256");
      s.execute("SELECT pg_reload_conf()");
    } catch (SQLException e) {
      throw new IOException("could not set the embedded PostgreSQL's password: " + e.getMessage(), e);
    }
  }

  /** Keeps an existing pg_hba.conf when {@code method} is null (the first start of an old cluster). */
  private static void writeHba(Path dataDir, String method) {
    if (method == null) return;
    String rules = """
        # Written by Sluice at every start of the embedded server: every connection proves the
        # password kept in ../postgres/password (mode 0600) with scram-sha-256.
        local all all %1$s
        host  all all 127.0.0.1/32 %1$s
        host  all all ::1/128 %1$s
        """.formatted(method);
    try {
      Files.writeString(dataDir.resolve("pg_hba.conf"), rules, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path usableSocketDirectory(Path dir) {
    String path = dir.toString();
    if (path.length() > MAX_SOCKET_DIR_LENGTH || !PLAIN_PATH.matcher(path).matches()) {
      log.info("the embedded PostgreSQL listens on loopback TCP only: {} is too long or unusual for a Unix socket", dir);
      return null;
    }
    return dir;
  }

  static String generatePassword() {
    SecureRandom random = new SecureRandom();
    StringBuilder b = new StringBuilder(PASSWORD_LENGTH);
    for (int i = 0; i < PASSWORD_LENGTH; i++) b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    return b.toString();
  }

  private static String readPassword(Path file) throws IOException {
    ownerOnly(file, OWNER_ONLY_FILE);
    String password = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (password.isEmpty() || !password.chars().allMatch(ch -> ALPHABET.indexOf(ch) >= 0)) {
      throw new IOException(file + " does not hold a password Sluice generated; delete it to have a new one set");
    }
    return password;
  }

  private static void ownerOnlyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      } catch (UnsupportedOperationException e) {
        Files.createDirectory(dir);
      }
    }
    ownerOnly(dir, OWNER_ONLY_DIR);
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
  }

  /** Tightens the mode (the umask may have widened it, or a user copied the directory). */
  private static void ownerOnly(Path path, Set<PosixFilePermission> mode) throws IOException {
    try {
      if (!Files.getPosixFilePermissions(path).equals(mode)) Files.setPosixFilePermissions(path, mode);
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: only linux binaries ship, so this is a test on an odd mount
    }
  }
}
