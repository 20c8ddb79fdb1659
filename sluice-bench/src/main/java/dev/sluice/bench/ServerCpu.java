package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * CPU seconds used so far by a PostgreSQL server on this machine: the postmaster, its live children
 * (backends, WAL writer, checkpointer, autovacuum) and the children it has already reaped. Read
 * from /proc, so only available for a server on this host; on a shared server it includes the work
 * of every other client too.
 */
final class ServerCpu {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ: 100 on every Linux x86-64 build

  private final long postmasterPid;

  private ServerCpu(long postmasterPid) {
    this.postmasterPid = postmasterPid;
  }

  /** The server behind {@code c}, or null when its processes are not visible from here. */
  static ServerCpu of(Connection c) {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SqlResource.load("backend-pid.sql"))) {
      rs.next();
      long[] backend = stat(rs.getLong(1));
      if (backend == null) return null;
      ServerCpu cpu = new ServerCpu(backend[0]);
      return cpu.seconds().isPresent() ? cpu : null;
    } catch (SQLException e) {
      return null;
    }
  }

  /** Total CPU seconds of the server so far. */
  OptionalDouble seconds() {
    long[] pm = stat(postmasterPid);
    if (pm == null) return OptionalDouble.empty();
    long ticks = pm[1] + pm[2] + pm[3] + pm[4];
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      List<Path> pids = procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
      for (Path p : pids) {
        long[] st = stat(Long.parseLong(p.getFileName().toString()));
        if (st != null && st[0] == postmasterPid) ticks += st[1] + st[2];
      }
    } catch (IOException e) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(ticks / TICKS_PER_SECOND);
  }

  /** {ppid, utime, stime, cutime, cstime} of a process, or null when it is gone or not visible. */
  private static long[] stat(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      // after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
      return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
