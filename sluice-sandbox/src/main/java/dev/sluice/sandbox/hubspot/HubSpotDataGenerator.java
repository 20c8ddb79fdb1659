package dev.sluice.sandbox.hubspot;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fills a sandbox portal with plausible CRM data, deterministically: the same {@link Spec} into an
 * empty portal gives the same records, ids, values and associations every time. Edge cases are
 * sprinkled at fixed intervals: unicode names, missing values, emails differing only in case, very
 * long values, custom properties, and a few ids beyond 2^32 and 2^53.
 */
public final class HubSpotDataGenerator {
  /** Every how many records an edge case is placed. */
  static final int EDGE_CASE_EVERY = 97;
  /** Length of the deliberately very long property values. */
  public static final int LONG_VALUE_LENGTH = 5_000;
  /** Ids given to the last records of each type when edge cases are on: beyond 2^32 and 2^53. */
  public static final long[] HUGE_IDS = {4_294_967_296L + 17, 9_007_199_254_740_993L};

  /**
   * What to generate.
   *
   * @param seed the random seed
   * @param customProperties how many custom properties ({@code sluice_custom_1}...) each record gets
   * @param edgeCases whether to add edge cases (unicode, nulls, case-twin emails, long values, huge ids)
   */
  public record Spec(long seed, int contacts, int companies, int deals, int tickets, int tasks, int customProperties, boolean edgeCases) {
    /** The most records of one type a portal is generated with (a 10M portal needs tens of GB of heap). */
    public static final int MAX_RECORDS = 10_000_000;
    /** The most custom properties generated per type. */
    public static final int MAX_CUSTOM_PROPERTIES = 200;

    public Spec {
      if (contacts < 0 || companies < 0 || deals < 0 || tickets < 0 || tasks < 0 || customProperties < 0) {
        throw new IllegalArgumentException("counts must not be negative");
      }
      if (Math.max(Math.max(contacts, companies), Math.max(Math.max(deals, tickets), tasks)) > MAX_RECORDS) {
        throw new IllegalArgumentException("at most " + MAX_RECORDS + " records of one type can be generated");
      }
      if (customProperties > MAX_CUSTOM_PROPERTIES) {
        throw new IllegalArgumentException("at most " + MAX_CUSTOM_PROPERTIES + " custom properties can be generated");
      }
    }

    /** Contacts only (with a company for every 20 contacts), edge cases on, two custom properties. */
    public static Spec contacts(long seed, int contacts) {
      return new Spec(seed, contacts, Math.max(1, contacts / 20), 0, 0, 0, 2, true);
    }
  }

  /** What was generated: records per type and how long it took. */
  public record Result(Map<HubSpotObjectType, Integer> created, long associations, long millis) {}

