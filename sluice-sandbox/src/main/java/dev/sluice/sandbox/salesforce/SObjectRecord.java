package dev.sluice.sandbox.salesforce;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable snapshot of one Salesforce record as the sandbox stores it. Field names are the
 * canonical API names ({@code LastModifiedDate}, {@code External_Id__c}); values are {@code String},
 * {@code java.time.Instant} (datetime), {@code java.time.LocalDate} (date), {@code Long},
 * {@code Double}, {@code Boolean} or {@code null}.
 */
public record SObjectRecord(String type, String id, Map<String, Object> fields) {

  public SObjectRecord {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** The value of {@code field} (canonical name), or null. */
  public Object get(String field) {
    return fields.get(field);
  }
}
