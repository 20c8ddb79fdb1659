package dev.sluice.sandbox.salesforce;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Fills a {@link SalesforceStore} with deterministic records: the same seed, counts and clock give
 * the same data. Includes the edge cases syncs trip on: unicode names, missing emails, emails that
 * differ from another record's only in case, values at their maximum length.
 */
final class SalesforceDataGenerator {
  private static final String[] FIRST = {"Anna", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro",
      "Ingrid", "José", "Kai", "Łukasz", "María", "Noah", "Olivia", "Priya", "Quentin", "Rosa", "Søren", "Tomás",
      "Uma", "Viktor", "Wei", "Ximena", "Yusuf", "Zoë", "李", "Ана"};
  private static final String[] LAST = {"Andersen", "Brown", "Çelik", "Dubois", "Eriksson", "García", "Hoffmann",
      "Ivanova", "Jones", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Petrov", "Quinn", "Rossi", "Smith",
      "Tanaka", "Ünal", "Van der Berg", "Wang", "Yilmaz", "Zhang", "王"};
  private static final String[] COMPANY = {"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark",
      "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Nordström & Søn", "Café Müller", "株式会社 Sakura"};
  private static final String[] SUFFIX = {"Inc.", "GmbH", "Ltd", "SA", "LLC", "AB", "KK"};
  private static final String[] INDUSTRY = {"Technology", "Finance", "Healthcare", "Retail", "Manufacturing",
      "Education", null};
  private static final String[] SOURCE = {"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other", null};
  private static final String[] LEAD_STATUS = {"Open - Not Contacted", "Working - Contacted", "Closed - Converted",
      "Closed - Not Converted"};
  private static final String[] STAGE = {"Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote",
      "Negotiation/Review", "Closed Won", "Closed Lost"};
  private static final String[] CITY = {"Berlin", "São Paulo", "Zürich", "New York", "Tōkyō", "Kraków", "Lagos"};

  private final Random random;
  private final Instant now;

  SalesforceDataGenerator(long seed, Instant now) {
    this.random = new Random(seed);
    this.now = now.truncatedTo(ChronoUnit.SECONDS);
  }

