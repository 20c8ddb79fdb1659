package dev.sluice.sandbox.slack;

import dev.sluice.sandbox.PlatformClock;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.SandboxServices;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slack's {@code chat.postMessage} (bearer bot token, form or JSON arguments, {@code ok:false}
 * errors answered with 200, about one message per second per channel, then 429 with
 * {@code Retry-After}) and incoming webhooks under {@value #WEBHOOK_PREFIX} (answers {@code ok} or
 * an error word with a status). Accepted messages are kept for assertions. Thread-safe.
 */
public final class SlackSandbox implements PlatformSandbox {

  public static final String API_PREFIX = "/api";
  /** Incoming webhooks live here instead of Slack's {@code /services/…} so they never meet Salesforce's {@code /services/data}. */
  public static final String WEBHOOK_PREFIX = "/services/slack-hooks";
  /** Slack truncates beyond this; it refuses longer {@code text} with {@code msg_too_long}. */
  public static final int MAX_TEXT_LENGTH = 40_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BOT_USER_ID = "U0000000001";
  private static final String BOT_ID = "B0000000001";

  /** A channel; replaced (not mutated) when archived or renamed. */
  record Channel(String id, String name, boolean archived) {}

  private final SlackOptions options;
  private final PlatformClock clock;
  private final Map<String, Channel> channelsById = new ConcurrentHashMap<>();
  private final Map<String, String> webhookChannel = new ConcurrentHashMap<>(); // secret → channel id
  private final Map<String, String> webhookPaths = new ConcurrentHashMap<>();   // secret → full path
  private final ChannelRateLimiter limiter;
  private final List<SlackMessage> messages = new CopyOnWriteArrayList<>();
  private final AtomicLong channelSequence = new AtomicLong();
  private final AtomicLong tsSequence = new AtomicLong();
  private final AtomicLong rateLimited = new AtomicLong();
  private volatile SandboxServices services;

  public SlackSandbox(SlackOptions options) {
    this.options = options;
    this.clock = new PlatformClock(options.clock());
    this.limiter = new ChannelRateLimiter(clock, options.messageInterval(), options.messageBurst());
    options.channels().forEach(this::createChannel);
    options.webhooks().forEach(this::addWebhook);
  }

  @Override
  public String name() {
    return "slack";
  }

  @Override
  public void attach(SandboxServices services) {
    clock.adopt(services.clock());
    this.services = services;
  }

  @Override
  public boolean ownsPath(String path) {
    return path.startsWith(API_PREFIX + "/") || path.startsWith(WEBHOOK_PREFIX + "/");
  }

