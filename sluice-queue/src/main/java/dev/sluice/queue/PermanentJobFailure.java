package dev.sluice.queue;

/**
 * Thrown by a handler when retrying cannot help (bad payload, record gone, 4xx that is not 429):
 * the job goes straight to DEAD with this message and stack as its last error.
 */
public class PermanentJobFailure extends RuntimeException {
  public PermanentJobFailure(String message) {
    super(message);
  }

  public PermanentJobFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
