package dev.sluice.sandbox.hubspot;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory data of one sandbox HubSpot portal: every object type's records and their
 * associations. One read-write lock guards everything (reads are concurrent; writes are short), so
 * an association always has both of its directions. Records are kept in id order so {@code after}
 * paging is a tree lookup. Property values live in a per-record array indexed through a per-type
 * property catalog, not in a map per record, so a million contacts fit in a small heap.
 */
final class PortalStore {
  static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final int TYPE_COUNT = HubSpotObjectType.values().length;

  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  final Clock clock;
  volatile long indexLagMillis;
  private final EnumMap<HubSpotObjectType, Table> tables = new EnumMap<>(HubSpotObjectType.class);

  /** One record. Mutated only under the write lock. */
  static final class Rec {
    final long id;
    String[] values;
    long createdAt;
    long updatedAt;
    long archivedAt;
    /** The version search still sees while this one is within the index lag (null: none kept). */
    String[] indexedValues;
    long indexedUpdatedAt;
    /** Associated ids per target type ordinal, each array sorted; null until the first one. */
    long[][] links;

    Rec(long id, String[] values, long createdAt, long updatedAt) {
      this.id = id;
      this.values = values;
      this.createdAt = createdAt;
      this.updatedAt = updatedAt;
    }

    long[] links(HubSpotObjectType to) {
      return links == null || links[to.ordinal()] == null ? EMPTY : links[to.ordinal()];
    }
  }

  static final long[] EMPTY = new long[0];
  static final java.util.Comparator<Rec> BY_MODIFIED =
      java.util.Comparator.<Rec>comparingLong(r -> r.updatedAt).thenComparingLong(r -> r.id);

  /** A record whose updatedAt is about to change leaves the modified index first, then returns. */
  private static void touch(Table t, Rec r, long updatedAt) {
    t.byModified.remove(r);
    r.updatedAt = updatedAt;
    t.byModified.add(r);
  }

  /** The records of one object type. */
  static final class Table {
    final HubSpotObjectType type;
    final TreeMap<Long, Rec> live = new TreeMap<>();
    final TreeMap<Long, Rec> archived = new TreeMap<>();
    /**
     * Live records by (last modified, id): searches filtering on the last-modified property (the
     * incremental-sync query) visit only the records in range instead of all of them.
     */
    final java.util.TreeSet<Rec> byModified = new java.util.TreeSet<>(BY_MODIFIED);
    /** Ids merged away, pointing at the record they live on in. */
    final HashMap<Long, Long> mergedInto = new HashMap<>();
    private final Map<String, Integer> propertyIndex = new ConcurrentHashMap<>();
    private final List<String> propertyNames = new ArrayList<>();
    /** When each slot was first written (the {@code createdAt} of a property the portal did not define). */
    private final List<Long> propertyFirstSeen = new ArrayList<>();
    private final Clock clock;
    /** Lower-cased value → id, built the first time a property is used as a unique key. */
    private final Map<String, HashMap<String, Long>> uniqueIndexes = new HashMap<>();
    long nextId = 1;

    Table(HubSpotObjectType type, Clock clock) {
      this.type = type;
      this.clock = clock;
    }

    /** The slot of a stored property, or -1 if no record ever had it. */
    int indexOf(String name) {
      Integer i = propertyIndex.get(name);
      return i == null ? -1 : i;
    }

    /** The slot of a stored property, creating it; write lock held. */
    int slot(String name) {
      Integer i = propertyIndex.get(name);
      if (i != null) return i;
      int n = propertyNames.size();
      propertyNames.add(name);
      propertyFirstSeen.add(clock.millis());
      propertyIndex.put(name, n);
      return n;
    }

    List<String> propertyNames() {
      return List.copyOf(propertyNames);
    }

    /** When a stored property was first written; read lock held. */
    long propertyFirstSeen(int slot) {
      return propertyFirstSeen.get(slot);
    }

    long newId() {
      while (live.containsKey(nextId) || archived.containsKey(nextId) || mergedInto.containsKey(nextId)) nextId++;
      return nextId++;
    }
  }

  PortalStore(Clock clock, long indexLagMillis) {
    this.clock = clock;
    this.indexLagMillis = indexLagMillis;
    for (HubSpotObjectType t : HubSpotObjectType.values()) tables.put(t, new Table(t, clock));
  }

  Table table(HubSpotObjectType type) {
    return tables.get(type);
  }

