package dev.sluice.leads;

/** A submission refused before anything is stored; the message is the one-line reason for the 400. */
public final class InvalidLeadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidLeadException(String reason) {
    super(reason, null, false, false);
  }
}
