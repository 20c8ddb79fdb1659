package dev.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What {@code sluice bench pipeline} measured.
 *
 * @param records          mirror records the run had to push
 * @param synced           records the run reported sent
 * @param seconds          trigger to the run's end
 * @param writeCalls       destination write calls the run made
 * @param batchSize        records per write call
 * @param requestsPer10s   the destination's write limit for the run (requests per 10 s)
 * @param responses429     429 answers the sandbox served during the run
 * @param lost             mirror records missing from the destination when read back
 * @param duplicates       destination records beyond one per e-mail address
 * @param status           the run's final status
 * @param mailchimp        the same records pushed to the sandbox Mailchimp audience afterwards
 */
public record PipelineBenchReport(long records, long synced, double seconds, long writeCalls, int batchSize, int requestsPer10s,
    long responses429, long lost, long duplicates, String status, String destination, Destination mailchimp, String database,
    String sandbox, int workers, double[] loadAtStart, double[] loadAtEnd) {

  /**
   * A destination whose limit is not a rate (Mailchimp: 10 simultaneous connections), so no
   * ceiling in records per second follows from it: its figures are reported beside the ratio.
   */
  public record Destination(String name, long synced, double seconds, long writeCalls, int batchSize, long responses429, long lost,
      long duplicates, String status) {
    public double recordsPerSec() {
      return synced / seconds;
    }

    ObjectNode json(ObjectMapper m) {
      ObjectNode o = m.createObjectNode();
      o.put("destination", name);
      o.put("status", status);
      o.put("synced", synced);
      o.put("seconds", QueueBenchReport.round(seconds, 2));
      SyncBenchReport.number(o, "records_per_sec", recordsPerSec(), 1);
      o.putNull("ceiling_records_per_sec");
      o.put("limit", "10 simultaneous connections, no rate (the pipeline holds one at a time)");
      o.put("write_calls", writeCalls);
      o.put("batch_size", batchSize);
      o.put("responses_429", responses429);
      o.put("lost", lost);
      o.put("duplicates", duplicates);
      return o;
    }
  }

  /** Lost over both destinations. */
  public long lostTotal() {
    return lost + (mailchimp == null ? 0 : mailchimp.lost());
  }

  /** Duplicates over both destinations. */
  public long duplicatesTotal() {
    return duplicates + (mailchimp == null ? 0 : mailchimp.duplicates());
  }
  /** Target from issue 12. */
  public static final double TARGET_RATIO = 0.9;

  public double recordsPerSec() {
    return synced / seconds;
  }

  /**
   * Fastest the write limit allows for the calls this run needed: the limit's rolling window lets
   * its first {@code requestsPer10s} calls go at once, every further call waits its turn.
   */
  public double minimumSeconds() {
    long calls = (records + batchSize - 1) / batchSize;
    return Math.max(0, calls - requestsPer10s) * 10.0 / requestsPer10s;
  }

  /** Records per second the limit allows for this run; NaN when the run fits in the first window (no limit binds). */
  public double ceilingRecordsPerSec() {
    return minimumSeconds() == 0 ? Double.NaN : records / minimumSeconds();
  }

  public double ratio() {
    return recordsPerSec() / ceilingRecordsPerSec();
  }

  public String toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode o = m.createObjectNode();
    o.put("benchmark", "pipeline");
    o.put("status", status);
    o.put("destination", destination);
    o.put("records", records);
    o.put("synced", synced);
    o.put("seconds", QueueBenchReport.round(seconds, 2));
    SyncBenchReport.number(o, "records_per_sec", recordsPerSec(), 1);
    SyncBenchReport.number(o, "ceiling_records_per_sec", ceilingRecordsPerSec(), 1);
    SyncBenchReport.number(o, "ratio", ratio(), 3);
    o.put("write_calls", writeCalls);
    o.put("batch_size", batchSize);
    o.put("requests_per_10s_allowed", requestsPer10s);
    o.put("responses_429", responses429 + (mailchimp == null ? 0 : mailchimp.responses429()));
    o.put("lost", lostTotal());
    o.put("duplicates", duplicatesTotal());
    ObjectNode sf = o.putObject("salesforce");
    sf.put("responses_429", responses429);
    sf.put("lost", lost);
    sf.put("duplicates", duplicates);
    if (mailchimp != null) o.set("mailchimp", mailchimp.json(m));
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
    return String.format(Locale.ROOT, """
        Pipeline benchmark: %,d mirror contacts -> %s (%d records a call, %d calls / 10 s), %d workers
        Database: %s
        status            %s
        seconds           %.1f
        records/s         %,.1f   (ceiling %,.1f -> ratio %.3f, target >= %.2f)
        write calls       %,d   (429s: %,d)
        lost/duplicates   %d / %d
        %s
        """, records, destination, batchSize, requestsPer10s, workers, database, status, seconds, recordsPerSec(),
        ceilingRecordsPerSec(), ratio(), TARGET_RATIO, writeCalls, responses429, lost, duplicates,
        mailchimp == null ? "" : String.format(Locale.ROOT,
            "then %s: %s, %,d records in %.1f s = %,.1f/s in %,d calls of %d (429s: %,d), lost/duplicates %d / %d (limit: 10 connections, no rate)",
            mailchimp.name(), mailchimp.status(), mailchimp.synced(), mailchimp.seconds(), mailchimp.recordsPerSec(),
            mailchimp.writeCalls(), mailchimp.batchSize(), mailchimp.responses429(), mailchimp.lost(), mailchimp.duplicates()));
  }
}
