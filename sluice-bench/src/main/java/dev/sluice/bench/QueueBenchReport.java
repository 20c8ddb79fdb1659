package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The outcome of {@code sluice bench queue}: Sluice's medians, the peers side by side, the ratios
 * and whether each target of issue 2 was met. Rendered as one JSON object or as a table.
 */
public final class QueueBenchReport {
  /** Targets from issue 2. */
  public static final double TARGET_VS_GRAPHILE = 1.2;
  public static final double TARGET_VS_ONE_JOB_LOOP = 1.5;
  public static final double TARGET_PICKUP_P99_MS = 5.0;
  public static final double TARGET_DEEP_RATIO = 0.9;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final QueueBenchOptions options;
  private final String database;
  private final ContenderResult sluice;
  private final ContenderResult sluiceDeep;
  /** Sluice's pickups woken by NOTIFY (enqueued through another JobQueue); null when pickup was skipped. */
  private final ContenderResult sluiceNotify;
  private final Map<String, ContenderResult> peers;
  private final Instant startedAt;
  private final Instant finishedAt;
  private final double[] loadAtStart;
  private final double[] loadAtEnd;

  QueueBenchReport(QueueBenchOptions options, String database, ContenderResult sluice, ContenderResult sluiceDeep,
                   ContenderResult sluiceNotify, Map<String, ContenderResult> peers, Instant startedAt, Instant finishedAt,
                   double[] loadAtStart, double[] loadAtEnd) {
    this.options = options;
    this.database = database;
    this.sluice = sluice;
    this.sluiceDeep = sluiceDeep;
    this.sluiceNotify = sluiceNotify;
    this.peers = new LinkedHashMap<>(peers);
    this.startedAt = startedAt;
    this.finishedAt = finishedAt;
    this.loadAtStart = loadAtStart;
    this.loadAtEnd = loadAtEnd;
  }

  /** Median Sluice throughput, jobs/s; empty when no run completed. */
  public OptionalDouble jobsPerSec() {
    return sluice.medianJobsPerSec();
  }

  /** Sluice ÷ peer, both medians; empty when either is missing. */
  OptionalDouble ratioTo(String peer) {
    ContenderResult p = peers.get(peer);
    if (p == null) return OptionalDouble.empty();
    OptionalDouble ours = sluice.medianJobsPerSec();
    OptionalDouble theirs = p.medianJobsPerSec();
    if (ours.isEmpty() || theirs.isEmpty() || theirs.getAsDouble() == 0) return OptionalDouble.empty();
    return OptionalDouble.of(ours.getAsDouble() / theirs.getAsDouble());
  }