  /** {@code 2024-09-11T13:27:39.356Z}: always three fraction digits, as HubSpot writes them. */
  static String iso(long millis) {
    long days = Math.floorDiv(millis, 86_400_000L);
    int msOfDay = (int) Math.floorMod(millis, 86_400_000L);
    java.time.LocalDate date = java.time.LocalDate.ofEpochDay(days);
    int year = date.getYear();
    // Hand-written because this runs three times per record on every page; years outside
    // 0..9999 (never in practice) take the formatter.
    if (year < 0 || year > 9999) return ISO.format(Instant.ofEpochMilli(millis));
    char[] c = new char[24];
    put(c, 0, year, 4);
    c[4] = '-';
    put(c, 5, date.getMonthValue(), 2);
    c[7] = '-';
    put(c, 8, date.getDayOfMonth(), 2);
    c[10] = 'T';
    put(c, 11, msOfDay / 3_600_000, 2);
    c[13] = ':';
    put(c, 14, msOfDay / 60_000 % 60, 2);
    c[16] = ':';
    put(c, 17, msOfDay / 1000 % 60, 2);
    c[19] = '.';
    put(c, 20, msOfDay % 1000, 3);
    c[23] = 'Z';
    return new String(c);
  }

  private static void put(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  static boolean isDerived(HubSpotObjectType type, String name) {
    return name.equals("hs_object_id") || name.equals("createdate") || name.equals("hs_createdate")
        || name.equals(type.lastModifiedProperty());
  }

  /** A property's value as the API shows it (computed ones included); {@code null} if unset. */
  static String value(Table t, Rec r, String[] values, long updatedAt, String name) {
    switch (name) {
      case "hs_object_id" -> {
        return Long.toString(r.id);
      }
      case "createdate" -> {
        return iso(r.createdAt);
      }
      case "hs_createdate" -> {
        if (t.type.engagement()) return iso(r.createdAt);
      }
      default -> { }
    }
    if (name.equals(t.type.lastModifiedProperty())) return iso(updatedAt);
    int i = t.indexOf(name);
    return i < 0 || i >= values.length ? null : values[i];
  }

  static String value(Table t, Rec r, String name) {
    return value(t, r, r.values, r.updatedAt, name);
  }

  /** Every property with a value, computed ones included (for snapshots and admin). */
  static Map<String, String> allValues(Table t, Rec r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < r.values.length; i++) {
      if (r.values[i] != null) out.put(t.propertyNames.get(i), r.values[i]);
    }
    out.put("hs_object_id", Long.toString(r.id));
    out.put("createdate", iso(r.createdAt));
    if (t.type.engagement()) out.put("hs_createdate", iso(r.createdAt));
    out.put(t.type.lastModifiedProperty(), iso(r.updatedAt));
    return out;
  }

  // ---- search visibility (index lag) ----

  /** What search sees of a record now: its values array, or null when it is not indexed yet. */
  String[] searchableValues(Rec r, long now) {
    long lag = indexLagMillis;
    if (lag <= 0 || now - r.updatedAt >= lag) return r.values;
    return r.indexedValues; // the previous version, or null for a record created within the lag
  }

  long searchableUpdatedAt(Rec r, long now) {
    long lag = indexLagMillis;
    if (lag <= 0 || now - r.updatedAt >= lag) return r.updatedAt;
    return r.indexedUpdatedAt;
  }

  // ---- writes (write lock held by the caller) ----

