package dev.sluice.pipelines;

import dev.sluice.connectors.ObjectSchema;
import java.util.List;
import java.util.Objects;

/**
 * What a mapping is drafted from: both sides' schemas as the platforms describe them, the user's
 * plain-text description and sample source records from the mirror.
 *
 * @param sourceName e.g. {@code hubspot-main/contacts}
 * @param destinationName e.g. {@code salesforce-main/Contact}
 * @param description what the user wants, in plain words; may be empty
 * @param samples source records to compare values and to try the draft on; may be empty
 */
public record DraftRequest(String sourceName, ObjectSchema source, String destinationName, ObjectSchema destination,
    String description, List<MirrorSample.MirrorRecord> samples) {

  public DraftRequest {
    Objects.requireNonNull(source, "source schema");
    Objects.requireNonNull(destination, "destination schema");
    description = description == null ? "" : description.strip();
    samples = List.copyOf(samples == null ? List.of() : samples);
  }
}
