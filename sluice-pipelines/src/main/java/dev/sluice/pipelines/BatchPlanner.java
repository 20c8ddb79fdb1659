package dev.sluice.pipelines;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides, without I/O, what a batch does with each source record: map it, find its entity, drop the
 * fields that are Sluice's own echo or that the other side wins, and send what is left.
 *
 * <p>Two-way rules, field by field (both pipelines of a pair apply them and so agree):
 * <ul>
 *   <li>Only fields whose mapped value changed since this pipeline's last push are sent (all of them
 *       for a record the destination does not have yet).
 *   <li>Echo: a field whose every source input still equals what Sluice itself last wrote to the
 *       source record came from Sluice, and is not sent back.
 *   <li>Conflict: when the destination's own value (one Sluice did not write there) differs, the
 *       field's rule decides: a named connection wins, or {@code newest} by the records' source
 *       modification times (a tie goes to the connection whose name sorts first).
 *   <li>Unsubscribes ({@link Unsubscribes}): an unsubscribed member deletes its destination record,
 *       or the fields the rule sets are sent over the mapping's values.
 * </ul>
 */
final class BatchPlanner {
  private final Pipeline pipeline;

  BatchPlanner(Pipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** Each row's mapping (null for an archived row), in order. */
  List<Mapping.Result> map(List<SourceRow> rows) {
    List<Mapping.Result> out = new ArrayList<>(rows.size());
    for (SourceRow row : rows) {
      out.add(row.archived() ? null : pipeline.mapping().apply(row.properties()));
    }
    return out;
  }

  /** The identity keys of the mapped rows, to look their links up. */
  List<String> keys(List<Mapping.Result> mapped) {
    List<String> out = new ArrayList<>();
    for (Mapping.Result r : mapped) {
      String key = r == null || !r.ok() ? null : Pipeline.normalizeKey(r.values().get(pipeline.matchField()));
      if (key != null && !key.isEmpty()) out.add(key);
    }
    return out;
  }

  /**
   * One decision per row, in order.
   *
   * @param mapped {@link #map} of the rows
   * @param links match key → linked records, oldest link first
   */
  List<Decision> plan(List<SourceRow> rows, List<Mapping.Result> mapped, Map<String, List<LinkedRecord>> links) {
    List<Decision> out = new ArrayList<>(rows.size());
    Map<String, String> keyOwner = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      out.add(decide(rows.get(i), mapped.get(i), links, keyOwner));
    }
    return out;
  }

  private Decision decide(SourceRow row, Mapping.Result r, Map<String, List<LinkedRecord>> links, Map<String, String> keyOwner) {
    if (row.archived()) {
      // deleted at the source: delete the record it was pushed to, unless that one is gone already
      if (pipeline.propagateDeletes() && row.lastDestinationId() != null && !row.destinationArchived()) {
        return Decision.delete(row, row.lastDestinationId());
      }
      return Decision.skip(row, "archived", null, null, row.lastDestinationId());
    }
    Unsubscribes unsubscribes = pipeline.unsubscribes();
    boolean unsubscribed = unsubscribes.appliesTo(row);
    if (unsubscribed && unsubscribes.delete()) {
      // unsubscribed at the source: delete the record it was pushed to; never pushed: not sent at all
      if (row.lastDestinationId() != null && !row.destinationArchived()) {
        return Decision.delete(row, row.lastDestinationId());
      }
      return Decision.skip(row, "unsubscribed", null, null, row.lastDestinationId());
    }
    if (!r.ok()) {
      return Decision.fail(row, "mapping", r.error().toString(), null, null);
    }
    Map<String, String> mapped = r.values();
    String key = Pipeline.normalizeKey(mapped.get(pipeline.matchField()));
    if (key == null || key.isEmpty()) {
      return Decision.fail(row, "mapping", new MappingError(pipeline.matchField(), "", "the match field is empty").toString(), null, null);
    }
    String earlier = keyOwner.putIfAbsent(key, row.externalId());
    if (earlier != null) {
      return Decision.fail(row, "duplicate", "same " + pipeline.matchField() + " '" + key + "' as source record " + earlier
          + " in this batch; not written twice", mapped, key);
    }
    List<LinkedRecord> linked = links.getOrDefault(key, List.of());
    String firstSource = null;
    List<LinkedRecord> destinations = new ArrayList<>();
    for (LinkedRecord l : linked) {
      boolean live = !l.inMirror() || !l.archived();
      if (l.connection().equals(pipeline.sourceConnection()) && l.objectType().equals(pipeline.sourceObject())) {
        if (firstSource == null && live && l.inMirror()) firstSource = l.externalId();
      } else if (live) {
        destinations.add(l);
      }
    }
    if (firstSource != null && !firstSource.equals(row.externalId())) {
      return Decision.fail(row, "duplicate", "same " + pipeline.matchField() + " '" + key + "' as source record "
          + firstSource + " (" + pipeline.sourceConnection() + "/" + pipeline.sourceObject() + "); not written twice", mapped, key);
    }
    if (destinations.size() > 1) {
      return Decision.fail(row, "duplicate", pipeline.destinationConnection() + "/" + pipeline.destinationObject() + " has "
          + destinations.size() + " records with " + pipeline.matchField() + " '" + key + "': "
          + destinations.stream().map(LinkedRecord::externalId).toList() + "; resolve the duplicate there", mapped, key);
    }
    LinkedRecord dest = destinations.isEmpty() ? null : destinations.get(0);
    return fields(row, mapped, key, dest, unsubscribed ? unsubscribes.set() : Map.of());
  }

