package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.inbound.InboundEvents;
import dev.sluice.inbound.InboundRequest;
import dev.sluice.inbound.Receipt;
import dev.sluice.inbound.WebhookRejected;
import dev.sluice.inbound.WebhookSender;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook receivers under {@code /hooks/…}: no bearer token (each sender proves itself with its
 * signature, organization id or path secret), answered only after the events are committed. A
 * refused request gets its 4xx with a one-line reason and stores nothing; a store that cannot
 * commit answers 503, so the sender retries.
 */
final class WebhookRoutes {
  private static final Logger log = LoggerFactory.getLogger(WebhookRoutes.class);
  private final InboundEvents inbound;
  private final ObjectMapper json;

  WebhookRoutes(InboundEvents inbound, ObjectMapper json) {
    this.inbound = inbound;
    this.json = json;
  }

  /** {@code POST /hooks/hubspot/{connection}}. */
  void hubspot(Context ctx) {
    receive(ctx, WebhookSender.HUBSPOT, ctx.pathParam("connection"));
  }

  /**
   * {@code POST /hooks/salesforce/{connection}}: answered with the SOAP Ack, and every refusal with a
   * SOAP Fault as text/xml (the one route whose errors are not the JSON Error shape: its sender
   * speaks SOAP).
   */
  void salesforce(Context ctx) {
    Receipt r;
    try {
      r = inbound().receive(WebhookSender.SALESFORCE, ctx.pathParam("connection"), request(ctx));
    } catch (WebhookRejected e) {
      log.info("webhook refused on {}: {} {}", redacted(ctx), e.status(), e.getMessage());
      r = InboundEvents.salesforceFault(e.status(), e.getMessage());
    } catch (ApiError e) {
      log.info("webhook refused on {}: {} {}", redacted(ctx), e.status(), e.getMessage());
      r = InboundEvents.salesforceFault(e.status(), e.getMessage());
    } catch (IllegalStateException e) {
      log.warn("webhook on {} not stored: {}", redacted(ctx), e.getMessage());
      r = InboundEvents.salesforceFault(503, "the notifications could not be stored yet; retry");
    }
    send(ctx, r);
  }

  /** {@code POST /hooks/standard/{source}}. */
  void standard(Context ctx) {
    receive(ctx, WebhookSender.STANDARD, ctx.pathParam("source"));
  }

  /** {@code POST /hooks/mailchimp/{connection}/{secret}}. */
  void mailchimp(Context ctx) {
    answer(ctx, () -> inbound().mailchimp(ctx.pathParam("connection"), ctx.pathParam("secret"), request(ctx)));
  }

  /** {@code GET /hooks/mailchimp/{connection}/{secret}}: Mailchimp's check when the webhook is created. */
  void mailchimpCheck(Context ctx) {
    answer(ctx, () -> inbound().mailchimpCheck(ctx.pathParam("connection"), ctx.pathParam("secret")));
  }

  private void receive(Context ctx, WebhookSender sender, String name) {
    answer(ctx, () -> inbound().receive(sender, name, request(ctx)));
  }

  private void answer(Context ctx, java.util.function.Supplier<Receipt> call) {
    Receipt r;
    try {
      r = call.get();
    } catch (WebhookRejected e) {
      log.info("webhook refused on {}: {} {}", redacted(ctx), e.status(), e.getMessage());
      ApiServer.error(ctx, json, e.status(), e.getMessage());
      return;
    } catch (IllegalStateException e) {
      log.warn("webhook on {} not stored: {}", redacted(ctx), e.getMessage());
      ApiServer.error(ctx, json, 503, "the events could not be stored yet; retry");
      return;
    }
    send(ctx, r);
  }

  private static void send(Context ctx, Receipt r) {
    ctx.status(r.status());
    if (r.contentType() != null) ctx.contentType(r.contentType());
    ctx.result(r.body());
  }

  /** The path without a Mailchimp path secret, for logs. */
  static String redacted(Context ctx) {
    String path = ctx.path();
    return path.startsWith("/hooks/mailchimp/") ? path.replaceFirst("^(/hooks/mailchimp/[^/]+/).*$", "$1****") : path;
  }

  private static InboundRequest request(Context ctx) {
    // InboundRequest copies the headers into its own case-insensitive map
    return new InboundRequest(ctx.method().name(), ctx.req().getRequestURI(), ctx.queryString(), ctx.headerMap(),
        JsonBodyReader.readBytes(ctx));
  }

  /** The receivers of this process; a server started without them answers 404 on their routes. */
  private InboundEvents inbound() {
    if (inbound == null) throw ApiError.notFound("webhook receivers are not running in this process");
    return inbound;
  }
}
