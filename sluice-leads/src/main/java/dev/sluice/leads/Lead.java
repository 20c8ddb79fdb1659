package dev.sluice.leads;

import java.time.Instant;
import java.util.Map;

/**
 * A stored lead as the API shows it.
 *
 * @param fields the merged fields (email excluded), newest non-empty value of each
 * @param destination the connection it drains into, null when the source stores only
 * @param availableAt when a waiting lead may be taken next, or when a sending lead's lease ends
 */
public record Lead(long id, String source, String email, Map<String, String> fields, String destination,
    LeadState state, int version, int submissions, int attempts, String crmId, String lastError,
    Instant receivedAt, Instant updatedAt, Instant sentAt, Instant availableAt) {

  public Lead {
    fields = Map.copyOf(fields);
  }
}