  private static final String[] FIRST = {"Anna", "Ben", "Chloé", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas",
      "Kai", "Lena", "Marco", "Nora", "Oscar", "Paula", "Quentin", "Rosa", "Samir", "Tara", "Uwe", "Vera", "Will", "Yara", "Zoë"};
  private static final String[] LAST = {"Smith", "Müller", "García", "Rossi", "Dubois", "Nowak", "Jensen", "Silva", "Kim",
      "Okafor", "Novak", "Larsen", "Schmidt", "Moreau", "Costa", "Ivanova", "Brown", "Wilson", "Taylor", "Fischer"};
  private static final String[] UNICODE_FIRST = {"Łukasz", "山田", "Ñúñez", "Ærøskøbing", "Σωκράτης", "Иван", "محمد", "🚀 Rocket"};
  private static final String[] DOMAINS = {"example.com", "example.org", "acme.test", "globex.test", "initech.test"};
  private static final String[] CITIES = {"Berlin", "Lisbon", "Boston", "Kraków", "Osaka", "Lyon", "Austin", "Oslo"};
  private static final String[] TITLES = {"CEO", "CTO", "Engineer", "Marketing Manager", "Sales Rep", "Analyst", "Designer"};
  private static final String[] STAGES = {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"};
  private static final String[] INDUSTRIES = {"COMPUTER_SOFTWARE", "RETAIL", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "MARKETING_AND_ADVERTISING"};
  private static final String[] DEAL_STAGES = {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "closedwon", "closedlost"};
  private static final String[] TICKET_STAGES = {"1", "2", "3", "4"};
  private static final String[] PRIORITIES = {"LOW", "MEDIUM", "HIGH"};
  private static final String[] TASK_STATUS = {"NOT_STARTED", "IN_PROGRESS", "COMPLETED", "WAITING"};
  private static final String[] TASK_TYPES = {"CALL", "EMAIL", "TODO"};
  private static final long TWO_YEARS_MILLIS = 2L * 365 * 86_400_000L;

  private final Spec spec;

  public HubSpotDataGenerator(Spec spec) {
    this.spec = spec;
  }

  /** Generates into a store; the caller holds its write lock. */
  Result generateInto(PortalStore store) {
    long started = System.nanoTime();
    SplittableRandom random = new SplittableRandom(spec.seed());
    long now = store.clock.millis();
    // Times are spread over the two years before "now", then rounded to a whole second of the
    // seed so that two runs at different wall-clock times still differ only by that offset.
    long base = now - TWO_YEARS_MILLIS;
    String longValue = "L".repeat(LONG_VALUE_LENGTH);
    Map<HubSpotObjectType, Integer> created = new EnumMap<>(HubSpotObjectType.class);
    long links = 0;

    long[] companyIds = generate(store, HubSpotObjectType.COMPANIES, spec.companies(), random, base, now, (i, slots, v, r) -> {
      String word = LAST[r.nextInt(LAST.length)];
      v[slots[0]] = word + " " + (i + 1) + (i % 3 == 0 ? " GmbH" : " Inc.");
      v[slots[1]] = word.toLowerCase(java.util.Locale.ROOT).replace("ü", "ue") + (i + 1) + "." + DOMAINS[r.nextInt(DOMAINS.length)];
      v[slots[2]] = INDUSTRIES[r.nextInt(INDUSTRIES.length)];
      v[slots[3]] = CITIES[r.nextInt(CITIES.length)];
      v[slots[4]] = Integer.toString(1 + r.nextInt(5000));
    }, "name", "domain", "industry", "city", "numberofemployees");
    created.put(HubSpotObjectType.COMPANIES, companyIds.length);

    long[] contactIds = generate(store, HubSpotObjectType.CONTACTS, spec.contacts(), random, base, now, (i, slots, v, r) -> {
      boolean edge = spec.edgeCases() && i % EDGE_CASE_EVERY == EDGE_CASE_EVERY - 1;
      String first = edge && i % 2 == 0 ? UNICODE_FIRST[(i / EDGE_CASE_EVERY) % UNICODE_FIRST.length] : FIRST[r.nextInt(FIRST.length)];
      String last = LAST[r.nextInt(LAST.length)];
      // Case-twin emails (edge cases) are set by fixEdgeCaseEmails once the previous contact exists.
      String email = "contact" + (i + 1) + "@" + DOMAINS[r.nextInt(DOMAINS.length)];
      v[slots[0]] = email;
      v[slots[1]] = edge && i % 5 == 1 ? null : first;
      v[slots[2]] = last;
      v[slots[3]] = r.nextInt(2) == 0 ? null : "+1 555 " + (1000 + r.nextInt(9000));
      v[slots[4]] = TITLES[r.nextInt(TITLES.length)];
      v[slots[5]] = STAGES[r.nextInt(STAGES.length)];
      v[slots[6]] = CITIES[r.nextInt(CITIES.length)];
      for (int c = 0; c < spec.customProperties(); c++) {
        v[slots[7 + c]] = edge && c == 0 ? longValue : r.nextInt(4) == 0 ? null : "value-" + r.nextInt(100);
      }
    }, contactProperties());
    created.put(HubSpotObjectType.CONTACTS, contactIds.length);
    fixEdgeCaseEmails(store, contactIds);

    for (int i = 0; i < contactIds.length && companyIds.length > 0; i++) {
      if (random.nextInt(10) < 8) links += link(store, HubSpotObjectType.CONTACTS, contactIds[i], HubSpotObjectType.COMPANIES,
          companyIds[random.nextInt(companyIds.length)]);
    }

    long[] dealIds = generate(store, HubSpotObjectType.DEALS, spec.deals(), random, base, now, (i, slots, v, r) -> {
      v[slots[0]] = "Deal " + (i + 1) + " – " + LAST[r.nextInt(LAST.length)];
      v[slots[1]] = Integer.toString(100 * (1 + r.nextInt(2000)));
      v[slots[2]] = DEAL_STAGES[r.nextInt(DEAL_STAGES.length)];
      v[slots[3]] = "default";
      v[slots[4]] = PortalStore.iso(now + (r.nextInt(180) - 90) * 86_400_000L);
    }, "dealname", "amount", "dealstage", "pipeline", "closedate");
    created.put(HubSpotObjectType.DEALS, dealIds.length);
    for (long deal : dealIds) {
      if (contactIds.length > 0) {
        int n = 1 + random.nextInt(2);
        for (int k = 0; k < n; k++) links += link(store, HubSpotObjectType.DEALS, deal, HubSpotObjectType.CONTACTS, contactIds[random.nextInt(contactIds.length)]);
      }
      if (companyIds.length > 0) links += link(store, HubSpotObjectType.DEALS, deal, HubSpotObjectType.COMPANIES, companyIds[random.nextInt(companyIds.length)]);
    }

    long[] ticketIds = generate(store, HubSpotObjectType.TICKETS, spec.tickets(), random, base, now, (i, slots, v, r) -> {
      v[slots[0]] = "Ticket " + (i + 1) + ": " + (r.nextInt(2) == 0 ? "cannot log in" : "invoice question");
      v[slots[1]] = r.nextInt(5) == 0 ? null : "Customer wrote in about issue " + (i + 1) + ".";
      v[slots[2]] = "0";
      v[slots[3]] = TICKET_STAGES[r.nextInt(TICKET_STAGES.length)];
      v[slots[4]] = PRIORITIES[r.nextInt(PRIORITIES.length)];
      v[slots[5]] = r.nextInt(2) == 0 ? "PRODUCT_ISSUE" : "BILLING_ISSUE";
    }, "subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority", "hs_ticket_category");
    created.put(HubSpotObjectType.TICKETS, ticketIds.length);
    for (long ticket : ticketIds) {
      if (contactIds.length > 0) links += link(store, HubSpotObjectType.TICKETS, ticket, HubSpotObjectType.CONTACTS, contactIds[random.nextInt(contactIds.length)]);
    }

    long[] taskIds = generate(store, HubSpotObjectType.TASKS, spec.tasks(), random, base, now, (i, slots, v, r) -> {
      v[slots[0]] = PortalStore.iso(now + (r.nextInt(60) - 30) * 86_400_000L);
      v[slots[1]] = "Follow up #" + (i + 1);
      v[slots[2]] = TASK_STATUS[r.nextInt(TASK_STATUS.length)];
      v[slots[3]] = PRIORITIES[r.nextInt(PRIORITIES.length)];
      v[slots[4]] = TASK_TYPES[r.nextInt(TASK_TYPES.length)];
    }, "hs_timestamp", "hs_task_subject", "hs_task_status", "hs_task_priority", "hs_task_type");
    created.put(HubSpotObjectType.TASKS, taskIds.length);
    for (long task : taskIds) {
      if (contactIds.length > 0) links += link(store, HubSpotObjectType.TASKS, task, HubSpotObjectType.CONTACTS, contactIds[random.nextInt(contactIds.length)]);
    }
    return new Result(created, links, (System.nanoTime() - started) / 1_000_000);
  }

  private String[] contactProperties() {
    String[] names = new String[7 + spec.customProperties()];
    String[] fixed = {"email", "firstname", "lastname", "phone", "jobtitle", "lifecyclestage", "city"};
    System.arraycopy(fixed, 0, names, 0, fixed.length);
    for (int c = 0; c < spec.customProperties(); c++) names[7 + c] = "sluice_custom_" + (c + 1);
    return names;
  }

  /** Case-twin emails must copy the previous contact's actual email; fix them after the fact. */
  private void fixEdgeCaseEmails(PortalStore store, long[] ids) {
    if (!spec.edgeCases()) return;
    PortalStore.Table t = store.table(HubSpotObjectType.CONTACTS);
    int slot = t.indexOf("email");
    for (int i = EDGE_CASE_EVERY - 1; i < ids.length; i += EDGE_CASE_EVERY) {
      if (!(i % 3 == 0 && i > 0)) continue;
      PortalStore.Rec prev = t.live.get(ids[i - 1]);
      PortalStore.Rec twin = t.live.get(ids[i]);
      String prevEmail = prev.values[slot];
      // Upper-case the local part only, so the pair differs only in letter case.
      int at = prevEmail.indexOf('@');
      twin.values[slot] = prevEmail.substring(0, at).toUpperCase(java.util.Locale.ROOT) + prevEmail.substring(at);
    }
  }

  private interface Filler {
    void fill(int index, int[] slots, String[] values, SplittableRandom random);
  }

  private long[] generate(PortalStore store, HubSpotObjectType type, int count, SplittableRandom random, long base, long now,
      Filler filler, String... properties) {
    PortalStore.Table t = store.table(type);
    int[] slots = new int[properties.length];
    int width = 0;
    for (int i = 0; i < properties.length; i++) {
      slots[i] = t.slot(properties[i]);
      width = Math.max(width, slots[i] + 1);
    }
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      String[] values = new String[width];
      filler.fill(i, slots, values, random);
      long createdAt = base + (long) (random.nextDouble() * (TWO_YEARS_MILLIS - 86_400_000L));
      long updatedAt = Math.min(now, createdAt + (long) (random.nextDouble() * (now - createdAt)));
      int fromEnd = count - i;
      long id = spec.edgeCases() && count >= 100 && fromEnd <= HUGE_IDS.length ? HUGE_IDS[HUGE_IDS.length - fromEnd] : t.newId();
      if (t.live.containsKey(id) || t.archived.containsKey(id)) id = t.newId();
      store.insertGenerated(type, id, values, createdAt, updatedAt);
      ids[i] = id;
    }
    return ids;
  }

  private static int link(PortalStore store, HubSpotObjectType from, long fromId, HubSpotObjectType to, long toId) {
    PortalStore.Rec a = store.table(from).live.get(fromId);
    PortalStore.Rec b = store.table(to).live.get(toId);
    boolean added = PortalStore.addLink(a, to, toId);
    PortalStore.addLink(b, from, fromId);
    return added ? 1 : 0;
  }
}
