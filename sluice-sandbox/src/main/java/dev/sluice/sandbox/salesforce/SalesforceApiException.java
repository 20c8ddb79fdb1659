package dev.sluice.sandbox.salesforce;

import java.util.List;

/** A request-level failure answered as Salesforce's JSON error array with {@code status}. */
final class SalesforceApiException extends RuntimeException {
  final int status;
  final String errorCode;
  final List<String> fields;

  SalesforceApiException(int status, String errorCode, String message) {
    this(status, errorCode, message, List.of());
  }

  SalesforceApiException(int status, String errorCode, String message, List<String> fields) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  static SalesforceApiException malformed(String message) {
    return new SalesforceApiException(400, "MALFORMED_QUERY", message);
  }
}
