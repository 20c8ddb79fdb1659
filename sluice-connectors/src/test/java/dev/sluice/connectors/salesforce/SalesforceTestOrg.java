package dev.sluice.connectors.salesforce;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.SandboxConnections;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.sandbox.salesforce.SObjectRecord;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A sandbox Salesforce org (small query pages) and connections to it; the oracle view of its records. */
final class SalesforceTestOrg implements AutoCloseable {

  static final DateTimeFormatter REST = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").withZone(ZoneOffset.UTC);

  final SalesforceSandbox salesforce;
  final SandboxConnections env;

  SalesforceTestOrg(String dbPrefix, int contacts) {
    this(dbPrefix, SalesforceOptions.builder().counts(5, contacts, 10, 5).queryPageSize(10).build());
  }

  SalesforceTestOrg(String dbPrefix, SalesforceOptions options) {
    salesforce = new SalesforceSandbox(options);
    env = new SandboxConnections(dbPrefix, salesforce);
  }

  ConnectionConfig.Builder connection(String name) {
    return ConnectionConfig.builder(name, "salesforce").baseUrl(env.sandbox.baseUrl())
        .token(SalesforceOptions.DEFAULT_ACCESS_TOKEN, "SALESFORCE_TOKEN");
  }

  Optional<SObjectRecord> find(String type, String id) {
    Optional<SObjectRecord> live = salesforce.record(type, id);
    return live.isPresent() ? live : salesforce.deletedRecords(type).stream().filter(r -> r.id().equals(id)).findFirst();
  }

  /** The record as the connector must return it. */
  SourceRecord expected(String type, String id) {
    SObjectRecord r = find(type, id).orElseThrow();
    Map<String, String> props = new LinkedHashMap<>();
    r.fields().forEach((k, v) -> props.put(k, text(v)));
    boolean deleted = Boolean.TRUE.equals(r.get("IsDeleted"));
    Map<String, List<String>> assoc = new LinkedHashMap<>();
    if (!deleted && r.get("AccountId") != null) {
      assoc.put("Account", List.of(r.get("AccountId").toString()));
    }
    return new SourceRecord(type, id, props, assoc, deleted, (Instant) r.get("SystemModstamp"));
  }

  static String text(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Instant i) {
      return REST.format(i);
    }
    if (v instanceof LocalDate d) {
      return d.toString();
    }
    if (v instanceof Number n) {
      return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    }
    return v.toString();
  }

  @Override
  public void close() {
    env.close();
  }
}
