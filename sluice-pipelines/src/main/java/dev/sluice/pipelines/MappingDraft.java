package dev.sluice.pipelines;

import dev.sluice.connectors.ObjectSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A drafted mapping ready for review, never applied: the drafter's text, the mapping it compiles to
 * (or why it does not), its fit with both schemas and the result of trying it on sample records.
 *
 * @param drafter who drafted it
 * @param yaml the drafted file, as it would be written with {@code --out}
 * @param trial the draft tried on the samples; empty when it does not compile
 * @param compileErrors why the text is not a mapping (with lines); empty when it is
 * @param matchField the destination field a pipeline would match on (an e-mail or unique field), if any
 */
public record MappingDraft(String drafter, String yaml, Optional<MappingTrial> trial, List<MappingError> compileErrors,
    Optional<String> matchField) {

  /** The name drafts are compiled under, for messages ({@code draft:LINE: …}). */
  public static final String ORIGIN = "draft";

  /** Drafts, compiles, checks against both schemas and tries the result on the request's samples. */
  public static MappingDraft of(MappingDrafter drafter, DraftRequest request) throws MappingDrafter.DraftException {
    String yaml = drafter.draft(request);
    Mapping mapping;
    try {
      mapping = Mapping.parse(yaml, ORIGIN);
    } catch (MappingException e) {
      return new MappingDraft(drafter.name(), yaml, Optional.empty(), e.errors(), Optional.empty());
    }
    Optional<String> match = matchField(mapping, request.destination());
    List<MappingError> misfits = MappingCheck.check(mapping, request.sourceName(), request.source(), null,
        request.destinationName(), request.destination(), match.orElse(null));
    List<String> notes = new ArrayList<>();
    notes.add("drafted by " + drafter.name() + "; not applied (write it with --out, review it, then name it in a pipeline)");
    notes.add(match.map(m -> "match field: " + m).orElse("no e-mail or unique destination field is mapped: a pipeline needs one to match records"));
    MappingTrial trial = new MappingTrial("draft " + request.sourceName() + " → " + request.destinationName(), mapping, misfits, notes,
        MappingTrial.run(mapping, request.samples(), request.destination()));
    return new MappingDraft(drafter.name(), yaml, Optional.of(trial), List.of(), match);
  }

  /** A mapped destination field that can key an upsert, preferring an e-mail field. */
  static Optional<String> matchField(Mapping mapping, ObjectSchema destination) {
    String fallback = null;
    for (MappedField f : mapping.fields()) {
      Optional<ObjectSchema.Field> d = destination.fields().stream().filter(x -> x.name().equals(f.name())).findFirst();
      if (d.isEmpty() || !d.get().unique() || !d.get().writable()) continue;
      if (f.type() == Mapping.FieldType.EMAIL || d.get().name().toLowerCase(java.util.Locale.ROOT).contains("email")) {
        return Optional.of(f.name());
      }
      if (fallback == null) fallback = f.name();
    }
    return Optional.ofNullable(fallback);
  }

  /** The review: the drafted file, then either why it does not compile or the trial on the samples. */
  public String text() {
    StringBuilder b = new StringBuilder("Drafted mapping (").append(drafter).append("):\n\n").append(yaml);
    if (!yaml.endsWith("\n")) b.append('\n');
    b.append('\n');
    if (!compileErrors.isEmpty()) {
      b.append("The draft is not a valid mapping:\n");
      compileErrors.forEach(e -> b.append("  ").append(e.at(ORIGIN)).append('\n'));
    }
    trial.ifPresent(t -> b.append(t.text()));
    return b.toString();
  }

  /** {@code {drafter, yaml, match_field, compile_errors, trial}}. */
  public com.fasterxml.jackson.databind.node.ObjectNode json() {
    var root = PipelineStore.JSON.createObjectNode();
    root.put("drafter", drafter);
    root.put("yaml", yaml);
    root.put("match_field", matchField.orElse(null));
    var errs = root.putArray("compile_errors");
    compileErrors.forEach(e -> errs.addObject().put("field", e.field()).put("message", e.message()).put("line", e.line()));
    root.set("trial", trial.map(t -> (com.fasterxml.jackson.databind.JsonNode) t.json()).orElse(null));
    return root;
  }
}
