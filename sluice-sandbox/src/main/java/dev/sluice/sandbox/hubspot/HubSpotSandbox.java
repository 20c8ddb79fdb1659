package dev.sluice.sandbox.hubspot;

import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.SandboxServices;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A sandbox HubSpot portal: the CRM v3 objects and v4 associations APIs over an in-memory store,
 * with private-app auth, HubSpot's rate limits, search index lag and webhooks. The Java methods
 * below are the admin API (also served as JSON under {@code /_admin/hubspot/}): they change data as
 * a CRM user would, so they fire webhooks and move last-modified dates like API writes do.
 *
 * <p>Thread-safe. Usable once the owning {@link dev.sluice.sandbox.Sandbox} has started.
 */
public final class HubSpotSandbox implements PlatformSandbox {
  /** The {@code changeSource} of webhook events caused by admin calls (a user in the CRM). */
  static final String SOURCE_CRM = "CRM";
  /** The {@code changeSource} of webhook events caused by API calls. */
  static final String SOURCE_API = "API";

  private final HubSpotOptions options;
  private volatile PortalStore store;
  private volatile RateLimiter limiter;
  private volatile HubSpotWebhooks webhooks;
  private volatile SandboxServices services;

  public HubSpotSandbox(HubSpotOptions options) {
    this.options = options;
  }

  @Override
  public String name() {
    return "hubspot";
  }

  @Override
  public void attach(SandboxServices services) {
    this.services = services;
    Clock clock = services.clock();
    this.store = new PortalStore(clock, options.searchIndexLag.toMillis());
    this.limiter = new RateLimiter(clock, options.portalTimeZone, options.perTenSeconds, options.perDay, options.searchPerSecond);
    this.webhooks = new HubSpotWebhooks(options, clock);
    if (options.initialData != null) generate(options.initialData);
  }

  @Override
  public void routes(JavalinDefaultRoutingApi app) {
    new HubSpotApi(this).register(app);
    new HubSpotAdminRoutes(this).register(app);
  }