  /**
   * A Web API method the sandbox does not serve answers as Slack does, 200
   * {@code {"ok":false,"error":"unknown_method","req_method":…}} (an HTTP 404 makes the official
   * clients retry for a long time); an unknown webhook path is Slack's 404 {@code no_service}.
   */
  @Override
  public void writeUnknownEndpoint(Context ctx) {
    if (ctx.path().startsWith(WEBHOOK_PREFIX + "/")) {
      ctx.status(404).contentType("text/html").result("no_service");
      return;
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", false);
    out.put("error", "unknown_method");
    out.put("req_method", ctx.path().substring(API_PREFIX.length() + 1));
    ctx.status(200).contentType("application/json; charset=utf-8").result(out.toString());
  }

  @Override
  public void writeInjectedRateLimit(Context ctx) {
    ctx.status(429).header("Retry-After", "1");
    if (ctx.path().startsWith(WEBHOOK_PREFIX)) {
      ctx.contentType("text/plain").result("rate_limited");
    } else {
      ctx.contentType("application/json; charset=utf-8").result("{\"ok\":false,\"error\":\"ratelimited\"}");
    }
  }

  @Override
  public Map<String, Object> describe(String serverBaseUrl) {
    String base = serverBaseUrl.endsWith("/") ? serverBaseUrl.substring(0, serverBaseUrl.length() - 1) : serverBaseUrl;
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("base_url", base + API_PREFIX);
    d.put("bot_token", options.botToken());
    d.put("team_id", options.teamId());
    Map<String, String> hooks = new LinkedHashMap<>();
    webhookPaths.forEach((secret, path) -> {
      Channel c = channelsById.get(webhookChannel.get(secret));
      if (c != null) { // a deleted channel's hook answers 404 and is not advertised
        hooks.put(c.name(), base + path);
      }
    });
    d.put("webhook_urls", hooks);
    Map<String, String> channels = new LinkedHashMap<>();
    channelsById.values().forEach(c -> channels.put(c.name(), c.id()));
    d.put("channels", channels);
    return d;
  }

  @Override
  public void routes(JavalinDefaultRoutingApi app) {
    app.post(API_PREFIX + "/chat.postMessage", this::postMessage);
    app.get(API_PREFIX + "/chat.postMessage", this::postMessage); // Slack takes the arguments as a query too
    app.get(API_PREFIX + "/api.test", this::apiTest);
    app.post(API_PREFIX + "/api.test", this::apiTest);
    app.get(API_PREFIX + "/auth.test", this::authTest);
    app.post(API_PREFIX + "/auth.test", this::authTest);
    app.post(WEBHOOK_PREFIX + "/{team}/{bot}/{secret}", this::incomingWebhook);
    new SlackAdminRoutes(this).register(app);
  }

  // ---- Java accessors ----

  public SlackOptions options() {
    return options;
  }

  /** Every accepted message, in arrival order. */
  public List<SlackMessage> messages() {
    return List.copyOf(messages);
  }

  /** Accepted messages of one channel (by name, {@code #name} or id). */
  public List<SlackMessage> messages(String channel) {
    Channel c = resolve(channel);
    return c == null ? List.of() : messages.stream().filter(m -> m.channelId().equals(c.id())).toList();
  }

  /** 429 answers served (chat.postMessage and webhooks). */
  public long rateLimitedCount() {
    return rateLimited.get();
  }

  /** The id of the channel {@code nameOrId}, or null. */
  public String channelId(String nameOrId) {
    Channel c = resolve(nameOrId);
    return c == null ? null : c.id();
  }

  /** Creates a channel and returns its id. */
  public synchronized String createChannel(String name, boolean archived) {
    String clean = name.startsWith("#") ? name.substring(1) : name;
    if (resolve(clean) != null) {
      throw new IllegalArgumentException("channel " + clean + " exists");
    }
    String id = String.format(Locale.ROOT, "C%010d", channelSequence.incrementAndGet());
    channelsById.put(id, new Channel(id, clean, archived));
    return id;
  }

  public void setArchived(String channel, boolean archived) {
    Channel c = resolve(channel);
    if (c == null) {
      throw new IllegalArgumentException("no channel " + channel);
    }
    channelsById.put(c.id(), new Channel(c.id(), c.name(), archived));
  }

  /** Adds an incoming webhook for {@code channel}; returns its path (append it to the server URL). */
  public synchronized String addWebhook(String secret, String channel) {
    Channel c = resolve(channel);
    if (c == null) {
      throw new IllegalArgumentException("no channel " + channel);
    }
    if (!secret.matches("[A-Za-z0-9]{8,64}")) {
      throw new IllegalArgumentException("a webhook secret is 8 to 64 letters or digits");
    }
    String bot = String.format(Locale.ROOT, "B%010d", webhookChannel.size() + 1);
    String path = WEBHOOK_PREFIX + "/" + options.teamId() + "/" + bot + "/" + secret;
    webhookChannel.put(secret, c.id());
    webhookPaths.put(secret, path);
    return path;
  }

  /** The path of the webhook with this secret, or null. */
  public String webhookPath(String secret) {
    return webhookPaths.get(secret);
  }

  // ---- chat.postMessage ----

  /**
   * The Web API call's arguments (query, JSON or form body) once its token is the bot token; null
   * when the answer ({@code invalid_json}, {@code not_authed}, {@code invalid_auth}) is written.
   */
  private Map<String, JsonNode> authorizedArgs(Context ctx) {
    Map<String, JsonNode> args = new LinkedHashMap<>();
    ctx.queryParamMap().forEach((k, v) -> args.put(k, JSON.getNodeFactory().textNode(v.get(0))));
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (type.startsWith("application/json")) {
      JsonNode body;
      try {
        body = ctx.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(ctx.body());
      } catch (JsonProcessingException e) {
        body = null;
      }
      if (body == null || !body.isObject()) {
        okFalse(ctx, "invalid_json");
        return null;
      }
      body.properties().forEach(e -> args.put(e.getKey(), e.getValue()));
    } else if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
      ctx.formParamMap().forEach((k, v) -> args.put(k, JSON.getNodeFactory().textNode(v.get(0))));
    }
    String token = bearer(ctx.header("Authorization"));
    if (token == null && args.containsKey("token")) {
      token = args.get("token").asText();
    }
    if (token == null || token.isEmpty()) {
      okFalse(ctx, "not_authed");
      return null;
    }
    if (!token.equals(options.botToken())) {
      okFalse(ctx, "invalid_auth");
      return null;
    }
    return args;
  }

