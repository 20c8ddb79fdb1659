package dev.sluice.inbound;

/**
 * WebhookRejected is a webhook request refused before anything was stored: 401 (bad or stale
 * signature, wrong organization id or path secret), 400 (malformed body, DOCTYPE or entity in XML,
 * more than 100 events), 413 (body over the limit) or 404 (unknown connection or source). The
 * message is one line, safe to send to the client: it never contains a secret.
 */
public final class WebhookRejected extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public WebhookRejected(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  static WebhookRejected unauthorized(String reason) {
    return new WebhookRejected(401, reason);
  }

  static WebhookRejected badRequest(String reason) {
    return new WebhookRejected(400, reason);
  }

  static WebhookRejected notFound(String reason) {
    return new WebhookRejected(404, reason);
  }

  public int status() {
    return status;
  }
}