  /**
   * @param forced values an unsubscribe sets over the mapping's: sent when they changed since the last
   *     push and the destination does not hold them, whatever the echo and conflict rules say
   */
  private Decision fields(SourceRow row, Map<String, String> mappedValues, String key, LinkedRecord dest, Map<String, String> forced) {
    Map<String, String> mapped = mappedValues;
    if (!forced.isEmpty()) {
      mapped = new LinkedHashMap<>(mappedValues);
      mapped.putAll(forced);
    }
    String destId = dest == null ? null : dest.externalId();
    boolean fresh = dest == null || row.lastMapped() == null;
    Map<String, String> send = new LinkedHashMap<>();
    int echoes = 0;
    int lost = 0;
    for (MappedField f : pipeline.mapping().fields()) {
      String value = mapped.get(f.name());
      if (!fresh && same(value, row.lastMapped().get(f.name()))) {
        continue; // unchanged since the last push
      }
      if (fresh && value == null) {
        continue; // nothing to clear on a record the destination does not have from us
      }
      boolean force = forced.containsKey(f.name());
      if (!force && isEcho(f, row)) {
        echoes++;
        continue;
      }
      if (dest != null && dest.inMirror()) {
        String there = dest.properties().get(f.name());
        if (same(there, value)) {
          continue; // the destination already holds it
        }
        if (!force && ownChange(dest, f.name(), there) && !sourceWins(f, row, dest)) {
          lost++;
          continue;
        }
      }
      send.put(f.name(), value);
    }
    for (Map.Entry<String, String> e : forced.entrySet()) {
      if (pipeline.mapping().destinationFields().contains(e.getKey())
          || (!fresh && same(e.getValue(), row.lastMapped().get(e.getKey())))
          || (dest != null && dest.inMirror() && same(dest.properties().get(e.getKey()), e.getValue()))) {
        continue; // mapped (decided above), unchanged since the last push, or already there
      }
      send.put(e.getKey(), e.getValue());
    }
    if (send.isEmpty()) {
      return Decision.skip(row, echoes > 0 ? "echo" : lost > 0 ? "conflict" : "unchanged", mapped, key, destId);
    }
    send.putIfAbsent(pipeline.matchField(), mapped.get(pipeline.matchField()));
    return new Decision(row, Decision.Kind.SEND, null, null, send, mapped, key, destId);
  }

  /** Every input of the field still holds what Sluice wrote to the source record. */
  private static boolean isEcho(MappedField f, SourceRow row) {
    if (row.written() == null || f.expression().sourceFields().isEmpty()) {
      return false;
    }
    for (String input : f.expression().sourceFields()) {
      if (!row.written().containsKey(input) || !same(row.written().get(input), row.properties().get(input))) {
        return false;
      }
    }
    return true;
  }

  /** The destination's value is its own (not what Sluice last wrote there). */
  private static boolean ownChange(LinkedRecord dest, String field, String there) {
    if (dest.written() != null && dest.written().containsKey(field)) {
      return !same(dest.written().get(field), there);
    }
    return there != null && !there.isEmpty();
  }

  private boolean sourceWins(MappedField f, SourceRow row, LinkedRecord dest) {
    String rule = f.conflict();
    if (rule.equals(pipeline.sourceConnection())) return true;
    if (rule.equals(pipeline.destinationConnection())) return false;
    if (row.updatedAt() != null && dest.updatedAt() != null && !row.updatedAt().equals(dest.updatedAt())) {
      return row.updatedAt().isAfter(dest.updatedAt());
    }
    return pipeline.sourceConnection().compareTo(pipeline.destinationConnection()) < 0;
  }

  /** Null and empty are the same value (platforms report a cleared field either way). */
  static boolean same(String a, String b) {
    return Objects.equals(a == null ? "" : a, b == null ? "" : b);
  }
}