  /** {@code api.test}: no token needed; echoes the query arguments. */
  private void apiTest(Context ctx) throws Exception {
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", true);
    ObjectNode echoed = out.putObject("args");
    ctx.queryParamMap().forEach((k, v) -> echoed.put(k, v.get(0)));
    ctx.contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(out));
  }

  /** {@code auth.test}: who the token is, the check every integration makes first. */
  private void authTest(Context ctx) throws Exception {
    if (authorizedArgs(ctx) == null) {
      return;
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", true);
    out.put("url", "https://sluice-sandbox.slack.com/");
    out.put("team", "Sluice Sandbox");
    out.put("user", "sluice");
    out.put("team_id", options.teamId());
    out.put("user_id", BOT_USER_ID);
    out.put("bot_id", BOT_ID);
    out.put("is_enterprise_install", false);
    ctx.contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(out));
  }

  private void postMessage(Context ctx) throws Exception {
    Map<String, JsonNode> args = authorizedArgs(ctx);
    if (args == null) {
      return;
    }
    JsonNode channelArg = args.get("channel");
    if (channelArg == null || channelArg.asText().isEmpty()) {
      okFalse(ctx, "channel_not_found");
      return;
    }
    Channel channel = resolve(channelArg.asText());
    if (channel == null) {
      okFalse(ctx, "channel_not_found");
      return;
    }
    if (channel.archived()) {
      okFalse(ctx, "is_archived");
      return;
    }
    String text = textOf(args.get("text"));
    String blocks = jsonOf(args.get("blocks"));
    String attachments = jsonOf(args.get("attachments"));
    if ((text == null || text.isEmpty()) && blocks == null && attachments == null) {
      okFalse(ctx, "no_text");
      return;
    }
    if (text != null && text.length() > MAX_TEXT_LENGTH) {
      okFalse(ctx, "msg_too_long");
      return;
    }
    long retryAfter = limiter.tryAcquire(channel.id());
    if (retryAfter > 0) {
      rateLimited.incrementAndGet();
      ctx.status(429).header("Retry-After", Long.toString(retryAfter));
      okFalse(ctx, "ratelimited");
      return;
    }
    Instant now = clock.instant();
    String ts = nextTs(now);
    messages.add(new SlackMessage(channel.id(), channel.name(), ts, text, blocks, "chat.postMessage", now));
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", true);
    out.put("channel", channel.id());
    out.put("ts", ts);
    ObjectNode message = out.putObject("message");
    message.put("user", BOT_USER_ID);
    message.put("type", "message");
    message.put("ts", ts);
    message.put("bot_id", BOT_ID);
    message.put("app_id", "A0000000001");
    message.put("text", text == null ? "" : text);
    message.put("team", options.teamId());
    if (blocks != null) {
      message.set("blocks", JSON.readTree(blocks));
    }
    ctx.contentType("application/json; charset=utf-8").result(JSON.writeValueAsString(out));
  }

  private static void okFalse(Context ctx, String error) {
    ctx.contentType("application/json; charset=utf-8").result("{\"ok\":false,\"error\":\"" + error + "\"}");
  }

  // ---- incoming webhooks ----

  private void incomingWebhook(Context ctx) throws Exception {
    String secret = ctx.pathParam("secret");
    String path = webhookPaths.get(secret);
    if (path == null || !path.equals(ctx.path())) {
      hookAnswer(ctx, 404, "no_service");
      return;
    }
    Channel channel = channelsById.get(webhookChannel.get(secret));
    if (channel == null) {
      hookAnswer(ctx, 404, "channel_not_found");
      return;
    }
    if (channel.archived()) {
      hookAnswer(ctx, 410, "channel_is_archived");
      return;
    }
    JsonNode payload;
    try {
      String raw = ctx.body();
      String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
      if (type.startsWith("application/x-www-form-urlencoded")) {
        raw = ctx.formParam("payload"); // the legacy form: payload=<json>
      }
      payload = raw == null ? null : JSON.readTree(raw);
    } catch (JsonProcessingException e) {
      payload = null;
    }
    if (payload == null || !payload.isObject()) {
      hookAnswer(ctx, 400, "invalid_payload");
      return;
    }
    String text = textOf(payload.get("text"));
    String blocks = jsonOf(payload.get("blocks"));
    if ((text == null || text.isEmpty()) && blocks == null && payload.get("attachments") == null) {
      hookAnswer(ctx, 400, "no_text");
      return;
    }
    long retryAfter = limiter.tryAcquire(channel.id());
    if (retryAfter > 0) {
      rateLimited.incrementAndGet();
      ctx.header("Retry-After", Long.toString(retryAfter));
      hookAnswer(ctx, 429, "rate_limited");
      return;
    }
    Instant now = clock.instant();
    messages.add(new SlackMessage(channel.id(), channel.name(), nextTs(now), text, blocks, "incoming-webhook", now));
    hookAnswer(ctx, 200, "ok");
  }

  private void hookAnswer(Context ctx, int status, String word) {
    ctx.status(status).contentType("text/html").result(word);
    SandboxServices s = services;
    if (s != null && status == 404) {
      // Final: the shared server's fallback for unknown paths would replace a non-JSON 404 body.
      s.answered(ctx);
    }
  }

  // ---- for the admin routes ----

  /** Every channel, by id. */
  List<Channel> channels() {
    return channelsById.values().stream().sorted(java.util.Comparator.comparing(Channel::id)).toList();
  }

  Channel channel(String nameOrId) {
    return resolve(nameOrId);
  }

  void deleteChannel(String id) {
    channelsById.remove(id);
  }

  boolean hasWebhook(String secret) {
    return webhookPaths.containsKey(secret);
  }

  void clearMessages() {
    messages.clear();
  }

  // ---- helpers ----

  private Channel resolve(String nameOrId) {
    if (nameOrId == null) {
      return null;
    }
    Channel byId = channelsById.get(nameOrId);
    if (byId != null) {
      return byId;
    }
    String name = nameOrId.startsWith("#") ? nameOrId.substring(1) : nameOrId;
    for (Channel c : channelsById.values()) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  private String nextTs(Instant now) {
    return String.format(Locale.ROOT, "%d.%06d", now.getEpochSecond(), tsSequence.incrementAndGet() % 1_000_000);
  }

  private static String bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }

  private static String textOf(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  /** Blocks/attachments arrive as JSON (JSON body) or as JSON text (form body). */
  private static String jsonOf(JsonNode n) throws JsonProcessingException {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText().isBlank() ? null : n.asText();
    }
    return JSON.writeValueAsString(n);
  }
}
