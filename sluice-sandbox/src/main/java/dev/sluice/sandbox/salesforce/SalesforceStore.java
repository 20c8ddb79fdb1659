package dev.sluice.sandbox.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sandbox.salesforce.SObjectSchema.Field;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The in-memory Salesforce org: records of every served type keyed by id (id order is creation
 * order). Thread-safe: reads see immutable record snapshots without locking; writes take one lock
 * so uniqueness checks, all-or-none rollback and id assignment stay consistent.
 */
final class SalesforceStore {

  /** The outcome of one record write, in Salesforce's terms. */
  record WriteOutcome(String id, boolean created, List<Map<String, Object>> errors, List<String> matches) {
    boolean success() {
      return errors.isEmpty() && matches.isEmpty();
    }

    static WriteOutcome failed(String code, String message, List<String> fields) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("statusCode", code);
      error.put("message", message);
      error.put("fields", fields);
      return new WriteOutcome(null, false, List.of(error), List.of());
    }
  }

  /** One requested write: create (extField null) or upsert by {@code extField = extValue}. */
  record WriteRequest(SObjectSchema type, String extField, String extValue, JsonNode fields) {}

  /** A deleted record (in the recycle bin): its last values with {@code IsDeleted = true}, and when it went. */
  record Tombstone(SObjectRecord record, Instant deletedDate) {}

  /** What {@link #delete} found. */
  enum DeleteOutcome { DELETED, ALREADY_DELETED, NOT_FOUND }

  private final Clock clock;
  private final Map<String, ConcurrentSkipListMap<String, SObjectRecord>> records = new HashMap<>();
  private final Map<String, ConcurrentSkipListMap<String, Tombstone>> deleted = new HashMap<>();
  private final Map<String, SalesforceIds> ids = new HashMap<>();
  /** type name → lower-case External_Id__c → record id. Guarded by {@link #lock}. */
  private final Map<String, Map<String, String>> externalIds = new HashMap<>();
  /**
   * type name → idLookup field (other than Id and External_Id__c) → lower-case value → ids in id
   * order: an upsert by Email finds its match without scanning every record, as Salesforce's own
   * index on idLookup fields does. Guarded by {@link #lock}.
   */
  private final Map<String, Map<String, Map<String, java.util.SortedSet<String>>>> lookups = new HashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Consumer<SObjectRecord> changeListener = r -> {};

  SalesforceStore(Clock clock) {
    this.clock = clock;
    for (SObjectSchema s : SObjectSchema.TYPES.values()) {
      records.put(s.name, new ConcurrentSkipListMap<>());
      deleted.put(s.name, new ConcurrentSkipListMap<>());
      ids.put(s.name, new SalesforceIds(s.keyPrefix));
      externalIds.put(s.name, new HashMap<>());
      Map<String, Map<String, java.util.SortedSet<String>>> byField = new HashMap<>();
      for (Field f : s.fields()) {
        if (f.idLookup() && !f.name().equals("Id") && !f.name().equals(SObjectSchema.EXTERNAL_ID)) {
          byField.put(f.name(), new HashMap<>());
        }
      }
      lookups.put(s.name, byField);
    }
  }

  void onChange(Consumer<SObjectRecord> listener) {
    this.changeListener = listener;
  }

  SObjectRecord get(String type, String id) {
    return records.get(type).get(id);
  }

  Iterable<SObjectRecord> scan(String type) {
    return records.get(type).values();
  }

  int count(String type) {
    return records.get(type).size();
  }

  /** Live and deleted records (these with {@code IsDeleted = true}) in id order, as queryAll sees them. */
  List<SObjectRecord> scanAll(String type) {
    List<SObjectRecord> all = new ArrayList<>(records.get(type).values());
    deleted.get(type).values().forEach(t -> all.add(t.record()));
    all.sort(java.util.Comparator.comparing(SObjectRecord::id));
    return all;
  }

  /** Records deleted within {@code [start, end]}, in deletion order. */
  List<Tombstone> deletedBetween(String type, Instant start, Instant end) {
    List<Tombstone> out = new ArrayList<>();
    for (Tombstone t : deleted.get(type).values()) {
      if (!t.deletedDate().isBefore(start) && !t.deletedDate().isAfter(end)) {
        out.add(t);
      }
    }
    out.sort(java.util.Comparator.comparing(Tombstone::deletedDate));
    return out;
  }

  /** Ids of live records created or changed within {@code [start, end]}, in id order. */
  List<String> updatedBetween(String type, Instant start, Instant end) {
    List<String> out = new ArrayList<>();
    for (SObjectRecord r : records.get(type).values()) {
      Instant modified = (Instant) r.get("LastModifiedDate");
      if (modified != null && !modified.isBefore(start) && !modified.isAfter(end)) {
        out.add(r.id());
      }
    }
    return out;
  }

  /** Whether {@code id} (15 or 18 characters) names a deleted record of {@code type}. */
  boolean isDeleted(String type, String id) {
    if (id != null && id.length() == 15) {
      id = id + SalesforceIds.caseSafeSuffix(id);
    }
    return id != null && deleted.get(type).containsKey(id);
  }

  /** Inserts generated records as they are (fields already typed and timestamped); no events. */
  SObjectRecord insertGenerated(SObjectSchema type, Map<String, Object> fields) {
    lock.lock();
    try {
      String id = ids.get(type.name).nextId();
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("Id", id);
      values.put(SObjectSchema.IS_DELETED, false);
      values.putAll(fields);
      SObjectRecord r = new SObjectRecord(type.name, id, values);
      records.get(type.name).put(id, r);
      reindex(null, r);
      return r;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Applies the writes in order. With {@code allOrNone}, any failure rolls every write of the call
   * back and the others report {@code ALL_OR_NONE_OPERATION_ROLLED_BACK}. Change events fire after
   * the call commits.
   */
  List<WriteOutcome> write(List<WriteRequest> requests, boolean allOrNone) {
    List<WriteOutcome> outcomes = new ArrayList<>();
    List<SObjectRecord[]> undo = new ArrayList<>(); // [before (nullable), after]
    lock.lock();
    try {
      for (WriteRequest req : requests) {
        outcomes.add(writeOne(req, undo));
      }
      if (allOrNone && outcomes.stream().anyMatch(o -> !o.success())) {
        for (int i = undo.size() - 1; i >= 0; i--) {
          restore(undo.get(i)[0], undo.get(i)[1]);
        }
        undo.clear();
        List<WriteOutcome> rolledBack = new ArrayList<>();
        for (WriteOutcome o : outcomes) {
          rolledBack.add(o.success()
              ? WriteOutcome.failed("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                  "Record rolled back because not all records were valid and the request was using AllOrNone header",
                  List.of())
              : o);
        }
        outcomes = rolledBack;
      }
    } finally {
      lock.unlock();
    }
    for (SObjectRecord[] change : undo) {
      changeListener.accept(change[1]);
    }
    return outcomes;
  }

  /** Updates one record by id (admin edits); null when it does not exist. */
  WriteOutcome update(SObjectSchema type, String id, JsonNode fields) {
    return write(List.of(new WriteRequest(type, "Id", id, fields)), false).get(0);
  }

  /** Moves a record to the recycle bin: queryAll and {@code /deleted} still see it. */
  DeleteOutcome delete(SObjectSchema type, String id) {
    lock.lock();
    try {
      if (isDeleted(type.name, id)) {
        return DeleteOutcome.ALREADY_DELETED;
      }
      String resolved = resolveId(type.name, id);
      SObjectRecord gone = resolved == null ? null : records.get(type.name).remove(resolved);
      if (gone == null) {
        return DeleteOutcome.NOT_FOUND;
      }
      reindex(gone, null);
      Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      Map<String, Object> values = new LinkedHashMap<>(gone.fields());
      values.put(SObjectSchema.IS_DELETED, true);
      values.put("LastModifiedDate", now);
      values.put(SObjectSchema.SYSTEM_MODSTAMP, now);
      deleted.get(type.name).put(gone.id(), new Tombstone(new SObjectRecord(type.name, gone.id(), values), now));
      return DeleteOutcome.DELETED;
    } finally {
      lock.unlock();
    }
  }

  private WriteOutcome writeOne(WriteRequest req, List<SObjectRecord[]> undo) {
    SObjectSchema type = req.type();
    Map<String, Object> values = new LinkedHashMap<>();
    List<String> matches = List.of();
    SObjectRecord existing = null;
    if (req.extField() != null) {
      Field ext = type.field(req.extField());
      if (ext == null) {
        return WriteOutcome.failed("INVALID_FIELD",
            "Provided external ID field does not exist or is not accessible: " + req.extField(), List.of());
      }
      if (ext.name().equals("Id") && isDeleted(type.name, req.extValue())) {
        return WriteOutcome.failed("ENTITY_IS_DELETED", "entity is deleted", List.of());
      }
      if (req.extValue() == null || req.extValue().isEmpty()) {
        return WriteOutcome.failed("MISSING_ARGUMENT", ext.name() + " not specified", List.of(ext.name()));
      }
      matches = find(type, ext, req.extValue());
      if (matches.size() > 1) {
        return new WriteOutcome(null, false, List.of(), matches);
      }
      if (matches.size() == 1) {
        existing = records.get(type.name).get(matches.get(0));
      } else if (ext.name().equals("Id")) {
        return WriteOutcome.failed("NOT_FOUND", "Provided external ID field does not exist or is not accessible: "
            + req.extValue(), List.of());
      } else {
        values.put(ext.name(), req.extValue());
      }
    }
    WriteOutcome invalid = coerce(type, req.fields(), values, req.extField());
    if (invalid != null) {
      return invalid;
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Map<String, Object> merged = new LinkedHashMap<>();
    boolean created = existing == null;
    String id = created ? null : existing.id();
    for (Field f : type.fields()) {
      Object v = created ? null : existing.get(f.name());
      if (values.containsKey(f.name())) {
        v = values.get(f.name());
      }
      merged.put(f.name(), v);
    }
    for (Field f : type.fields()) {
      if (f.required() && merged.get(f.name()) == null) {
        return WriteOutcome.failed("REQUIRED_FIELD_MISSING", "Required fields are missing: [" + f.name() + "]",
            List.of(f.name()));
      }
    }
    Object ext = merged.get(SObjectSchema.EXTERNAL_ID);
    if (ext != null) {
      String holder = externalIds.get(type.name).get(lower(ext.toString()));
      if (holder != null && !holder.equals(id)) {
        return WriteOutcome.failed("DUPLICATE_VALUE", "duplicate value found: " + SObjectSchema.EXTERNAL_ID
            + " duplicates value on record with id: " + holder, List.of(SObjectSchema.EXTERNAL_ID));
      }
    }
    if (created) {
      id = ids.get(type.name).nextId();
      merged.put("CreatedDate", now);
    }
    merged.put("Id", id);
    merged.put(SObjectSchema.IS_DELETED, false);
    merged.put("LastModifiedDate", now);
    merged.put(SObjectSchema.SYSTEM_MODSTAMP, now);
    SObjectRecord after = new SObjectRecord(type.name, id, merged);
    SObjectRecord before = records.get(type.name).put(id, after);
    reindex(before, after);
    undo.add(new SObjectRecord[] {before, after});
    return new WriteOutcome(id, created, List.of(), List.of());
  }

  private void restore(SObjectRecord before, SObjectRecord after) {
    if (before == null) {
      records.get(after.type()).remove(after.id());
    } else {
      records.get(after.type()).put(after.id(), before);
    }
    reindex(after, before);
  }

  private void reindex(SObjectRecord before, SObjectRecord after) {
    SObjectRecord any = after != null ? after : before;
    Map<String, String> index = externalIds.get(any.type());
    if (before != null && before.get(SObjectSchema.EXTERNAL_ID) != null) {
      index.remove(lower(before.get(SObjectSchema.EXTERNAL_ID).toString()));
    }
    if (after != null && after.get(SObjectSchema.EXTERNAL_ID) != null) {
      index.put(lower(after.get(SObjectSchema.EXTERNAL_ID).toString()), after.id());
    }
    for (Map.Entry<String, Map<String, java.util.SortedSet<String>>> e : lookups.get(any.type()).entrySet()) {
      if (before != null && before.get(e.getKey()) != null) {
        String key = lookupKey(before.get(e.getKey()));
        java.util.SortedSet<String> ids = e.getValue().get(key);
        if (ids != null && ids.remove(before.id()) && ids.isEmpty()) {
          e.getValue().remove(key);
        }
      }
      if (after != null && after.get(e.getKey()) != null) {
        e.getValue().computeIfAbsent(lookupKey(after.get(e.getKey())), k -> new java.util.TreeSet<>()).add(after.id());
      }
    }
  }

  private static String lookupKey(Object value) {
    return SoqlQuery.lower(SObjectSchema.toSoap(value));
  }

  /** Ids of live records whose {@code field} equals {@code value} (case-insensitive). */
  List<String> find(SObjectSchema type, Field field, String value) {
    if (field.name().equals("Id")) {
      String id = resolveId(type.name, value);
      return id == null ? List.of() : List.of(id);
    }
    lock.lock();
    try {
      if (field.name().equals(SObjectSchema.EXTERNAL_ID)) {
        String id = externalIds.get(type.name).get(lower(value));
        return id == null ? List.of() : List.of(id);
      }
      Map<String, java.util.SortedSet<String>> index = lookups.get(type.name).get(field.name());
      if (index != null) {
        java.util.SortedSet<String> ids = index.get(lower(value));
        return ids == null ? List.of() : List.copyOf(ids);
      }
    } finally {
      lock.unlock();
    }
    List<String> found = new ArrayList<>();
    for (Iterator<SObjectRecord> it = records.get(type.name).values().iterator(); it.hasNext(); ) {
      SObjectRecord r = it.next();
      Object v = r.get(field.name());
      if (v != null && SoqlQuery.lower(SObjectSchema.toSoap(v)).equals(lower(value))) {
        found.add(r.id());
      }
    }
    return found;
  }

  /** Accepts 15- and 18-character ids. */
  String resolveId(String type, String id) {
    if (id == null) {
      return null;
    }
    if (id.length() == 15) {
      id = id + SalesforceIds.caseSafeSuffix(id);
    }
    return records.get(type).containsKey(id) ? id : null;
  }

  /** Converts JSON field values to stored types; returns a failed outcome on the first bad field. */
  private WriteOutcome coerce(SObjectSchema type, JsonNode input, Map<String, Object> out, String extField) {
    if (input == null || !input.isObject()) {
      return WriteOutcome.failed("JSON_PARSER_ERROR", "The record must be a JSON object", List.of());
    }
    for (Map.Entry<String, JsonNode> e : input.properties()) {
      if (e.getKey().equals("attributes")) {
        continue;
      }
      Field f = type.field(e.getKey());
      if (f == null) {
        return WriteOutcome.failed("INVALID_FIELD",
            "No such column '" + e.getKey() + "' on sobject of type " + type.name, List.of(e.getKey()));
      }
      if (f.system()) {
        if (f.name().equals("Id") && "Id".equalsIgnoreCase(extField)) {
          continue;
        }
        return WriteOutcome.failed("INVALID_FIELD_FOR_INSERT_UPDATE",
            "Unable to create/update fields: " + f.name()
                + ". Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            List.of(f.name()));
      }
      JsonNode v = e.getValue();
      if (v == null || v.isNull()) {
        out.put(f.name(), null);
        continue;
      }
      Object converted = convert(f, v);
      if (converted == null) {
        return WriteOutcome.failed("INVALID_TYPE_ON_FIELD_IN_RECORD",
            f.name() + ": value not of required type: " + v, List.of(f.name()));
      }
      if (converted instanceof String s) {
        if (f.length() > 0 && s.length() > f.length()) {
          return WriteOutcome.failed("STRING_TOO_LONG", f.name() + ": data value too large: "
              + s.substring(0, Math.min(40, s.length())) + "... (max length=" + f.length() + ")", List.of(f.name()));
        }
        if (f.type() == SObjectSchema.FieldType.EMAIL && !s.isEmpty() && !s.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
          return WriteOutcome.failed("INVALID_EMAIL_ADDRESS", f.name() + ": invalid email address: " + s,
              List.of(f.name()));
        }
        if (f.type() == SObjectSchema.FieldType.REFERENCE && !s.isEmpty()) {
          String target = resolveId("Account", s);
          if (target == null) {
            return WriteOutcome.failed("INVALID_CROSS_REFERENCE_KEY",
                f.name() + ": id value of incorrect type or not found: " + s, List.of(f.name()));
          }
          converted = target;
        }
        if (s.isEmpty()) {
          converted = null; // Salesforce stores an empty text value as null.
        }
      }
      out.put(f.name(), converted);
    }
    return null;
  }

  private static Object convert(Field f, JsonNode v) {
    switch (f.type()) {
      case INT -> {
        if (v.isIntegralNumber()) {
          return v.asLong();
        }
        if (v.isTextual() && v.asText().matches("-?\\d+")) {
          return Long.parseLong(v.asText());
        }
        return null;
      }
      case DOUBLE, CURRENCY -> {
        if (v.isNumber()) {
          return v.asDouble();
        }
        if (v.isTextual()) {
          try {
            return Double.parseDouble(v.asText());
          } catch (NumberFormatException e) {
            return null;
          }
        }
        return null;
      }
      case BOOLEAN -> {
        if (v.isBoolean()) {
          return v.asBoolean();
        }
        if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
          return Boolean.parseBoolean(v.asText().toLowerCase(Locale.ROOT));
        }
        return null;
      }
      case DATE -> {
        if (!v.isTextual()) {
          return null;
        }
        try {
          return LocalDate.parse(v.asText());
        } catch (DateTimeParseException e) {
          return null;
        }
      }
      case DATETIME -> {
        return null; // only system datetimes exist, and they are refused earlier
      }
      default -> {
        return v.isValueNode() ? v.asText() : null;
      }
    }
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