  void generate(SalesforceStore store, SalesforceOptions o) {
    List<String> accountIds = new ArrayList<>();
    SObjectSchema account = SObjectSchema.of("Account");
    for (int i = 1; i <= o.accounts(); i++) {
      Map<String, Object> f = new LinkedHashMap<>();
      String company = pick(COMPANY) + " " + (i) + " " + pick(SUFFIX);
      f.put("Name", company);
      f.put("Industry", pick(INDUSTRY));
      f.put("Website", "https://www." + slug(company) + ".example");
      f.put("Phone", phone());
      f.put("BillingCity", pick(CITY));
      f.put("BillingCountry", null);
      f.put("NumberOfEmployees", (long) (1 + random.nextInt(50_000)));
      f.put("AnnualRevenue", i % 7 == 0 ? null : (double) (random.nextInt(100_000) * 1000L));
      f.put(SObjectSchema.EXTERNAL_ID, String.format(Locale.ROOT, "ACC-%06d", i));
      stamp(f);
      accountIds.add(store.insertGenerated(account, f).id());
    }
    SObjectSchema contact = SObjectSchema.of("Contact");
    List<String> emails = new ArrayList<>();
    for (int i = 1; i <= o.contacts(); i++) {
      Map<String, Object> f = new LinkedHashMap<>();
      String first = pick(FIRST);
      String last = pick(LAST);
      f.put("FirstName", i % 31 == 0 ? null : first);
      f.put("LastName", last);
      f.put("Email", contactEmail(i, first, last, emails));
      f.put("Phone", i % 5 == 0 ? null : phone());
      f.put("Title", i % 97 == 0 ? "Senior Vice President of ".repeat(6).substring(0, 128) : pickTitle());
      f.put("AccountId", accountIds.isEmpty() || i % 11 == 0 ? null : accountIds.get(random.nextInt(accountIds.size())));
      f.put("LeadSource", pick(SOURCE));
      f.put("HasOptedOutOfEmail", random.nextInt(10) == 0);
      f.put("Birthdate", i % 3 == 0 ? LocalDate.of(1950 + random.nextInt(50), 1 + random.nextInt(12), 1 + random.nextInt(28)) : null);
      f.put(SObjectSchema.EXTERNAL_ID, String.format(Locale.ROOT, "CON-%06d", i));
      stamp(f);
      store.insertGenerated(contact, f);
    }
    SObjectSchema lead = SObjectSchema.of("Lead");
    for (int i = 1; i <= o.leads(); i++) {
      Map<String, Object> f = new LinkedHashMap<>();
      String first = pick(FIRST);
      String last = pick(LAST);
      f.put("FirstName", first);
      f.put("LastName", last);
      f.put("Email", i % 17 == 0 ? null : (ascii(first) + "." + ascii(last) + ".lead" + i + "@example.org"));
      f.put("Company", pick(COMPANY) + " " + pick(SUFFIX));
      f.put("Status", pick(LEAD_STATUS));
      f.put("LeadSource", pick(SOURCE));
      f.put("IsConverted", false);
      f.put(SObjectSchema.EXTERNAL_ID, String.format(Locale.ROOT, "LEA-%06d", i));
      stamp(f);
      store.insertGenerated(lead, f);
    }
    SObjectSchema opportunity = SObjectSchema.of("Opportunity");
    for (int i = 1; i <= o.opportunities(); i++) {
      Map<String, Object> f = new LinkedHashMap<>();
      String stage = pick(STAGE);
      f.put("Name", "Deal " + i + " – " + pick(COMPANY));
      f.put("StageName", stage);
      f.put("Amount", i % 9 == 0 ? null : (double) (500 + random.nextInt(500_000)));
      f.put("CloseDate", LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(random.nextInt(240) - 120));
      f.put("AccountId", accountIds.isEmpty() ? null : accountIds.get(random.nextInt(accountIds.size())));
      f.put("Probability", stage.startsWith("Closed Won") ? 100.0 : stage.startsWith("Closed") ? 0.0 : 10.0 * (1 + random.nextInt(9)));
      f.put("IsClosed", stage.startsWith("Closed"));
      f.put(SObjectSchema.EXTERNAL_ID, String.format(Locale.ROOT, "OPP-%06d", i));
      stamp(f);
      store.insertGenerated(opportunity, f);
    }
  }

  /** Every 25th contact reuses an earlier email in upper case; every 40th has none. */
  private String contactEmail(int i, String first, String last, List<String> emails) {
    if (i % 40 == 0) {
      return null;
    }
    if (i % 25 == 0 && !emails.isEmpty()) {
      return emails.get(random.nextInt(emails.size())).toUpperCase(Locale.ROOT);
    }
    String email = ascii(first) + "." + ascii(last) + i + "@example.com";
    emails.add(email);
    return email;
  }

  private void stamp(Map<String, Object> f) {
    Instant created = now.minus(1 + random.nextInt(365 * 24 * 60), ChronoUnit.MINUTES);
    long span = Math.max(1, ChronoUnit.MINUTES.between(created, now));
    Instant modified = created.plus(random.nextLong(span), ChronoUnit.MINUTES);
    f.put("CreatedDate", created);
    f.put("LastModifiedDate", modified);
    f.put("SystemModstamp", modified);
  }

  private String pickTitle() {
    return pick(new String[] {"CEO", "CTO", "Head of Growth", "Marketing Manager", "Sales Rep", null});
  }

  private String phone() {
    return String.format(Locale.ROOT, "+1 555 %03d %04d", random.nextInt(1000), random.nextInt(10_000));
  }

  private <T> T pick(T[] values) {
    return values[random.nextInt(values.length)];
  }

  /** Email-safe form of a name: non-ASCII letters are dropped, never guessed. */
  private static String ascii(String s) {
    String kept = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    return kept.isEmpty() ? "x" : kept;
  }

  private static String slug(String s) {
    return ascii(s.replace(" ", ""));
  }
}
