package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What {@code sluice bench pipeline} measured: the same mirror records pushed to the sandbox
 * Salesforce, then to the sandbox Mailchimp, each against its ceiling ({@link WireCeiling}).
 *
 * <p>The top-level figures cover both destinations: {@code seconds} is the two runs' time,
 * {@code records_per_sec} the records written to both per second of it, {@code
 * ceiling_records_per_sec} the same records over the two ceilings' time, so {@code ratio} is the
 * ceilings' time over the runs' time.
 *
 * @param records      mirror records each run had to push
 * @param salesforce   the Salesforce run
 * @param mailchimp    the Mailchimp run
 * @param callsPerBatch destination calls a pipeline batch makes at once
 * @param warmupRecords records each side pushed to each destination before the measured phases
 *                     (the engine through its own warm-up pipelines, the bare client apart)
 */
public record PipelineBenchReport(long records, Destination salesforce, Destination mailchimp, int callsPerBatch, String database,
    String sandbox, int workers, double[] loadAtStart, double[] loadAtEnd, long warmupRecords) {
  /**
   * CPU seconds one phase used, apart: this JVM (the pipeline engine and its queue worker, or the bare
   * client), the sandbox child (the destination's own work; NaN in-process) and the database server.
   */
  public record CpuSplit(double engine, double sandbox, double database) {
    ObjectNode json(ObjectMapper m) {
      ObjectNode o = m.createObjectNode();
      SyncBenchReport.number(o, "bench_jvm", engine, 2);
      SyncBenchReport.number(o, "sandbox", sandbox, 2);
      SyncBenchReport.number(o, "database", database, 2);
      return o;
    }
  }

  /** Target from issue 12. */
  public static final double TARGET_RATIO = 0.9;

  /**
   * One destination's run and its ceiling.
   *
   * @param synced       records the run reported sent
   * @param seconds      trigger to the run's end
   * @param writeCalls   destination write calls the run made
   * @param batchSize    records per write call
   * @param responses429 429 answers the sandbox served during the run
   * @param lost         mirror records missing from the destination when read back
   * @param duplicates   destination records beyond one per e-mail address
   * @param status       the run's final status
   * @param ceiling      the bare client's push of as many records at the destination's concurrency limit
   */
  public record Destination(String name, long synced, double seconds, long writeCalls, int batchSize, long responses429, long lost,
      long duplicates, String status, WireCeiling.Result ceiling, CpuSplit cpu) {
    public double recordsPerSec() {
      return synced / seconds;
    }

    public double ratio() {
      return recordsPerSec() / ceiling.recordsPerSec();
    }

    ObjectNode json(ObjectMapper m) {
      ObjectNode o = m.createObjectNode();
      o.put("destination", name);
      o.put("status", status);
      o.put("synced", synced);
      o.put("seconds", QueueBenchReport.round(seconds, 2));
      SyncBenchReport.number(o, "records_per_sec", recordsPerSec(), 1);
      SyncBenchReport.number(o, "ceiling_records_per_sec", ceiling.recordsPerSec(), 1);
      SyncBenchReport.number(o, "ratio", ratio(), 3);
      o.put("ceiling_seconds", QueueBenchReport.round(ceiling.seconds(), 2));
      o.put("ceiling_calls_in_flight", ceiling.inFlight());
      o.put("write_calls", writeCalls);
      o.put("batch_size", batchSize);
      o.put("responses_429", responses429);
      o.put("lost", lost);
      o.put("duplicates", duplicates);
      if (cpu != null) o.set("cpu_seconds", cpu.json(m));
      if (ceiling.cpu() != null) o.set("ceiling_cpu_seconds", ceiling.cpu().json(m));
      return o;
    }
  }

  public String status() {
    return salesforce.status().equals(mailchimp.status()) ? salesforce.status() : salesforce.status() + "/" + mailchimp.status();
  }

  public double seconds() {
    return salesforce.seconds() + mailchimp.seconds();
  }

  public double recordsPerSec() {
    return (salesforce.synced() + mailchimp.synced()) / seconds();
  }

  public double ceilingRecordsPerSec() {
    return (salesforce.ceiling().records() + mailchimp.ceiling().records()) / (salesforce.ceiling().seconds() + mailchimp.ceiling().seconds());
  }

  public double ratio() {
    return recordsPerSec() / ceilingRecordsPerSec();
  }

  /** Lost over both destinations. */
  public long lostTotal() {
    return salesforce.lost() + mailchimp.lost();
  }

  /** Duplicates over both destinations. */
  public long duplicatesTotal() {
    return salesforce.duplicates() + mailchimp.duplicates();
  }

  public String toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("benchmark", "pipeline");
    o.put("status", status());
    o.put("records", records);
    o.put("seconds", QueueBenchReport.round(seconds(), 2));
    SyncBenchReport.number(o, "records_per_sec", recordsPerSec(), 1);
    SyncBenchReport.number(o, "ceiling_records_per_sec", ceilingRecordsPerSec(), 1);
    SyncBenchReport.number(o, "ratio", ratio(), 3);
    o.put("responses_429", salesforce.responses429() + mailchimp.responses429());
    o.put("lost", lostTotal());
    o.put("duplicates", duplicatesTotal());
    o.set("salesforce", salesforce.json(m));
    o.set("mailchimp", mailchimp.json(m));
    o.put("calls_per_batch", callsPerBatch);
    o.put("warmup_records", warmupRecords);
    o.put("workers", workers);
    o.put("sandbox", sandbox);
    o.put("database", database);
    ObjectNode targets = o.putObject("targets");
    targets.put("ratio_at_least", TARGET_RATIO);
    targets.put("ratio_met", ratio() >= TARGET_RATIO);
    targets.put("lost_and_duplicates_zero", lostTotal() == 0 && duplicatesTotal() == 0);
    var load = o.putObject("load_average");
    if (loadAtStart != null) load.put("start", loadAtStart[0]);
    if (loadAtEnd != null) load.put("end", loadAtEnd[0]);
    return o.toString();
  }

  public String toTable() {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, """
        Pipeline benchmark: %,d mirror contacts -> sandbox Salesforce, then -> sandbox Mailchimp; %d calls a batch, %d workers
        Database: %s
        both              %s: %,.1f records/s over %.1f s (ceiling %,.1f -> ratio %.3f, target >= %.2f)
        """, records, callsPerBatch, workers, database, status(), recordsPerSec(), seconds(), ceilingRecordsPerSec(), ratio(),
        TARGET_RATIO));
    for (Destination d : new Destination[] {salesforce, mailchimp}) {
      b.append(String.format(Locale.ROOT,
          "%-17s %s: %,d in %.1f s = %,.1f/s in %,d calls of %d (429s: %,d); ceiling %,.1f/s (%d in flight) -> %.3f; lost/duplicates %d / %d%n",
          d.name(), d.status(), d.synced(), d.seconds(), d.recordsPerSec(), d.writeCalls(), d.batchSize(), d.responses429(),
          d.ceiling().recordsPerSec(), d.ceiling().inFlight(), d.ratio(), d.lost(), d.duplicates()));
    }
    return b.toString();
  }
}
