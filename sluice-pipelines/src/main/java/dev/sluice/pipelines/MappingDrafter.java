package dev.sluice.pipelines;

/**
 * Drafts a mapping file from a {@link DraftRequest}. A draft is a proposal: {@link MappingDraft}
 * validates it and tries it on sample records for a person to review; nothing applies it.
 */
public interface MappingDrafter {

  /** The mapping file's text (YAML), or a DraftException saying why there is none. */
  String draft(DraftRequest request) throws DraftException;

  /** Who drafted, for the review, e.g. {@code offline drafter} or {@code gpt-4o-mini at http://…}. */
  String name();

  /** The drafter could not produce a mapping (an endpoint that failed or answered without one). */
  final class DraftException extends Exception {
    public DraftException(String message) {
      super(message);
    }

    public DraftException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
