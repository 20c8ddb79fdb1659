package dev.sluice.sandbox.mailchimp;

import java.util.List;
import java.util.Map;

/** A failure answered as {@code application/problem+json} in Mailchimp's shape. */
final class MailchimpProblem extends RuntimeException {
  final int status;
  final String title;
  final List<Map<String, String>> fieldErrors;

  MailchimpProblem(int status, String title, String detail) {
    this(status, title, detail, List.of());
  }

  MailchimpProblem(int status, String title, String detail, List<Map<String, String>> fieldErrors) {
    super(detail);
    this.status = status;
    this.title = title;
    this.fieldErrors = fieldErrors;
  }

  static MailchimpProblem invalid(String field, String message) {
    return new MailchimpProblem(400, "Invalid Resource",
        "The resource submitted could not be validated. For field-specific details, see the 'errors' array.",
        List.of(Map.of("field", field, "message", message)));
  }

  static MailchimpProblem notFound() {
    return new MailchimpProblem(404, "Resource Not Found", "The requested resource could not be found.");
  }
}
