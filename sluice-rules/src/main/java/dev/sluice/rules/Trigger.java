package dev.sluice.rules;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rule listens to ({@code on:}): an inbound event of a connection, a schedule, a lead of a
 * lead source, or a change the mirror saw (a sync run or a webhook refresh).
 */
sealed interface Trigger {
  /** The trigger's name in decisions: {@code event}, {@code schedule}, {@code lead} or {@code sync-change}. */
  String kind();

  /** {@code on: hubspot-main/deal.propertyChange}: inbound events of that connection and type. */
  record Event(String connection, String eventType) implements Trigger {
    public String kind() { return "event"; }

    @Override
    public String toString() { return connection + "/" + eventType; }
  }

  /**
   * {@code on: {schedule: "0 7 * * 1-5", zone: Europe/Amsterdam}}: every tick of a Unix cron
   * expression, once across all processes. {@code report: dead-jobs} adds the dead jobs to {@code event}.
   */
  record Schedule(String cron, ZoneId zone, String report) implements Trigger {
    public String kind() { return "schedule"; }

    @Override
    public String toString() { return "schedule " + cron + " (" + zone + ")" + (report == null ? "" : " report " + report); }
  }

  /** {@code on: leads/<source>}: a lead accepted by the intake (new) or merged into a stored one. */
  record Lead(String source) implements Trigger {
    public String kind() { return "lead"; }

    @Override
    public String toString() { return "leads/" + source; }
  }

  /**
   * {@code on: hubspot-main/contact.syncChange}: a mirror record of that connection and type
   * created, changed or archived by a sync run or a webhook refresh.
   */
  record SyncChange(String connection, String objectType, String mirrorType) implements Trigger {
    public String kind() { return "sync-change"; }

    @Override
    public String toString() { return connection + "/" + objectType + ".syncChange"; }
  }

  /** Report names a schedule may add. */
  String DEAD_JOBS_REPORT = "dead-jobs";

  Pattern EVENT = Pattern.compile("([A-Za-z0-9_.-]+)/([A-Za-z0-9_]+)\\.([A-Za-z0-9_]+)");
  Pattern LEADS = Pattern.compile("leads/([A-Za-z0-9_.-]+)");
  String HELP = "'on' is connection/objectType.eventType (e.g. hubspot-main/deal.propertyChange), "
      + "connection/objectType.syncChange, leads/<source>, or {schedule: \"0 7 * * *\", zone: UTC}";

  /** Parses the string form; throws IllegalArgumentException with the reason. */
  static Trigger parse(String on) {
    String v = on == null ? "" : on.strip();
    Matcher l = LEADS.matcher(v);
    if (l.matches()) return new Lead(l.group(1));
    Matcher m = EVENT.matcher(v);
    if (!m.matches()) throw new IllegalArgumentException(HELP + "; got '" + v + "'");
    if (m.group(3).equals("syncChange")) return new SyncChange(m.group(1), m.group(2), mirrorType(m.group(2)));
    return new Event(m.group(1), m.group(2) + "." + m.group(3));
  }

  /** Parses the mapping form {@code {schedule, zone, report}}. */
  static Trigger schedule(Map<String, String> on) {
    for (String k : on.keySet()) {
      if (!k.equals("schedule") && !k.equals("zone") && !k.equals("report")) {
        throw new IllegalArgumentException("unknown key '" + k + "' under 'on' (known: schedule, zone, report)");
      }
    }
    String cron = on.get("schedule");
    if (cron == null || cron.isBlank()) throw new IllegalArgumentException("'on' as a mapping needs schedule: a Unix cron expression such as \"0 7 * * 1-5\"");
    try {
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(cron.strip()).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("schedule '" + cron + "' is not a Unix cron expression (minute hour day-of-month month day-of-week): " + e.getMessage());
    }
    ZoneId zone;
    try {
      zone = on.get("zone") == null ? ZoneId.of("UTC") : ZoneId.of(on.get("zone").strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("zone '" + on.get("zone") + "' is not a time zone (e.g. UTC, Europe/Amsterdam)");
    }
    String report = on.get("report");
    if (report != null && !report.equals(DEAD_JOBS_REPORT)) throw new IllegalArgumentException("report must be " + DEAD_JOBS_REPORT + "; got '" + report + "'");
    return new Schedule(cron.strip(), zone, report);
  }

  /** The mirror's object type of a HubSpot-style singular name: contact → contacts, company → companies. */
  static String mirrorType(String objectType) {
    String t = objectType.toLowerCase(Locale.ROOT);
    return switch (t) {
      case "contact", "contacts" -> "contacts";
      case "company", "companies" -> "companies";
      case "deal", "deals" -> "deals";
      case "ticket", "tickets" -> "tickets";
      default -> objectType;
    };
  }
}
