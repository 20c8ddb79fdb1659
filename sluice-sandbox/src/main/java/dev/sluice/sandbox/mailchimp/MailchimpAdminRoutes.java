package dev.sluice.sandbox.mailchimp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.Map;

/**
 * The Mailchimp sandbox's admin API under {@code /_admin/mailchimp/}: members (edits as the list
 * owner, source {@code admin}, send webhooks), webhooks, deliveries and stats.
 */
final class MailchimpAdminRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MailchimpSandbox sandbox;
  private final MailchimpStore store;
  private final MailchimpWebhooks webhooks;

  MailchimpAdminRoutes(MailchimpSandbox sandbox, MailchimpStore store, MailchimpWebhooks webhooks) {
    this.sandbox = sandbox;
    this.store = store;
    this.webhooks = webhooks;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get("/_admin/mailchimp/lists/{list}/members", ctx -> admin(ctx, () -> {
      ArrayNode out = JSON.createArrayNode();
      store.members(ctx.pathParam("list")).forEach(m -> out.add(MailchimpWire.memberJson(m)));
      MailchimpWire.json(ctx, 200, out);
    }));
    app.put("/_admin/mailchimp/lists/{list}/members/{email}", ctx -> admin(ctx, () -> {
      JsonNode body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      MailchimpMember m = adminWrite(ctx.pathParam("list"), ctx.pathParam("email"), body);
      MailchimpWire.json(ctx, 200, MailchimpWire.memberJson(m));
    }));
    app.post("/_admin/mailchimp/lists/{list}/webhooks", ctx -> admin(ctx, () -> {
      JsonNode body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      store.list(ctx.pathParam("list"));
      MailchimpWebhooks.Webhook h = webhooks.register(ctx.pathParam("list"), MailchimpApiRoutes.uri(body.path("url").asText("")),
          MailchimpWebhooks.EVENTS, MailchimpWebhooks.SOURCES);
      MailchimpWire.json(ctx, 200, MailchimpWire.webhookJson(h));
    }));
    app.get("/_admin/mailchimp/webhook-deliveries", ctx -> ctx.json(sandbox.webhookDeliveries()));
    app.get("/_admin/mailchimp/stats", ctx -> ctx.json(Map.of(
        "in_flight", sandbox.inFlightRequests(), "too_many_requests", sandbox.tooManyRequestsCount(),
        "webhook_deliveries", webhooks.delivered().size(), "webhook_failed_posts", webhooks.failedPosts(),
        "webhook_pending", webhooks.pending())));
  }


  @FunctionalInterface
  private interface AdminAction {
    void run() throws Exception;
  }

  private void admin(Context ctx, AdminAction action) throws Exception {
    try {
      action.run();
    } catch (MailchimpProblem p) {
      MailchimpWire.problem(ctx, p);
      sandbox.keepNotFound(ctx);
    } catch (JsonProcessingException e) {
      ctx.status(400).json(Map.of("error", "the body is not valid JSON"));
    }
  }

  private MailchimpMember adminWrite(String listId, String email, JsonNode body) {
    MailchimpStore.MemberWrite w = MailchimpWire.memberWrite(body);
    MailchimpStore.Change c;
    if (w.email() != null && !w.email().equalsIgnoreCase(email)) {
      c = store.upsert(listId, MailchimpSandbox.subscriberHash(email), w, true);
    } else {
      String status = w.status() != null ? w.status() : w.statusIfNew();
      c = store.upsert(listId, null, new MailchimpStore.MemberWrite(email, w.status(), status, w.mergeFields(), w.emailType()), true);
    }
    webhooks.memberChanged(c, "admin");
    return c.after();
  }
}
