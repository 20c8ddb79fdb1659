package dev.sluice.sandbox.mailchimp;

import dev.sluice.sandbox.PlatformClock;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.SandboxServices;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Mailchimp Marketing API (3.0) for audiences and members: upsert by subscriber hash, read,
 * batch subscribe (≤ 500, per-member errors in a 200), {@code application/problem+json} errors,
 * Basic auth with the API key, at most N simultaneous requests per account (then 429), and list
 * webhooks (GET check on creation, form-encoded POSTs on member changes). Routes under
 * {@value #API_PREFIX}; admin routes under {@code /_admin/mailchimp/}. Thread-safe.
 */
public final class MailchimpSandbox implements PlatformSandbox {

  public static final String API_PREFIX = "/3.0";
  public static final int MAX_BATCH_MEMBERS = 500;
  static final String PROBLEM_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/";
  private static final String SLOT = "sluice.mailchimp.slot";

  private final MailchimpOptions options;
  private final PlatformClock clock;
  private final MailchimpStore store;
  private final MailchimpWebhooks webhooks;
  private final MailchimpTags tags;
  private final Semaphore connections;
  private final AtomicLong tooManyRequests = new AtomicLong();
  private volatile SandboxServices services;
  private final java.util.concurrent.atomic.AtomicBoolean generated = new java.util.concurrent.atomic.AtomicBoolean();

  public MailchimpSandbox(MailchimpOptions options) {
    this.options = options;
    this.clock = new PlatformClock(options.clock());
    this.store = new MailchimpStore(clock, options.lists());
    if (options.clock() != null) {
      generateOnce();
    }
    this.webhooks = new MailchimpWebhooks(clock, options);
    this.tags = new MailchimpTags(store, clock);
    this.connections = new Semaphore(options.maxConcurrentRequests());
    for (URI url : options.webhookUrls()) {
      for (MailchimpStore.MailingList list : store.lists()) {
        try {
          webhooks.register(list.id, url, MailchimpWebhooks.EVENTS, MailchimpWebhooks.SOURCES);
        } catch (MailchimpProblem e) {
          webhooks.close();
          throw new IllegalArgumentException("Mailchimp webhook " + url + " refused: " + e.getMessage());
        }
      }
    }
  }

  /** Generates the seeded members once, with the clock the platform runs on (see SalesforceSandbox). */
  private void generateOnce() {
    if (generated.compareAndSet(false, true)) {
      store.generate(options.seed(), options.membersPerList());
    }
  }

  @Override
  public String name() {
    return "mailchimp";
  }

  @Override
  public void attach(SandboxServices services) {
    clock.adopt(services.clock());
    this.services = services;
    generateOnce();
  }

  /**
   * Marks a 404 problem as this platform's final answer, so the shared server's fallback for
   * unknown paths (which only keeps {@code application/json} bodies) leaves it as it is.
   */
  void keepNotFound(Context ctx) {
    SandboxServices s = services;
    if (s != null && ctx.statusCode() == 404) {
      s.answered(ctx);
    }
  }

  @Override
  public boolean ownsPath(String path) {
    return path.startsWith(API_PREFIX + "/");
  }

  /** A request holds one of the account's connection slots from its arrival until its answer. */
  @Override
  public boolean arrive(Context ctx) {
    if (!connections.tryAcquire()) {
      tooManyRequests.incrementAndGet();
      writeInjectedRateLimit(ctx);
      return false;
    }
    ctx.attribute(SLOT, Boolean.TRUE);
    return true;
  }

  @Override
  public void depart(Context ctx) {
    if (ctx.attribute(SLOT) != null) {
      ctx.attribute(SLOT, null);
      connections.release();
    }
  }

  /** Paths under {@code /3.0} that no route serves: Mailchimp's 404 problem, not a framework page. */
  @Override
  public void writeUnknownEndpoint(Context ctx) {
    MailchimpWire.problem(ctx, MailchimpProblem.notFound());
  }

  @Override
  public void writeInjectedRateLimit(Context ctx) {
    MailchimpWire.problem(ctx, new MailchimpProblem(429, "Too Many Requests",
        "You have exceeded the limit of " + options.maxConcurrentRequests() + " simultaneous connections."));
  }

  @Override
  public Map<String, Object> describe(String serverBaseUrl) {
    String base = serverBaseUrl.endsWith("/") ? serverBaseUrl.substring(0, serverBaseUrl.length() - 1) : serverBaseUrl;
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("base_url", base + API_PREFIX);
    d.put("api_key", options.apiKey());
    d.put("dc", options.dataCenter());
    d.put("list_ids", List.copyOf(options.lists().keySet()));
    d.put("max_concurrent_requests", options.maxConcurrentRequests());
    return d;
  }

  @Override
  public void routes(JavalinDefaultRoutingApi app) {
    generateOnce();
    new MailchimpApiRoutes(this, options, store, webhooks, tags).register(app);
    new MailchimpAdminRoutes(this, store, webhooks).register(app);
  }

  @Override
  public void close() {
    webhooks.close();
  }

  // ---- Java accessors ----

  public MailchimpOptions options() {
    return options;
  }

  public List<MailchimpMember> members(String listId) {
    generateOnce();
    return store.members(listId);
  }

  public Optional<MailchimpMember> member(String listId, String email) {
    generateOnce();
    return Optional.ofNullable(store.list(listId).members.get(MailchimpStore.subscriberHash(email)));
  }

  /**
   * Creates or edits a member as a list owner would in Mailchimp's app (source {@code admin}):
   * sends the matching webhooks. Null arguments leave the value as it is.
   */
  public MailchimpMember upsertMember(String listId, String email, String status, Map<String, ?> mergeFields) {
    Map<String, Object> merges = mergeFields == null ? null : new LinkedHashMap<>(mergeFields);
    MailchimpStore.Change c = store.upsert(listId, null, new MailchimpStore.MemberWrite(email, status, status, merges, null), true);
    webhooks.memberChanged(c, "admin");
    return c.after();
  }

  /** The member's active tags (set by {@code POST …/members/{hash}/tags}), in the order they were added. */
  public List<String> tags(String listId, String email) {
    return tags.active(listId, MailchimpStore.subscriberHash(email));
  }

  /** Archives a member as its list owner would (status {@code archived}; it stays readable). */
  public MailchimpMember archiveMember(String listId, String email) {
    generateOnce();
    return store.archive(listId, MailchimpStore.subscriberHash(email)).after();
  }

  /** Changes a member's email as its owner would (sends {@code upemail}). */
  public MailchimpMember changeEmail(String listId, String oldEmail, String newEmail) {
    MailchimpStore.Change c = store.upsert(listId, MailchimpStore.subscriberHash(oldEmail),
        new MailchimpStore.MemberWrite(newEmail, null, null, null, null), true);
    webhooks.memberChanged(c, "admin");
    return c.after();
  }

  /** Registers a webhook on a list (all events, all sources) after the GET check; returns its id. */
  public String addWebhook(String listId, URI url) {
    store.list(listId);
    return webhooks.register(listId, url, MailchimpWebhooks.EVENTS, MailchimpWebhooks.SOURCES).id();
  }

  /** Webhook POSTs the receivers accepted, in order of acceptance. */
  public List<MailchimpWebhookDelivery> webhookDeliveries() {
    return webhooks.delivered();
  }

  /** Webhook events not yet accepted nor abandoned. */
  public long pendingWebhookDeliveries() {
    return webhooks.pending();
  }

  /** 429 answers served for too many simultaneous requests. */
  public long tooManyRequestsCount() {
    return tooManyRequests.get();
  }

  /** Requests currently holding a connection slot. */
  public int inFlightRequests() {
    return options.maxConcurrentRequests() - connections.availablePermits();
  }

  /** The subscriber hash Mailchimp uses in member URLs: md5 of the lower-case email. */
  public static String subscriberHash(String email) {
    return MailchimpStore.subscriberHash(email);
  }
}
