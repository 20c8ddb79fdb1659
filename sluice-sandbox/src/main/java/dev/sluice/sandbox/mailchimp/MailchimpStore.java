package dev.sluice.sandbox.mailchimp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Audiences (lists) and their members, keyed by subscriber hash. Thread-safe: members are
 * immutable snapshots in concurrent maps; the writes to one list are serialized on that list.
 */
final class MailchimpStore {
  /** The status of an archived member; set only by archiving (DELETE), never written directly. */
  static final String ARCHIVED = "archived";
  static final Set<String> STATUSES = Set.of("subscribed", "unsubscribed", "cleaned", "pending", "transactional");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}");

  /** One audience. */
  static final class MailingList {
    final String id;
    final String name;
    final Map<String, MailchimpMember> members = new ConcurrentHashMap<>();

    MailingList(String id, String name) {
      this.id = id;
      this.name = name;
    }
  }

  /** What a write asks for; null fields are left as they are (or defaulted for a new member). */
  record MemberWrite(String email, String status, String statusIfNew, Map<String, Object> mergeFields, String emailType) {}

  /** A committed change; {@code before} is null for a new member. */
  record Change(MailchimpMember before, MailchimpMember after) {}

  private final Clock clock;
  private final Map<String, MailingList> lists = new LinkedHashMap<>();
  private final AtomicLong webIds = new AtomicLong(100_000);

  MailchimpStore(Clock clock, Map<String, String> listNames) {
    this.clock = clock;
    listNames.forEach((id, name) -> lists.put(id, new MailingList(id, name)));
  }

  MailingList list(String id) {
    MailingList l = lists.get(id);
    if (l == null) {
      throw MailchimpProblem.notFound();
    }
    return l;
  }

  List<MailingList> lists() {
    return List.copyOf(lists.values());
  }

  /** Members of a list ordered by last change, then hash (a stable order for paging). */
  List<MailchimpMember> members(String listId) {
    List<MailchimpMember> all = new ArrayList<>(list(listId).members.values());
    all.sort(Comparator.comparing(MailchimpMember::lastChanged).thenComparing(MailchimpMember::id));
    return all;
  }

  /**
   * Creates or updates one member. {@code pathHash} is the subscriber hash of a PUT URL (null for
   * batch writes, which address members by email). Throws {@link MailchimpProblem} when invalid.
   */
  Change upsert(String listId, String pathHash, MemberWrite w, boolean mayUpdate) {
    MailingList list = list(listId);
    if (w.email() == null || w.email().isBlank()) {
      throw MailchimpProblem.invalid("email_address", "This value should not be blank.");
    }
    String email = w.email().trim();
    if (!EMAIL.matcher(email).matches()) {
      throw new MailchimpProblem(400, "Invalid Resource",
          email + " looks fake or invalid, please enter a real email address.");
    }
    for (String s : new String[] {w.status(), w.statusIfNew()}) {
      if (s != null && !STATUSES.contains(s)) {
        throw MailchimpProblem.invalid("status", "Value must be one of: subscribed, unsubscribed, cleaned, pending, transactional");
      }
    }
    if (w.emailType() != null && !w.emailType().equals("html") && !w.emailType().equals("text")) {
      throw MailchimpProblem.invalid("email_type", "Value must be one of: html, text");
    }
    String hash = subscriberHash(email);
    synchronized (list) {
      MailchimpMember existing = list.members.get(pathHash != null ? pathHash : hash);
      if (existing == null && pathHash != null && !pathHash.equals(hash)) {
        throw new MailchimpProblem(400, "Invalid Resource",
            "The subscriber hash in the URL does not match the email address " + email + ".");
      }
      if (existing != null && !mayUpdate) {
        throw new MailchimpProblem(400, "Member Exists",
            email + " is already a list member. Use PUT to insert or update list members.");
      }
      if (existing != null && !existing.id().equals(hash) && list.members.containsKey(hash)) {
        throw new MailchimpProblem(400, "Member Exists", email + " is already a list member.");
      }
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      MailchimpMember after;
      if (existing == null) {
        String status = w.statusIfNew() != null ? w.statusIfNew() : w.status();
        if (status == null) {
          throw MailchimpProblem.invalid("status_if_new", "status_if_new or status is required for a new member.");
        }
        Map<String, Object> merges = w.mergeFields() == null ? Map.of() : w.mergeFields();
        after = new MailchimpMember(list.id, hash, email, uniqueEmailId(list.id, email), webIds.incrementAndGet(),
            w.emailType() == null ? "html" : w.emailType(), status, merges, now, now);
      } else {
        Map<String, Object> merges = new LinkedHashMap<>(existing.mergeFields());
        if (w.mergeFields() != null) {
          merges.putAll(w.mergeFields());
        }
        after = new MailchimpMember(list.id, hash, email, existing.uniqueEmailId(), existing.webId(),
            w.emailType() == null ? existing.emailType() : w.emailType(),
            w.status() == null ? existing.status() : w.status(), merges, existing.timestampSignup(), now);
        if (!existing.id().equals(hash)) {
          list.members.remove(existing.id());
        }
      }
      list.members.put(hash, after);
      return new Change(existing, after);
    }
  }

  /** Archives a member (status {@code archived}, kept in the list); 404 problem when there is none. */
  Change archive(String listId, String hash) {
    MailingList list = list(listId);
    synchronized (list) {
      MailchimpMember existing = list.members.get(hash);
      if (existing == null) {
        throw MailchimpProblem.notFound();
      }
      MailchimpMember after = new MailchimpMember(list.id, hash, existing.emailAddress(), existing.uniqueEmailId(),
          existing.webId(), existing.emailType(), ARCHIVED, existing.mergeFields(), existing.timestampSignup(),
          clock.instant().truncatedTo(ChronoUnit.SECONDS));
      list.members.put(hash, after);
      return new Change(existing, after);
    }
  }

  /** Inserts a generated member as it is. */
  void insertGenerated(MailchimpMember m) {
    list(m.listId()).members.put(m.id(), m);
  }

  void generate(long seed, int perList) {
    String[] first = {"Anna", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "José", "Łukasz", "Zoë", "李", "Søren"};
    String[] last = {"Smith", "García", "Müller", "Nakamura", "O'Brien", "Rossi", "Wang", "Çelik"};
    String[] statuses = {"subscribed", "subscribed", "subscribed", "subscribed", "unsubscribed", "cleaned", "pending"};
    Random random = new Random(seed);
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    for (MailingList list : lists.values()) {
      for (int i = 1; i <= perList; i++) {
        String f = first[random.nextInt(first.length)];
        String l = last[random.nextInt(last.length)];
        String local = ascii(f) + "." + ascii(l) + i;
        // Some addresses keep mixed case, as people type them; the hash is of the lower-case form.
        String email = (i % 6 == 0 ? capitalize(local) + "@Example.com" : local + "@example.com");
        Map<String, Object> merges = new LinkedHashMap<>();
        merges.put("FNAME", i % 13 == 0 ? "" : f);
        merges.put("LNAME", l);
        merges.put("PHONE", i % 4 == 0 ? "" : String.format(Locale.ROOT, "+1 555 %04d", random.nextInt(10_000)));
        Instant signup = now.minus(1 + random.nextInt(365 * 24 * 60), ChronoUnit.MINUTES);
        Instant changed = signup.plus(random.nextLong(Math.max(1, ChronoUnit.MINUTES.between(signup, now))), ChronoUnit.MINUTES);
        insertGenerated(new MailchimpMember(list.id, subscriberHash(email), email, uniqueEmailId(list.id, email),
            webIds.incrementAndGet(), i % 9 == 0 ? "text" : "html", statuses[random.nextInt(statuses.length)],
            merges, signup, changed));
      }
    }
  }

  /** md5 of the lower-case email, as Mailchimp addresses members. */
  static String subscriberHash(String email) {
    return HexFormat.of().formatHex(md5(email.trim().toLowerCase(Locale.ROOT)));
  }

  private static String uniqueEmailId(String listId, String email) {
    return HexFormat.of().formatHex(md5(listId + "/" + email.toLowerCase(Locale.ROOT))).substring(0, 10);
  }

  private static byte[] md5(String s) {
    try {
      return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JDK", e);
    }
  }

  private static String ascii(String s) {
    String kept = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    return kept.isEmpty() ? "x" : kept;
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
