package dev.sluice.queue;

/** A queue operation failed, usually because the database did; the message says which operation. */
public class JobQueueException extends RuntimeException {
  public JobQueueException(String message, Throwable cause) {
    super(message, cause);
  }

  public JobQueueException(String message) {
    super(message);
  }
}
