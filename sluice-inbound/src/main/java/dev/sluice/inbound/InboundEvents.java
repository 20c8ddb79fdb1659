package dev.sluice.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.SourceConnector;
import dev.sluice.postgres.GroupCommitter;
import dev.sluice.queue.JobContext;
import dev.sluice.queue.JobQueue;
import dev.sluice.queue.JobWorker;
import dev.sluice.queue.KindPolicy;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.cron.CronScheduler;
import dev.sluice.queue.schema.SqlResource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * InboundEvents receives webhooks and keeps them: each request is verified against its
 * connection's secret, parsed, and acknowledged only after its events are committed (shared
 * transactions: see {@link GroupCommitter}) together with {@value #EVENT_JOB_KIND} jobs that hand
 * each new event to the {@link #onEvent listener} once. A provider event id already stored is acknowledged and stores nothing. Stored events can
 * be listed, shown with their raw request, and replayed (their job enqueued again).
 *
 * <p>Thread-safe; one instance per process. {@link #close()} commits what was already received.
 */
public final class InboundEvents implements AutoCloseable {
  /**
   * Job kind handling stored events: one per group commit and up to 500 new events (payload
   * {@code {"request_ids": [..]}}, the requests whose events it handles), and one per replayed event
   * ({@code {"event_id": n, "replay": true}}).
   */
  public static final String EVENT_JOB_KIND = "inbound-event";
  /** Job kind refreshing the mirror records named by events; payload {@code {"connection", "object_type"}}. */
  public static final String MIRROR_JOB_KIND = "inbound-mirror-refresh";
  /** Job kind of the retention pass; fired by the cron schedule {@value #RETENTION_SCHEDULE}. */
  public static final String RETENTION_JOB_KIND = "inbound-retention";
  /** Cron schedule name of the retention pass (every 15 minutes, once across all processes). */
  public static final String RETENTION_SCHEDULE = "inbound-retention";
  /** Largest request body accepted by default (a full HubSpot or Salesforce batch is far smaller). */
  public static final int MAX_BODY_BYTES_DEFAULT = 1_000_000;
  /** How long a receiver waits for its commit before answering 503 (the sender retries). */
  public static final Duration COMMIT_WAIT = Duration.ofSeconds(10);
  private static final List<String> KEPT_HEADERS = List.of("Content-Type", "User-Agent", "X-HubSpot-Signature-v3",
      "X-HubSpot-Signature-Version", "X-HubSpot-Request-Timestamp", "SOAPAction", "webhook-id", "webhook-timestamp",
      "webhook-signature", "X-Forwarded-For");

  private final DataSource ds;
  private final JobQueue queue;
  private final String schema;
  private final Clock clock;
  private final WebhookSources sources;
  private final int maxBodyBytes;
  private final EventStore store;
  private final InboundRetention retention;
  private final GroupCommitter<Delivery, Delivery.Stored> committer;
  private final MirrorRefresher refresher;

  private InboundEvents(Builder b) {
    this.ds = b.ds;
    this.queue = b.queue;
    this.schema = b.schema;
    this.clock = b.clock;
    this.sources = b.sources;
    this.maxBodyBytes = b.maxBodyBytes;
    this.store = new EventStore(ds, b.queue, schema, clock);
    this.retention = new InboundRetention(ds, schema, clock, b.keepEvents, b.dedupeMemory);
    MirrorNotes notes = new MirrorNotes(b.queue, schema, b.mirrorWindow, b.connectors != null);
    this.refresher = b.connectors == null ? null
        : new MirrorRefresher(ds, b.queue, schema, clock, sources, b.connectors, b.mirrorWindow);
    this.committer = GroupCommitter.builder(ds, new EventWriter(b.queue, schema, clock, notes))
        .maxBatch(b.maxBatch).committers(b.committers).name("inbound").build();
  }

  /** An instance on {@code dataSource}, enqueueing through {@code queue} (same database), accepting {@code sources}. */
  public static Builder builder(DataSource dataSource, JobQueue queue, WebhookSources sources) {
    return new Builder(dataSource, queue, sources);
  }

  /**
   * Creates or upgrades the inbound tables (Flyway, history table {@code inbound_schema_history}),
   * after the queue's own migration. Idempotent; safe to call from every process.
   */
  public InboundEvents migrate() {
    queue.migrate();
    Flyway.configure(InboundEvents.class.getClassLoader())
        .dataSource(ds)
        .schemas(schema)
        .defaultSchema(schema)
        .createSchemas(true)
        .table("inbound_schema_history")
        .locations("classpath:dev/sluice/inbound/migration")
        // the schema already holds the queue's (and the engine's) tables: our own history starts below V1
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
    // one refresh at a time per connection and object type, so two never take the same ids
    queue.configureKind(MIRROR_JOB_KIND, KindPolicy.builder().maxRunningPerKey(1).build());
    return this;
  }

  /**
   * Registers the {@value #EVENT_JOB_KIND} handler (for now it records that the event was seen) and
   * the {@value #RETENTION_JOB_KIND} handler.
   */
  public void registerHandlers(JobWorker.Builder worker) {
    worker.handle(EVENT_JOB_KIND, this::handleEvent);
    worker.handle(RETENTION_JOB_KIND, ctx -> cleanOnce());
    if (refresher != null) worker.handle(MIRROR_JOB_KIND, refresher::handle);
  }

  /** Stores the retention pass's cron schedule (idempotent); the caller runs the scheduler. */
  public void scheduleRetention(CronScheduler cron) {
    cron.schedule(RETENTION_SCHEDULE, "*/15 * * * *", NewJob.of(RETENTION_JOB_KIND, "{}"));
  }

  private void handleEvent(JobContext ctx) throws SQLException {
    java.util.function.Consumer<StoredEvent> listener = eventListener;
    JsonNode requests = ctx.payload().get("request_ids");
    if (requests != null) {
      List<Long> ids = new java.util.ArrayList<>(requests.size());
      requests.forEach(n -> ids.add(n.asLong()));
      if (listener == null) {
        store.markRequestsHandled(ids);
        return;
      }
      // request by request, so a retry after a failing listener skips the requests already handled
      for (long request : store.unhandledRequests(ids)) {
        for (StoredEvent e : store.requestEvents(request)) listener.accept(e);
        store.markRequestsHandled(List.of(request));
      }
      return;
    }
    long id = ctx.payload().path("event_id").asLong();
    if (listener != null) find(id).ifPresent(listener); // an event already removed by retention is only marked
    store.markHandled(id);
  }

  private volatile java.util.function.Consumer<StoredEvent> eventListener;

  /**
   * Runs {@code listener} (e.g. the rules engine) on each stored event in the
   * {@value #EVENT_JOB_KIND} jobs, in the order the events were stored within a request, before
   * the event's request is marked handled; a listener that throws fails the job, which is retried
   * from the first request not yet handled (so a listener may see an event again: at least once).
   * Set it before the workers start.
   */
  public void onEvent(java.util.function.Consumer<StoredEvent> listener) {
    this.eventListener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Receives one HubSpot, Salesforce or Standard Webhooks request for {@code name} (a connection,
   * or a Standard Webhooks source) and answers once its events are durable.
   *
   * @throws WebhookRejected when the request is refused (nothing stored)
   * @throws IllegalStateException when the store could not commit in time (answer 503; the sender retries)
   */
  public Receipt receive(WebhookSender sender, String name, InboundRequest request) {
    if (sender == WebhookSender.MAILCHIMP) throw new IllegalArgumentException("Mailchimp requests carry a path secret: use mailchimp()");
    WebhookSources.Source source = source(sender, name);
    checkSize(request);
    Instant now = clock.instant();
    return switch (sender) {
      case HUBSPOT -> {
        HubSpotSignature.verify(source.secret(), request, sources.publicBaseUrl(), clock);
        yield json(store(sender, name, now, request, "hubspot-signature-v3", HubSpotEvents.parse(request.body())));
      }
      case SALESFORCE -> {
        SalesforceOutboundMessage.Parsed parsed = SalesforceOutboundMessage.parse(request.body());
        if (!SalesforceOutboundMessage.sameOrganization(source.secret(), parsed.organizationId())) {
          throw WebhookRejected.unauthorized("OrganizationId does not match connection '" + name + "'");
        }
        Delivery.Stored s = store(sender, name, now, request, "salesforce-organization-id", SalesforceOutboundMessage.events(parsed));
        yield new Receipt(200, "text/xml; charset=utf-8", SalesforceOutboundMessage.ACK, s.eventIds().size(), s.duplicates());
      }
      case STANDARD -> {
        StandardWebhookVerifier.verify(source.secrets(), request, clock);
        yield json(store(sender, name, now, request, "standard-webhooks-v1", List.of(standardEvent(request))));
      }
      case MAILCHIMP -> throw new IllegalStateException("unreachable");
    };
  }

  /**
   * The answer to a Salesforce Outbound Message that was refused ({@link WebhookRejected}) or could
   * not be stored: a SOAP 1.1 Fault as {@code text/xml} with {@code status} and the one-line
   * {@code reason} as its faultstring (Salesforce reads SOAP, not JSON, and retries without an Ack).
   */
  public static Receipt salesforceFault(int status, String reason) {
    return new Receipt(status, "text/xml; charset=utf-8", SalesforceOutboundMessage.fault(status, reason), 0, 0);
  }

  /** Receives a Mailchimp POST at {@code /hooks/mailchimp/<connection>/<pathSecret>}. */
  public Receipt mailchimp(String connection, String pathSecret, InboundRequest request) {
    checkMailchimpSecret(connection, pathSecret);
    checkSize(request);
    NewEvent event = MailchimpForm.event(MailchimpForm.parse(request.body()));
    return json(store(WebhookSender.MAILCHIMP, connection, clock.instant(), request, "mailchimp-path-secret", List.of(event)));
  }

  /** Mailchimp's GET check when the webhook is created: 200 when the connection and secret are right. */
  public Receipt mailchimpCheck(String connection, String pathSecret) {
    checkMailchimpSecret(connection, pathSecret);
    return new Receipt(200, "application/json", "{\"ok\":true}", 0, 0);
  }

  private void checkMailchimpSecret(String connection, String pathSecret) {
    WebhookSources.Source s = source(WebhookSender.MAILCHIMP, connection);
    if (pathSecret == null || !ConstantTime.equal(s.secret(), pathSecret)) {
      throw WebhookRejected.unauthorized("wrong path secret for connection '" + connection + "'");
    }
  }

  private WebhookSources.Source source(WebhookSender sender, String name) {
    return sources.find(sender, name).orElseThrow(() -> WebhookRejected.notFound(
        "no " + sender.wireName() + " webhooks are configured for " + (sender == WebhookSender.STANDARD ? "source" : "connection")
            + " '" + shorten(name) + "'"));
  }

  private void checkSize(InboundRequest r) {
    if (r.body().length > maxBodyBytes) {
      throw new WebhookRejected(413, "body of " + r.body().length + " bytes is over the limit of " + maxBodyBytes);
    }
  }

  static NewEvent standardEvent(InboundRequest r) {
    JsonNode body;
    try {
      body = InboundJson.MAPPER.readTree(r.body());
    } catch (java.io.IOException e) {
      throw WebhookRejected.badRequest("body is not valid JSON");
    }
    if (body == null || !body.isObject()) throw WebhookRejected.badRequest("body must be a JSON object");
    String type = body.path("type").isTextual() && !body.path("type").asText().isBlank() ? body.get("type").asText() : "event";
    Instant occurred;
    try {
      occurred = body.path("timestamp").isTextual() ? Instant.parse(body.get("timestamp").asText())
          : Instant.ofEpochSecond(Long.parseLong(r.header("webhook-timestamp").trim()));
    } catch (DateTimeParseException e) {
      occurred = Instant.ofEpochSecond(Long.parseLong(r.header("webhook-timestamp").trim()));
    }
    JsonNode data = body.path("data");
    String objectId = InboundJson.idText(data.get("id"));
    return new NewEvent(r.header("webhook-id").trim(), type, null, objectId, null, null, occurred, body);
  }

  private Delivery.Stored store(WebhookSender sender, String name, Instant now, InboundRequest r, String verification,
      List<NewEvent> events) {
    ObjectNode headers = InboundJson.MAPPER.createObjectNode();
    for (String h : KEPT_HEADERS) {
      String v = r.header(h);
      if (v != null) headers.put(h, v);
    }
    Delivery d = new Delivery(sender, name, now, InboundJson.write(headers), r.body(), verification, events);
    java.util.concurrent.CompletableFuture<Delivery.Stored> f;
    try {
      f = committer.submit(d);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the event store is overloaded or closing: " + e.getMessage(), e);
    }
    try {
      return f.get(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false); // answered as not stored: not written if its batch has not formed yet
      throw new IllegalStateException("the events could not be stored in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while storing the events", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the events could not be stored: " + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    }
  }

  private static Receipt json(Delivery.Stored s) {
    return new Receipt(200, "application/json",
        "{\"stored\":" + s.eventIds().size() + ",\"duplicates\":" + s.duplicates() + "}", s.eventIds().size(), s.duplicates());
  }

  private static String shorten(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  /** Stored events matching {@code filter}, newest first. */
  public List<StoredEvent> list(EventFilter filter) {
    try {
      return store.list(filter);
    } catch (SQLException e) {
      throw new IllegalStateException("listing events failed: " + e.getMessage(), e);
    }
  }

  /** One event with its raw request. */
  public Optional<StoredEvent> find(long id) {
    try {
      return store.find(id);
    } catch (SQLException e) {
      throw new IllegalStateException("reading event " + id + " failed: " + e.getMessage(), e);
    }
  }

  /** Enqueues the event job of event {@code id} again, recorded as a replay; false when there is no such event. */
  public boolean replay(long id) {
    return !replay(EventFilter.all(1), id).isEmpty();
  }

  /** Replays every event matching {@code filter} (oldest first, at most its limit); answers their ids. */
  public List<Long> replay(EventFilter filter) {
    return replay(filter, null);
  }

  private List<Long> replay(EventFilter filter, Long id) {
    try {
      return store.replay(filter, id);
    } catch (SQLException e) {
      throw new IllegalStateException("replay failed: " + e.getMessage(), e);
    }
  }

  /** One retention pass (events past their retention, provider ids past the dedupe memory); answers rows deleted. */
  public int cleanOnce() {
    try {
      return retention.cleanOnce();
    } catch (SQLException e) {
      throw new IllegalStateException("inbound retention failed: " + e.getMessage(), e);
    }
  }

  /** Storing transactions committed so far (each holds the requests that arrived together). */
  public long commits() {
    return committer.batches();
  }

  /** Requests stored (or found to be duplicates) so far. */
  public long committedRequests() {
    return committer.items();
  }

  public WebhookSources sources() {
    return sources;
  }

  @Override
  public void close() {
    committer.close();
  }

  /** Configures {@link InboundEvents}; not thread-safe. */
  public static final class Builder {
    private final DataSource ds;
    private final JobQueue queue;
    private final WebhookSources sources;
    private String schema;
    private Clock clock;
    private int maxBatch = GroupCommitter.DEFAULT_MAX_BATCH;
    private int committers = GroupCommitter.DEFAULT_COMMITTERS;
    private Duration keepEvents = InboundRetention.KEEP_EVENTS_DEFAULT;
    private Duration dedupeMemory = InboundRetention.DEDUPE_MEMORY_DEFAULT;
    private int maxBodyBytes = MAX_BODY_BYTES_DEFAULT;
    private Duration mirrorWindow = MirrorNotes.WINDOW_DEFAULT;
    private Function<String, SourceConnector> connectors;

    private Builder(DataSource ds, JobQueue queue, WebhookSources sources) {
      this.ds = Objects.requireNonNull(ds);
      this.queue = Objects.requireNonNull(queue);
      this.sources = Objects.requireNonNull(sources);
      this.schema = queue.schema();
      this.clock = queue.clock();
    }

    public Builder schema(String schema) { this.schema = SqlResource.checkSchema(schema); return this; }
    public Builder clock(Clock clock) { this.clock = Objects.requireNonNull(clock); return this; }
    /** Most requests in one storing transaction. */
    public Builder maxBatch(int maxBatch) { this.maxBatch = maxBatch; return this; }
    /** Storing transactions in flight at once (while one waits for its fsync, the next batch forms). */
    public Builder committers(int committers) { this.committers = committers; return this; }
    public Builder maxBodyBytes(int bytes) { this.maxBodyBytes = bytes; return this; }

    /** How long events are kept (retention by age). */
    public Builder keepEvents(Duration keep) {
      if (keep.isNegative() || keep.isZero()) throw new IllegalArgumentException("event retention must be positive");
      this.keepEvents = keep;
      return this;
    }

    /** How long provider ids are remembered; at least 24 hours (the senders' retry horizon). */
    public Builder dedupeMemory(Duration memory) {
      if (memory.compareTo(InboundRetention.DEDUPE_MEMORY_MINIMUM) < 0) {
        throw new IllegalArgumentException("the dedupe memory must last at least 24 hours (HubSpot and Salesforce retry that long), got " + memory);
      }
      this.dedupeMemory = memory;
      return this;
    }

    /**
     * Keeps the mirror fresh: ids named by HubSpot and Salesforce events are gathered per
     * connection and object type for {@code window}, then one {@value #MIRROR_JOB_KIND} job reads
     * them (HubSpot: through {@code connectors}' batch read; Salesforce: the notification's values)
     * and upserts them as a sync page does.
     */
    public Builder refreshMirror(Duration window, Function<String, SourceConnector> connectors) {
      if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("the refresh window must be positive");
      this.mirrorWindow = window;
      this.connectors = Objects.requireNonNull(connectors);
      return this;
    }

    public InboundEvents build() {
      return new InboundEvents(this);
    }
  }
}
