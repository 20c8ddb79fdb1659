package dev.sluice.pipelines;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.FieldMappingException;
import dev.sluice.connectors.ObjectSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mapping tried on sample records without sending anything: for each record the source values the
 * mapping reads, the mapped values, and every error (the mapping's own, then the destination
 * schema's, as a batch would find them). Printed for people ({@link #text}) or as JSON ({@link #json}).
 *
 * @param title what was tried, e.g. {@code pipeline contacts-to-salesforce: hubspot-main/contacts → salesforce-main/Contact}
 * @param mapping the mapping tried
 * @param schemaErrors the mapping's misfits with both schemas ({@link MappingCheck}); empty when it fits
 * @param notes remarks to print first (a schema that could not be read, a drafter's reasons); may be empty
 * @param samples one per record, in the order read
 */
public record MappingTrial(String title, Mapping mapping, List<MappingError> schemaErrors, List<String> notes, List<Sample> samples) {

  public MappingTrial {
    schemaErrors = List.copyOf(schemaErrors);
    notes = List.copyOf(notes);
    samples = List.copyOf(samples);
  }

  /**
   * One record tried.
   *
   * @param source the source values the mapping reads
   * @param mapped the mapped values (null when the record fails)
   * @param errors why the record would not be sent; empty when it would
   */
  public record Sample(String sourceId, Map<String, String> source, Map<String, String> mapped, List<MappingError> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  /**
   * Maps every record and checks the result against {@code destination} (null: mapping only), as a
   * record the destination does not have yet (so the fields it requires to create one are checked).
   */
  public static List<Sample> run(Mapping mapping, List<MirrorSample.MirrorRecord> records, ObjectSchema destination) {
    List<Sample> out = new ArrayList<>(records.size());
    for (MirrorSample.MirrorRecord r : records) {
      Map<String, String> read = new TreeMap<>();
      for (String f : mapping.sourceFields()) {
        read.put(f, r.properties().get(f));
      }
      Mapping.Result result = mapping.apply(r.properties());
      if (!result.ok()) {
        out.add(new Sample(r.externalId(), read, null, List.of(result.error().atLine(mapping.line(result.error().field())))));
        continue;
      }
      List<MappingError> errors = new ArrayList<>();
      if (destination != null) {
        Map<String, String> present = new LinkedHashMap<>();
        result.values().forEach((k, v) -> {
          if (v != null) present.put(k, v);
        });
        try {
          destination.check(present, true);
        } catch (FieldMappingException e) {
          for (FieldMappingException.FieldError fe : e.errors()) {
            errors.add(new MappingError(fe.field(), fe.value(), fe.reason(), mapping.line(fe.field())));
          }
        }
      }
      out.add(new Sample(r.externalId(), read, result.values(), errors));
    }
    return out;
  }

  /** Records that would be sent. */
  public long passed() {
    return samples.stream().filter(Sample::ok).count();
  }

  /** A table per record: each destination field, the values it read and what it became; errors last. */
  public String text() {
    StringBuilder b = new StringBuilder(title).append('\n');
    for (String n : notes) b.append("  note: ").append(n).append('\n');
    if (!schemaErrors.isEmpty()) {
      b.append("The mapping does not fit the schemas:\n");
      for (MappingError e : schemaErrors) b.append("  ").append(e.at(mapping.origin())).append('\n');
    }
    int width = 5;
    for (String f : mapping.destinationFields()) width = Math.max(width, f.length());
    for (Sample s : samples) {
      b.append('\n').append("record ").append(s.sourceId()).append(s.ok() ? "  ok" : "  NOT SENT").append('\n');
      for (MappedField f : mapping.fields()) {
        StringBuilder inputs = new StringBuilder();
        for (String in : f.expression().sourceFields()) {
          if (inputs.length() > 0) inputs.append(", ");
          inputs.append(in).append('=').append(quote(s.source().get(in)));
        }
        b.append("  ").append(pad(f.name(), width)).append(" ← ").append(pad(inputs.length() == 0 ? "(constant)" : inputs.toString(), 44))
            .append(" → ").append(s.mapped() == null ? "-" : quote(s.mapped().get(f.name()))).append('\n');
      }
      for (MappingError e : s.errors()) b.append("  error: ").append(e).append('\n');
    }
    b.append('\n').append(samples.size()).append(" records: ").append(passed()).append(" would be sent, ")
        .append(samples.size() - passed()).append(" not (each with its field and value above)");
    if (samples.isEmpty()) b.append("; the mirror has no records of this object yet (run a sync first)");
    b.append('\n');
    return b.toString();
  }

  /** {@code {title, mapping, schema_errors:[…], notes:[…], records:[{source_id, source, mapped, errors}], summary}}. */
  public ObjectNode json() {
    ObjectNode root = PipelineStore.JSON.createObjectNode();
    root.put("title", title);
    root.put("mapping", mapping.origin());
    ArrayNode se = root.putArray("schema_errors");
    schemaErrors.forEach(e -> se.add(error(e)));
    ArrayNode ns = root.putArray("notes");
    notes.forEach(ns::add);
    ArrayNode recs = root.putArray("records");
    for (Sample s : samples) {
      ObjectNode r = recs.addObject();
      r.put("source_id", s.sourceId());
      r.set("source", PipelineStore.JSON.valueToTree(s.source()));
      r.set("mapped", s.mapped() == null ? null : PipelineStore.JSON.valueToTree(s.mapped()));
      ArrayNode es = r.putArray("errors");
      s.errors().forEach(e -> es.add(error(e)));
    }
    ObjectNode sum = root.putObject("summary");
    sum.put("records", samples.size());
    sum.put("would_send", passed());
    sum.put("failed", samples.size() - passed());
    return root;
  }

  private static ObjectNode error(MappingError e) {
    ObjectNode n = PipelineStore.JSON.createObjectNode();
    n.put("field", e.field());
    n.put("value", e.value());
    n.put("message", e.message());
    if (e.line() > 0) n.put("line", e.line());
    return n;
  }

  private static String quote(String v) {
    if (v == null) return "null";
    String s = v.length() > 40 ? v.substring(0, 37) + "..." : v;
    return "\"" + s.replace("\n", "\\n") + "\"";
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }
}