  @Override
  public Map<String, Object> describe(String serverBaseUrl) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("base_url", serverBaseUrl);
    out.put("token", options.token);
    out.put("app_secret", options.appSecret);
    out.put("portal_id", options.portalId);
    out.put("app_id", options.appId);
    out.put("tier", options.tier.name().toLowerCase(java.util.Locale.ROOT));
    out.put("limit_per_ten_seconds", limiter == null ? options.perTenSeconds : limiter.perWindow());
    out.put("limit_per_day", limiter == null ? options.perDay : limiter.perDay());
    out.put("webhook_url", webhooks == null ? options.webhookUrl : webhooks.targetUrl());
    return out;
  }

  @Override
  public boolean ownsPath(String path) {
    return path.startsWith("/crm/");
  }

  @Override
  public void writeInjectedRateLimit(Context ctx) {
    HubSpotApi.writeRateLimited(ctx, "TEN_SECONDLY_ROLLING");
  }

  @Override
  public void writeInjectedServerError(Context ctx, int status) {
    HubSpotWire.error(ctx, status, "INTERNAL_ERROR", "Injected server error " + status + " (sandbox fault).");
  }

  @Override
  public void close() {
    if (webhooks != null) webhooks.close();
  }

  // ---- accessors ----

  /** The options this portal was started with. */
  public HubSpotOptions options() {
    return options;
  }

  /** The private app's bearer token. */
  public String token() {
    return options.token;
  }

  /** The app client secret that signs webhook requests. */
  public String appSecret() {
    return options.appSecret;
  }

  /** Webhook subscriptions and deliveries. */
  public HubSpotWebhooks webhooks() {
    return started(webhooks);
  }

  boolean isValidToken(String token) {
    return options.token.equals(token) || options.extraTokens.contains(token);
  }

  PortalStore store() {
    return started(store);
  }

  RateLimiter limiter() {
    return started(limiter);
  }

  SandboxServices services() {
    return started(services);
  }

  private static <T> T started(T t) {
    if (t == null) throw new IllegalStateException("the HubSpot sandbox is not started: add it to a Sandbox and start() it");
    return t;
  }

  // ---- admin: limits and lag ----

  /** Changes the limits of every token (e.g. to switch tiers mid-test). Counts so far are kept. */
  public void setLimits(int perTenSeconds, long perDay) {
    limiter().setLimits(perTenSeconds, perDay, limiter().searchPerSecond());
  }

  /**
   * Counts {@code calls} against today's quota of {@code token} as if that many calls had been
   * answered (the 10-second window is not touched): lets a test spend a whole day of requests
   * without sending them all. Returns what is left of the day.
   */
  public long countDailyCalls(String token, long calls) {
    return limiter().countDaily(token, calls);
  }

  /** Forgets all calls counted against the limits. */
  public void resetRateLimits() {
    limiter().reset();
  }

  /** Changes how long changed records stay invisible (or stale) to search. */
  public void setSearchIndexLag(Duration lag) {
    store().indexLagMillis = lag.toMillis();
  }

  // ---- admin: data ----

  /** Runs a write under the store's write lock, then hands its changes to the webhook sender. */
  <T> T write(Function<List<Change>, T> work) {
    PortalStore s = store();
    List<Change> changes = new ArrayList<>();
    T result;
    s.lock.writeLock().lock();
    try {
      result = work.apply(changes);
    } finally {
      s.lock.writeLock().unlock();
    }
    if (!changes.isEmpty()) webhooks.publish(changes);
    return result;
  }

  <T> T read(java.util.function.Supplier<T> work) {
    PortalStore s = store();
    s.lock.readLock().lock();
    try {
      return work.get();
    } finally {
      s.lock.readLock().unlock();
    }
  }

  /** Creates a record as a CRM user would (fires creation and property-change events). */
  public HubSpotRecord createRecord(HubSpotObjectType type, Map<String, String> properties) {
    return write(changes -> {
      PortalStore s = store;
      PortalStore.Rec r = s.create(type, properties, s.clock.millis(), SOURCE_CRM, changes);
      return s.snapshot(type, r);
    });
  }

  /** Edits properties (a {@code null} or empty value clears one); throws if the record is not live. */
  public HubSpotRecord updateRecord(HubSpotObjectType type, String id, Map<String, String> properties) {
    return write(changes -> {
      PortalStore.Rec r = requireLive(type, id);
      store.update(type, r, properties, SOURCE_CRM, changes);
      return store.snapshot(type, r);
    });
  }

  /** Archives (deletes) a record: it leaves lists and search, and appears with {@code archived=true}. */
  public void archiveRecord(HubSpotObjectType type, String id) {
    write(changes -> {
      store.archive(type, requireLive(type, id), SOURCE_CRM, changes);
      return null;
    });
  }

  /** Merges {@code mergedId} into {@code primaryId} (contacts, companies, deals or tickets). */
  public HubSpotRecord merge(HubSpotObjectType type, String primaryId, String mergedId) {
    return write(changes -> {
      PortalStore.Rec primary = requireLive(type, primaryId);
      PortalStore.Rec merged = requireLive(type, mergedId);
      if (primary == merged) throw new IllegalArgumentException("cannot merge a record into itself");
      store.merge(type, primary, merged, SOURCE_CRM, changes);
      return store.snapshot(type, primary);
    });
  }

  /** Merges two contacts. */
  public HubSpotRecord mergeContacts(String primaryId, String mergedId) {
    return merge(HubSpotObjectType.CONTACTS, primaryId, mergedId);
  }

  /** Associates two records with their default association type (both directions). */
  public void associate(HubSpotObjectType fromType, String fromId, HubSpotObjectType toType, String toId) {
    AssociationKind kind = AssociationKind.between(fromType, toType);
    if (kind == null) throw new IllegalArgumentException("no default association from " + fromType.plural() + " to " + toType.plural());
    write(changes -> store.associate(kind, requireLive(fromType, fromId), requireLive(toType, toId), SOURCE_CRM, changes));
  }

  /** Removes the association between two records (both directions). */
  public void dissociate(HubSpotObjectType fromType, String fromId, HubSpotObjectType toType, String toId) {
    AssociationKind kind = AssociationKind.between(fromType, toType);
    if (kind == null) throw new IllegalArgumentException("no default association from " + fromType.plural() + " to " + toType.plural());
    write(changes -> store.dissociate(kind, requireLive(fromType, fromId), requireLive(toType, toId), SOURCE_CRM, changes));
  }

  /** A copy of a record (live, archived, or reached through a merged id); empty if unknown. */
  public Optional<HubSpotRecord> record(HubSpotObjectType type, String id) {
    return read(() -> {
      long n;
      try {
        n = Long.parseLong(id);
      } catch (NumberFormatException e) {
        return Optional.<HubSpotRecord>empty();
      }
      PortalStore.Rec r = store.live(type, n);
      if (r == null) r = store.table(type).archived.get(n);
      return Optional.ofNullable(r).map(x -> store.snapshot(type, x));
    });
  }

  /** How many live records of a type there are. */
  public int count(HubSpotObjectType type) {
    return read(() -> store.table(type).live.size());
  }

  /** How many archived records of a type there are. */
  public int archivedCount(HubSpotObjectType type) {
    return read(() -> store.table(type).archived.size());
  }

  /** Ids of all live records of a type, ascending (as decimal strings). */
  public List<String> ids(HubSpotObjectType type) {
    return read(() -> store.table(type).live.keySet().stream().map(String::valueOf).toList());
  }

  /** Ids of the live (or archived) records of a type, ascending; one array, no boxing. */
  long[] idsSnapshot(HubSpotObjectType type, boolean archived) {
    return read(() -> {
      PortalStore.Table t = store.table(type);
      java.util.NavigableMap<Long, PortalStore.Rec> map = archived ? t.archived : t.live;
      long[] out = new long[map.size()];
      int i = 0;
      for (Long id : map.keySet()) out[i++] = id;
      return out;
    });
  }

  /** Generates data into the portal (no webhook events), deterministically from the spec's seed. */
  public HubSpotDataGenerator.Result generate(HubSpotDataGenerator.Spec spec) {
    PortalStore s = store();
    s.lock.writeLock().lock();
    try {
      return new HubSpotDataGenerator(spec).generateInto(s);
    } finally {
      s.lock.writeLock().unlock();
    }
  }

  private PortalStore.Rec requireLive(HubSpotObjectType type, String id) {
    long n;
    try {
      n = Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(type.singular() + " id must be a number, got '" + id + "'");
    }
    PortalStore.Rec r = store.live(type, n);
    if (r == null) throw new java.util.NoSuchElementException("no live " + type.singular() + " with id " + id);
    return r;
  }
}