  Rec create(HubSpotObjectType type, Map<String, String> properties, long createdAt, String source, List<Change> changes) {
    Table t = table(type);
    long id = t.newId();
    Rec r = new Rec(id, new String[0], createdAt, createdAt);
    t.live.put(id, r);
    t.byModified.add(r);
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (isDerived(type, e.getKey())) continue;
      setValue(t, r, e.getKey(), e.getValue());
    }
    changes.add(Change.creation(type, id, source));
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (isDerived(type, e.getKey()) || e.getValue() == null) continue;
      changes.add(Change.propertyChange(type, id, e.getKey(), e.getValue(), source));
    }
    return r;
  }

  /** Applies property values; returns whether anything changed (then updatedAt moves). */
  boolean update(HubSpotObjectType type, Rec r, Map<String, String> properties, String source, List<Change> changes) {
    Table t = table(type);
    long now = clock.millis();
    boolean changed = false;
    for (Map.Entry<String, String> e : properties.entrySet()) {
      String name = e.getKey();
      if (isDerived(type, name)) continue;
      // HubSpot stores an empty string as "no value".
      String v = e.getValue() == null || e.getValue().isEmpty() ? null : e.getValue();
      String old = value(t, r, name);
      if (java.util.Objects.equals(old, v)) continue;
      if (!changed) {
        rememberIndexedVersion(r, now);
        changed = true;
      }
      setValue(t, r, name, v);
      changes.add(Change.propertyChange(type, r.id, name, v == null ? "" : v, source));
    }
    if (changed) touch(t, r, Math.max(now, r.updatedAt));
    return changed;
  }

  private void rememberIndexedVersion(Rec r, long now) {
    long lag = indexLagMillis;
    if (lag <= 0) {
      r.indexedValues = null;
      return;
    }
    // Only a version older than the lag is in the index; a newer one never made it there.
    if (now - r.updatedAt >= lag) {
      r.indexedValues = r.values.clone();
      r.indexedUpdatedAt = r.updatedAt;
    }
  }

  void setValue(Table t, Rec r, String name, String v) {
    int slot = t.slot(name);
    if (slot >= r.values.length) {
      if (v == null) return;
      r.values = Arrays.copyOf(r.values, slot + 1);
    }
    String old = r.values[slot];
    HashMap<String, Long> unique = t.uniqueIndexes.get(name);
    if (unique != null) {
      if (old != null) unique.remove(old.toLowerCase(Locale.ROOT), r.id);
      if (v != null) unique.putIfAbsent(v.toLowerCase(Locale.ROOT), r.id);
    }
    r.values[slot] = v;
  }

  /** Moves a live record to the recycle bin and detaches its associations. */
  void archive(HubSpotObjectType type, Rec r, String source, List<Change> changes) {
    Table t = table(type);
    long now = clock.millis();
    t.live.remove(r.id);
    t.byModified.remove(r);
    r.archivedAt = now;
    r.updatedAt = Math.max(now, r.updatedAt);
    r.indexedValues = null;
    t.archived.put(r.id, r);
    for (Map.Entry<String, HashMap<String, Long>> u : t.uniqueIndexes.entrySet()) {
      String v = value(t, r, u.getKey());
      if (v != null) u.getValue().remove(v.toLowerCase(Locale.ROOT), r.id);
    }
    for (HubSpotObjectType other : HubSpotObjectType.values()) {
      for (long otherId : r.links(other)) {
        Rec o = table(other).live.get(otherId);
        if (o != null) removeLink(o, type, r.id);
      }
    }
    changes.add(Change.deletion(type, r.id, source));
  }

  /**
   * Merges {@code secondary} into {@code primary}: values the primary lacks are taken over, the
   * associations are joined, and the secondary id from then on resolves to the primary.
   */
  void merge(HubSpotObjectType type, Rec primary, Rec secondary, String source, List<Change> changes) {
    Table t = table(type);
    long now = clock.millis();
    rememberIndexedVersion(primary, now);
    for (int i = 0; i < secondary.values.length; i++) {
      String v = secondary.values[i];
      if (v == null) continue;
      String name = t.propertyNames.get(i);
      if (value(t, primary, name) == null) setValue(t, primary, name, v);
    }
    String mergedIds = value(t, primary, "hs_merged_object_ids");
    setValue(t, primary, "hs_merged_object_ids",
        (mergedIds == null ? "" : mergedIds + ";") + secondary.id);
    for (HubSpotObjectType other : HubSpotObjectType.values()) {
      for (long otherId : secondary.links(other)) {
        Rec o = table(other).live.get(otherId);
        if (o == null) continue;
        removeLink(o, type, secondary.id);
        addLink(o, type, primary.id);
        addLink(primary, other, otherId);
      }
    }
    for (Map.Entry<String, HashMap<String, Long>> u : t.uniqueIndexes.entrySet()) {
      String v = value(t, secondary, u.getKey());
      if (v != null) u.getValue().remove(v.toLowerCase(Locale.ROOT), secondary.id);
    }
    t.live.remove(secondary.id);
    t.byModified.remove(secondary);
    t.mergedInto.put(secondary.id, primary.id);
    t.mergedInto.replaceAll((from, into) -> into == secondary.id ? primary.id : into);
    touch(t, primary, Math.max(now, primary.updatedAt));
    changes.add(Change.merge(type, primary.id, List.of(secondary.id), source));
  }

  /** Associates two live records both ways; returns false if they already were. */
  boolean associate(AssociationKind kind, Rec from, Rec to, String source, List<Change> changes) {
    boolean added = addLink(from, kind.to(), to.id);
    addLink(to, kind.from(), from.id);
    if (added) {
      changes.add(Change.association(kind, from.id, to.id, false, source));
      AssociationKind back = kind.reverse();
      if (back != null) changes.add(Change.association(back, to.id, from.id, false, source));
    }
    return added;
  }

  boolean dissociate(AssociationKind kind, Rec from, Rec to, String source, List<Change> changes) {
    boolean removed = removeLink(from, kind.to(), to.id);
    removeLink(to, kind.from(), from.id);
    if (removed) {
      changes.add(Change.association(kind, from.id, to.id, true, source));
      AssociationKind back = kind.reverse();
      if (back != null) changes.add(Change.association(back, to.id, from.id, true, source));
    }
    return removed;
  }

  static boolean addLink(Rec r, HubSpotObjectType to, long id) {
    if (r.links == null) r.links = new long[TYPE_COUNT][];
    long[] cur = r.links[to.ordinal()];
    if (cur == null) {
      r.links[to.ordinal()] = new long[] {id};
      return true;
    }
    int pos = Arrays.binarySearch(cur, id);
    if (pos >= 0) return false;
    int at = -pos - 1;
    long[] next = new long[cur.length + 1];
    System.arraycopy(cur, 0, next, 0, at);
    next[at] = id;
    System.arraycopy(cur, at, next, at + 1, cur.length - at);
    r.links[to.ordinal()] = next;
    return true;
  }

  static boolean removeLink(Rec r, HubSpotObjectType to, long id) {
    long[] cur = r.links(to);
    int pos = Arrays.binarySearch(cur, id);
    if (pos < 0) return false;
    long[] next = new long[cur.length - 1];
    System.arraycopy(cur, 0, next, 0, pos);
    System.arraycopy(cur, pos + 1, next, pos, cur.length - pos - 1);
    r.links[to.ordinal()] = next.length == 0 ? null : next;
    return true;
  }

  // ---- lookups (read lock, or write lock for unique indexes' first build) ----

  /** A live record by id, following merges. */
  Rec live(HubSpotObjectType type, long id) {
    Table t = table(type);
    Rec r = t.live.get(id);
    if (r != null) return r;
    Long into = t.mergedInto.get(id);
    return into == null ? null : t.live.get(into);
  }

  /**
   * A live record by a unique property (case-insensitive, as HubSpot matches emails). Builds the
   * property's index on first use, so the caller must hold the write lock the first time: use
   * {@link #ensureUniqueIndex} under the write lock before reading under the read lock.
   */
  Rec byUnique(HubSpotObjectType type, String property, String value) {
    if (property.equals("hs_object_id")) {
      try {
        return live(type, Long.parseLong(value));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    Table t = table(type);
    HashMap<String, Long> index = t.uniqueIndexes.get(property);
    if (index == null) throw new IllegalStateException("unique index for " + property + " not built");
    Long id = index.get(value.toLowerCase(Locale.ROOT));
    return id == null ? null : t.live.get(id);
  }

  boolean hasUniqueIndex(HubSpotObjectType type, String property) {
    return property.equals("hs_object_id") || table(type).uniqueIndexes.containsKey(property);
  }

  /** Builds a unique index (write lock held). The first record wins when values collide. */
  void ensureUniqueIndex(HubSpotObjectType type, String property) {
    if (property.equals("hs_object_id")) return;
    Table t = table(type);
    if (t.uniqueIndexes.containsKey(property)) return;
    HashMap<String, Long> index = new HashMap<>(Math.max(16, t.live.size() * 2));
    int slot = t.indexOf(property);
    if (slot >= 0) {
      for (Rec r : t.live.values()) {
        if (slot < r.values.length && r.values[slot] != null) index.putIfAbsent(r.values[slot].toLowerCase(Locale.ROOT), r.id);
      }
    }
    t.uniqueIndexes.put(property, index);
  }

  /** Inserts a generated record with a chosen id (write lock held; no events). */
  Rec insertGenerated(HubSpotObjectType type, long id, String[] values, long createdAt, long updatedAt) {
    Table t = table(type);
    Rec r = new Rec(id, values, createdAt, updatedAt);
    if (t.live.putIfAbsent(id, r) != null) throw new IllegalArgumentException(type.singular() + " " + id + " exists");
    t.byModified.add(r);
    for (Map.Entry<String, HashMap<String, Long>> u : t.uniqueIndexes.entrySet()) {
      String v = value(t, r, u.getKey());
      if (v != null) u.getValue().putIfAbsent(v.toLowerCase(Locale.ROOT), id);
    }
    return r;
  }

  HubSpotRecord snapshot(HubSpotObjectType type, Rec r) {
    Table t = table(type);
    Map<HubSpotObjectType, List<String>> assoc = new EnumMap<>(HubSpotObjectType.class);
    for (HubSpotObjectType other : HubSpotObjectType.values()) {
      long[] ids = r.links(other);
      if (ids.length == 0) continue;
      List<String> s = new ArrayList<>(ids.length);
      for (long id : ids) s.add(Long.toString(id));
      assoc.put(other, List.copyOf(s));
    }
    return new HubSpotRecord(type, Long.toString(r.id), allValues(t, r), Instant.ofEpochMilli(r.createdAt),
        Instant.ofEpochMilli(r.updatedAt), r.archivedAt != 0 && !t.live.containsKey(r.id), assoc);
  }
}
