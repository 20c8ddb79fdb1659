package dev.sluice.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.RateLimitRegistry;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import io.javalin.http.Context;

/** {@code GET /v1/connections}: the configured connections and their effective limits, tokens redacted. */
final class ConnectionRoutes {
  private final SluiceConfig config;
  private final ObjectMapper json;

  ConnectionRoutes(SluiceConfig config, ObjectMapper json) {
    this.config = config;
    this.json = json;
  }

  void list(Context ctx) {
    ObjectNode body = json.createObjectNode();
    ArrayNode items = body.putArray("connections");
    for (ConnectionConfig c : config.connections().values()) {
      ObjectNode n = items.addObject();
      n.put("name", c.name());
      n.put("platform", c.platform());
      n.put("base_url", c.baseUrl().toString());
      n.put("token", Secret.REDACTED);
      n.put("token_source", c.tokenSource());
      ConnectionLimits limits = dev.sluice.connectors.ConnectorFactory.limits(RateLimitRegistry.builtIn(), c);
      n.put("tier", limits.tier());
      ObjectNode l = n.putObject("limits");
      limits.buckets().forEach((bucket, spec) -> l.putObject(bucket).put("permits", spec.permits()).put("window", spec.window().toString()));
      ObjectNode caps = n.putObject("concurrency");
      limits.concurrency().forEach(caps::put);
      ArrayNode objects = n.putArray("objects");
      c.objects().forEach(objects::add);
      ObjectNode props = n.putObject("properties");
      c.properties().forEach((object, list) -> {
        ArrayNode a = props.putArray(object);
        list.forEach(a::add);
      });
      n.put("cron", c.cron());
    }
    ApiServer.send(ctx, json, 200, body);
  }
}