  /**
   * Sluice ÷ peer per round (the two ran back to back, so under about the same machine load); empty
   * when a run of either failed, since the rounds could then not be paired.
   */
  List<Double> roundRatiosTo(String peer) {
    ContenderResult p = peers.get(peer);
    if (p == null || p.skippedReason() != null) return List.of();
    List<Double> ours = sluice.jobsPerSecRuns();
    List<Double> theirs = p.jobsPerSecRuns();
    if (ours.size() != theirs.size() || !sluice.failures().isEmpty() || !p.failures().isEmpty()) return List.of();
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < ours.size(); i++) {
      if (theirs.get(i) > 0) ratios.add(ours.get(i) / theirs.get(i));
    }
    return ratios;
  }

  /** Sluice's pickup p99 ÷ graphile-worker's (batched), medians; below 1 is faster. */
  OptionalDouble pickupRatioToGraphile() {
    ContenderResult p = peers.get("graphile_batched");
    if (p == null) return OptionalDouble.empty();
    OptionalDouble ours = sluice.medianPickupP99();
    OptionalDouble theirs = p.medianPickupP99();
    if (ours.isEmpty() || theirs.isEmpty() || theirs.getAsDouble() == 0) return OptionalDouble.empty();
    return OptionalDouble.of(ours.getAsDouble() / theirs.getAsDouble());
  }

  OptionalDouble deepRatio() {
    OptionalDouble deep = sluiceDeep == null ? OptionalDouble.empty() : sluiceDeep.medianJobsPerSec();
    OptionalDouble flat = sluice.medianJobsPerSec();
    if (deep.isEmpty() || flat.isEmpty()) return OptionalDouble.empty();
    return OptionalDouble.of(deep.getAsDouble() / flat.getAsDouble());
  }

  /** True when at least one contender had a failed run (the figures shown are of the runs that completed). */
  public boolean hadFailures() {
    if (!sluice.failures().isEmpty() || (sluiceDeep != null && !sluiceDeep.failures().isEmpty())) return true;
    if (sluiceNotify != null && !sluiceNotify.failures().isEmpty()) return true;
    return peers.values().stream().anyMatch(p -> !p.failures().isEmpty());
  }

  /** One JSON object; absent figures are {@code null}, skipped peers carry the reason. */
  public ObjectNode toJsonTree() {
    ObjectNode o = JSON.createObjectNode();
    o.put("benchmark", "queue");
    o.put("jobs", options.jobs());
    o.put("workers", options.workers());
    o.put("claim_batch", options.claimBatch());
    o.put("runs", options.runs());
    put(o, "jobs_per_sec", sluice.medianJobsPerSec(), 0);
    put(o, "pickup_p50_ms", sluice.medianPickupP50(), 3);
    put(o, "pickup_p99_ms", sluice.medianPickupP99(), 3);
    ContenderResult graphile = peers.get("graphile_batched");
    put(o, "pickup_p99_ms_peer", graphile == null ? OptionalDouble.empty() : graphile.medianPickupP99(), 3);
    put(o, "pickup_p99_ms_notify", sluiceNotify == null ? OptionalDouble.empty() : sluiceNotify.medianPickupP99(), 3);
    put(o, "db_cpu_ms_per_1k_jobs", sluice.medianServerCpuMsPer1k(), 1);
    put(o, "db_cpu_ms_per_1k_jobs_peer", graphile == null ? OptionalDouble.empty() : graphile.medianServerCpuMsPer1k(), 1);
    put(o, "client_cpu_ms_per_1k_jobs", sluice.medianClientCpuMsPer1k(), 1);
    put(o, "client_cpu_ms_per_1k_jobs_peer", graphile == null ? OptionalDouble.empty() : graphile.medianClientCpuMsPer1k(), 1);
    put(o, "wal_bytes_per_1k_jobs", sluice.medianWalBytesPer1k(), 0);
    put(o, "wal_bytes_per_1k_jobs_peer", graphile == null ? OptionalDouble.empty() : graphile.medianWalBytesPer1k(), 0);
    put(o, "jobs_per_sec_deep", sluiceDeep == null ? OptionalDouble.empty() : sluiceDeep.medianJobsPerSec(), 0);
    o.put("deep_backlog", sluiceDeep == null ? 0 : options.deepBacklog());
    put(o, "deep_ratio", deepRatio(), 3);
    put(o, "vs_graphile", ratioTo("graphile_batched"), 3);
    List<Double> rounds = roundRatiosTo("graphile_batched");
    ArrayNode roundsNode = o.putArray("vs_graphile_rounds");
    rounds.forEach(v -> roundsNode.add(round(v, 3)));
    put(o, "vs_graphile_round_median", rounds.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(Percentiles.median(rounds)), 3);
    put(o, "vs_graphile_unbatched", ratioTo("graphile_unbatched"), 3);
    put(o, "vs_one_job_loop", ratioTo(OneJobLoopContender.NAME), 3);

    ObjectNode s = o.putObject("sluice");
    contender(s, sluice);
    if (sluiceDeep != null) {
      ArrayNode deepRuns = s.putArray("jobs_per_sec_deep_runs");
      sluiceDeep.jobsPerSecRuns().forEach(v -> deepRuns.add(round(v, 0)));
      if (!sluiceDeep.failures().isEmpty()) {
        ArrayNode f = s.putArray("deep_failures");
        sluiceDeep.failures().forEach(f::add);
      }
    }
    if (sluiceNotify != null) contender(o.putObject("sluice_notify"), sluiceNotify);
    ObjectNode peersNode = o.putObject("peers");
    peers.forEach((name, result) -> contender(peersNode.putObject(name), result));

    ObjectNode targets = o.putObject("targets");
    target(targets, "vs_graphile", TARGET_VS_GRAPHILE, ratioTo("graphile_batched"), true);
    target(targets, "vs_one_job_loop", TARGET_VS_ONE_JOB_LOOP, ratioTo(OneJobLoopContender.NAME), true);
    target(targets, "pickup_p99_ms", TARGET_PICKUP_P99_MS, sluice.medianPickupP99(), false);
    target(targets, "deep_ratio", TARGET_DEEP_RATIO, deepRatio(), true);
    target(targets, "pickup_p99_vs_peer", 1.0, pickupRatioToGraphile(), false);

    o.put("database", database);
    ObjectNode machine = o.putObject("machine");
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("java", System.getProperty("java.version"));
    load(machine.putArray("load_average_start"), loadAtStart);
    load(machine.putArray("load_average_end"), loadAtEnd);
    o.put("started_at", startedAt.toString());
    o.put("seconds", round((finishedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0, 1));
    return o;
  }

  /** {@link #toJsonTree()} on one line. */
  public String toJson() {
    return toJsonTree().toString();
  }

  /** A table for people, with the same figures. */
  public String toTable() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Queue benchmark: %,d no-op jobs per run, median of %d alternating runs%n", options.jobs(), options.runs()));
    b.append("Database: ").append(database).append('\n');
    b.append(String.format(Locale.ROOT, "Load average at start %s, at end %s (%d CPUs)%n%n",
        loadText(loadAtStart), loadText(loadAtEnd), Runtime.getRuntime().availableProcessors()));
    b.append(String.format(Locale.ROOT, "%-20s %12s %12s %12s %10s %10s  %s%n", "contender", "jobs/s", "pickup p50", "pickup p99",
        "db CPU*", "client CPU*", "runs (jobs/s) / settings"));
    List<ContenderResult> rows = new ArrayList<>();
    rows.add(sluice);
    if (sluiceDeep != null) rows.add(sluiceDeep);
    if (sluiceNotify != null) rows.add(sluiceNotify);
    rows.addAll(peers.values());
    for (ContenderResult r : rows) {
      if (r.skippedReason() != null) {
        b.append(String.format(Locale.ROOT, "%-20s %12s  %s%n", r.name(), "skipped", r.skippedReason()));
        continue;
      }
      b.append(String.format(Locale.ROOT, "%-20s %12s %12s %12s %10s %10s  %s%n", r.name(), number(r.medianJobsPerSec(), 0),
          ms(r.medianPickupP50()), ms(r.medianPickupP99()), number(r.medianServerCpuMsPer1k(), 0), number(r.medianClientCpuMsPer1k(), 0),
          r.jobsPerSecRuns().stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList()));
      if (r.settings() != null) b.append(String.format(Locale.ROOT, "%-20s %12s %12s %12s %10s %10s  %s%n", "", "", "", "", "", "", r.settings()));
      for (String f : r.failures()) b.append(String.format(Locale.ROOT, "%-20s %12s  %s%n", "", "FAILED", f));
    }
    b.append("* CPU milliseconds per 1,000 jobs in the work phase: the database server's (all of it, if it is shared) and the contender's own processes'\n\n");
    b.append(targetLine("vs graphile-worker batched", ratioTo("graphile_batched"), TARGET_VS_GRAPHILE, true, "x"));
    List<Double> rounds = roundRatiosTo("graphile_batched");
    if (!rounds.isEmpty()) {
      b.append(String.format(Locale.ROOT, "%-28s %10s   per round %s%n", "  round median", String.format(Locale.ROOT, "%.2fx", Percentiles.median(rounds)),
          rounds.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList()));
    }
    b.append(targetLine("vs one-job loop", ratioTo(OneJobLoopContender.NAME), TARGET_VS_ONE_JOB_LOOP, true, "x"));
    b.append(targetLine("pickup p99 (ms)", sluice.medianPickupP99(), TARGET_PICKUP_P99_MS, false, ""));
    b.append(targetLine("deep / flat throughput", deepRatio(), TARGET_DEEP_RATIO, true, ""));
    return b.toString();
  }

  private static void contender(ObjectNode node, ContenderResult r) {
    if (r.skippedReason() != null) {
      node.put("skipped", true);
      node.put("reason", r.skippedReason());
      return;
    }
    put(node, "jobs_per_sec", r.medianJobsPerSec(), 0);
    ArrayNode runs = node.putArray("jobs_per_sec_runs");
    r.jobsPerSecRuns().forEach(v -> runs.add(round(v, 0)));
    if (r.medianServerCpuMsPer1k().isPresent()) put(node, "db_cpu_ms_per_1k_jobs", r.medianServerCpuMsPer1k(), 1);
    if (r.medianClientCpuMsPer1k().isPresent()) put(node, "client_cpu_ms_per_1k_jobs", r.medianClientCpuMsPer1k(), 1);
    if (r.medianWalBytesPer1k().isPresent()) put(node, "wal_bytes_per_1k_jobs", r.medianWalBytesPer1k(), 0);
    if (!r.pickups().isEmpty()) {
      put(node, "pickup_p50_ms", r.medianPickupP50(), 3);
      put(node, "pickup_p99_ms", r.medianPickupP99(), 3);
      ArrayNode p = node.putArray("pickup_runs");
      for (PickupLatency l : r.pickups()) {
        ObjectNode x = p.addObject();
        x.put("samples", l.samples());
        x.put("p50_ms", round(l.p50Ms(), 3));
        x.put("p99_ms", round(l.p99Ms(), 3));
        x.put("max_ms", round(l.maxMs(), 3));
      }
    }
    if (r.settings() != null) node.put("settings", r.settings());
    if (!r.failures().isEmpty()) {
      ArrayNode f = node.putArray("failures");
      r.failures().forEach(f::add);
    }
  }

  private static void target(ObjectNode targets, String name, double target, OptionalDouble value, boolean atLeast) {
    ObjectNode t = targets.putObject(name);
    t.put(atLeast ? "at_least" : "at_most", target);
    put(t, "value", value, 3);
    if (value.isEmpty()) t.putNull("met");
    else t.put("met", atLeast ? value.getAsDouble() >= target : value.getAsDouble() <= target);
  }

  private static String targetLine(String label, OptionalDouble value, double target, boolean atLeast, String unit) {
    String verdict = value.isEmpty() ? "not measured" : (atLeast ? value.getAsDouble() >= target : value.getAsDouble() <= target) ? "met" : "NOT met";
    return String.format(Locale.ROOT, "%-28s %10s   target %s %s%s   %s%n", label,
        value.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f%s", value.getAsDouble(), unit),
        atLeast ? ">=" : "<=", target, unit, verdict);
  }

  private static void put(ObjectNode o, String field, OptionalDouble v, int decimals) {
    if (v.isEmpty()) o.putNull(field);
    else o.put(field, round(v.getAsDouble(), decimals));
  }

  static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }

  private static String number(OptionalDouble v, int decimals) {
    return v.isEmpty() ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v.getAsDouble());
  }

  private static String ms(OptionalDouble v) {
    return v.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f ms", v.getAsDouble());
  }

  private static void load(ArrayNode a, double[] load) {
    if (load != null) for (double v : load) a.add(v);
  }

  private static String loadText(double[] load) {
    if (load == null) return "unknown";
    return String.format(Locale.ROOT, "%.2f %.2f %.2f", load[0], load[1], load[2]);
  }
}
