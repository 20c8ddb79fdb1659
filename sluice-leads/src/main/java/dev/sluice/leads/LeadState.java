package dev.sluice.leads;

import java.util.Locale;

/**
 * Where a lead is on its way to the CRM: {@code received → sending → sent | rejected | retrying},
 * and {@code retrying → sending} again. A repeat submission that changes a sent or rejected lead
 * puts it back to {@code received}. The drain's UPDATEs check the state they move from.
 */
public enum LeadState {
  /** Stored, waiting for the drain. */
  RECEIVED,
  /** Claimed by a drainer and on its way (leased; a drainer that dies leaves it to another). */
  SENDING,
  /** The CRM accepted it; {@link Lead#crmId()} is the CRM's record id. */
  SENT,
  /** The CRM refused it for a reason of its own ({@link Lead#lastError()}); not retried. */
  REJECTED,
  /** A send failed for a passing reason (5xx, timeout); retried at {@link Lead#availableAt()}. */
  RETRYING;

  /** The lower-case name used on the wire and in the database. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state called {@code wire}, or an {@link IllegalArgumentException} listing the states. */
  public static LeadState fromWire(String wire) {
    for (LeadState s : values()) {
      if (s.wire().equals(wire)) return s;
    }
    throw new IllegalArgumentException("unknown lead state '" + wire + "' (one of received, sending, sent, rejected, retrying)");
  }
}
