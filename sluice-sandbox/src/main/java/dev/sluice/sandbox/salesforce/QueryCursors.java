package dev.sluice.sandbox.salesforce;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Open query result sets, addressed by {@code nextRecordsUrl} locators ({@code 01g…-2000}). A
 * result set is a snapshot of immutable records taken when the query ran, as Salesforce's cursors
 * are. The oldest cursors are dropped past {@link #MAX_OPEN_CURSORS}, like expired query locators.
 */
final class QueryCursors {
  /** Bounds memory (a cursor holds its result snapshot); Salesforce itself keeps fewer per user. */
  static final int MAX_OPEN_CURSORS = 100;

  record Cursor(SoqlQuery query, List<SObjectRecord> rows, int pageSize) {}

  private final SalesforceIds locatorIds = new SalesforceIds("01g");
  private final Map<String, Cursor> open = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Cursor> eldest) {
      return size() > MAX_OPEN_CURSORS;
    }
  };

  synchronized String open(Cursor cursor) {
    String id = locatorIds.nextId();
    open.put(id, cursor);
    return id;
  }

  synchronized Cursor get(String locator) {
    return open.get(locator);
  }
}
