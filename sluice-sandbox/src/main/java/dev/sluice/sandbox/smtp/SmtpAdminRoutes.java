package dev.sluice.sandbox.smtp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The SMTP sandbox's admin API under {@code /_admin/smtp/}: stored messages, faults, transcript, stats. */
final class SmtpAdminRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SmtpSandbox smtp;

  SmtpAdminRoutes(SmtpSandbox smtp) {
    this.smtp = smtp;
  }

  void register(JavalinDefaultRoutingApi app) {
    app.get("/_admin/smtp/messages", ctx -> {
      String to = ctx.queryParam("to");
      String messageId = ctx.queryParam("message_id");
      List<Map<String, Object>> out = (to == null ? smtp.messages() : smtp.messages(to)).stream()
          .filter(m -> messageId == null || messageId.equals(m.messageId()))
          .map(SmtpAdminRoutes::json).toList();
      ctx.json(Map.of("messages", out));
    });
    app.delete("/_admin/smtp/messages", ctx -> {
      smtp.clear();
      ctx.status(204);
    });
    app.get("/_admin/smtp/faults", ctx -> ctx.json(Map.of("pending", smtp.pendingFaults())));
    app.post("/_admin/smtp/faults", this::addFault);
    app.delete("/_admin/smtp/faults", ctx -> {
      smtp.clearFaults();
      ctx.status(204);
    });
    app.get("/_admin/smtp/transcript", ctx -> ctx.json(Map.of("lines", smtp.transcript())));
    app.get("/_admin/smtp/stats", ctx -> ctx.json(smtp.stats()));
  }

  /** {@code {"reply": "451 4.3.0 Try again later", "times": 1}} or {@code {"lose_reply": true, "times": 1}}. */
  private void addFault(Context ctx) {
    JsonNode body;
    try {
      body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
    } catch (Exception e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      ctx.status(400).json(Map.of("status", "error", "message", "request body must be a JSON object"));
      return;
    }
    JsonNode times = body.path("times");
    if (!times.isMissingNode() && !times.canConvertToInt()) {
      ctx.status(400).json(Map.of("status", "error", "message", "times must be a whole number 1..10000"));
      return;
    }
    try {
      int n = times.asInt(1);
      if (body.path("lose_reply").asBoolean(false)) smtp.loseReplyToNext(n);
      else smtp.rejectNext(n, body.path("reply").asText(null));
    } catch (IllegalArgumentException e) {
      ctx.status(400).json(Map.of("status", "error", "message", e.getMessage()
          + "; body is {\"reply\": \"451 4.3.0 Try again later\", \"times\": 1} or {\"lose_reply\": true, \"times\": 1}"));
      return;
    }
    ctx.status(201).json(Map.of("pending", smtp.pendingFaults()));
  }

  private static Map<String, Object> json(StoredMail m) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("mailbox", m.mailbox());
    o.put("return_path", m.returnPath());
    o.put("message_id", m.messageId());
    o.put("from", m.from());
    o.put("to", m.to());
    o.put("cc", m.cc());
    o.put("subject", m.subject());
    o.put("text", m.text());
    o.put("html", m.html());
    o.put("headers", m.headers());
    o.put("received_at", m.receivedAt().toString());
    return o;
  }
}
