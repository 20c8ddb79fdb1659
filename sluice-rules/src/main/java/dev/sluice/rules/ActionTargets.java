package dev.sluice.rules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What rules' actions may name, from sluice.yaml: Slack workspaces, HMAC signing keys, SMTP servers, and HubSpot, Segment,
 * Mailchimp, Salesforce and Google Sheets connections. Secrets
 * here are sent or used at send time and never written to jobs, decisions or logs. Immutable.
 */
public final class ActionTargets {
  /** Nothing configured: only {@code http.request} without {@code sign} can run. */
  public static final ActionTargets NONE = builder().build();
  /** The platforms {@link Builder#connection} takes: segment, mailchimp, salesforce. */
  public static final java.util.Set<String> CONNECTOR_PLATFORMS = ConnectorActions.PLATFORMS;

  private final Map<String, SlackConnection> slack;
  private final Map<String, byte[]> signingKeys;
  private final Map<String, HubSpotActions.Connection> hubspot;
  private final Map<String, ConnectorActions.Connection> connectors;
  private final Map<String, SmtpConnection> smtp;
  private final Map<String, SheetsAppendAction.Connection> sheets;

  private ActionTargets(Builder b) {
    this.slack = Map.copyOf(b.slack);
    this.signingKeys = Map.copyOf(b.signingKeys);
    this.hubspot = Map.copyOf(b.hubspot);
    this.connectors = Map.copyOf(b.connectors);
    this.smtp = Map.copyOf(b.smtp);
    this.sheets = Map.copyOf(b.sheets);
  }

  /** A builder holding these targets, to add more (e.g. the HubSpot connections of a runtime). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.slack.putAll(slack);
    b.signingKeys.putAll(signingKeys);
    b.hubspot.putAll(hubspot);
    b.connectors.putAll(connectors);
    b.smtp.putAll(smtp);
    b.sheets.putAll(sheets);
    return b;
  }

  public static Builder builder() {
    return new Builder();
  }

  Map<String, SlackConnection> slack() {
    return slack;
  }

  Map<String, byte[]> signingKeys() {
    return signingKeys;
  }

  /** The handlers of every action kind over these targets, for checking rules (no rate limit is taken). */
  Actions actions(ActionHttp http) {
    return actions(http, dev.sluice.connectors.RateLimitGate.unlimited());
  }

  /** The handlers of every action kind over these targets; {@code gate} holds the rate-limit buckets of the SMTP connections. */
  Actions actions(ActionHttp http, dev.sluice.connectors.RateLimitGate gate) {
    return new Actions(java.util.List.of(
        SlackActions.post(slack, http),
        SlackActions.webhook(slack, http),
        new HttpRequestAction(signingKeys, http),
        HubSpotActions.task(hubspot, http),
        HubSpotActions.note(hubspot, http),
        HubSpotActions.update(hubspot, http),
        SegmentActions.track(connectors, http),
        SegmentActions.identify(connectors, http),
        MailchimpActions.upsert(connectors, http),
        MailchimpActions.tags(connectors, http),
        SalesforceActions.upsert(connectors, http),
        new EmailAction(smtp, http, gate),
        new SheetsAppendAction(sheets, http)));
  }

  /** Builds {@link ActionTargets}; not thread-safe. */
  public static final class Builder {
    private final Map<String, SlackConnection> slack = new LinkedHashMap<>();
    private final Map<String, byte[]> signingKeys = new LinkedHashMap<>();
    private final Map<String, HubSpotActions.Connection> hubspot = new LinkedHashMap<>();
    private final Map<String, ConnectorActions.Connection> connectors = new LinkedHashMap<>();
    private final Map<String, SmtpConnection> smtp = new LinkedHashMap<>();
    private final Map<String, SheetsAppendAction.Connection> sheets = new LinkedHashMap<>();

    private Builder() {}

    /** An SMTP server {@code email.send} actions may name. */
    public Builder smtp(SmtpConnection connection) {
      smtp.put(connection.name(), connection);
      return this;
    }

    /**
     * A Segment, Mailchimp or Salesforce connection ({@code segment.*}, {@code mailchimp.*},
     * {@code salesforce.*} actions) whose actions call through the connector {@code connector}
     * makes on first use (once), so they share its rate-limit buckets and concurrency caps with the
     * connection's syncs and pipelines.
     */
    public Builder connection(dev.sluice.connectors.ConnectionConfig config,
        java.util.function.Supplier<? extends dev.sluice.connectors.DestinationConnector> connector) {
      if (!ConnectorActions.PLATFORMS.contains(config.platform())) {
        throw new IllegalArgumentException("connection '" + config.name() + "' is a " + config.platform() + " connection (actions take: "
            + String.join(", ", new java.util.TreeSet<>(ConnectorActions.PLATFORMS)) + ")");
      }
      connectors.put(config.name(), new ConnectorActions.Connection(config, Objects.requireNonNull(connector)));
      return this;
    }

    /** A Segment, Mailchimp or Salesforce connection for checking rules only ({@code sluice rules check}): its actions cannot run. */
    public Builder connectionName(dev.sluice.connectors.ConnectionConfig config) {
      if (ConnectorActions.PLATFORMS.contains(config.platform())) connectors.put(config.name(), new ConnectorActions.Connection(config, null));
      return this;
    }

    /**
     * A Google Sheets connection ({@code platform: google_sheets}) {@code sheets.append} actions may
     * name: its base URL and token, its per-minute buckets (the registry's, or the connection's
     * overrides) taken from {@code gate}, made on first use (e.g. {@code ConnectorFactory.gate(config)},
     * which defines the buckets).
     */
    public Builder sheets(dev.sluice.connectors.ConnectionConfig config, java.util.function.Supplier<dev.sluice.connectors.RateLimitGate> gate) {
      sheets.put(config.name(), new SheetsAppendAction.Connection(config, Objects.requireNonNull(gate)));
      return this;
    }

    /** A Google Sheets connection, for checking rules only ({@code sluice rules check}): its actions cannot run. */
    public Builder sheetsName(dev.sluice.connectors.ConnectionConfig config) {
      sheets.put(config.name(), new SheetsAppendAction.Connection(config, null));
      return this;
    }

    /**
     * A HubSpot connection {@code hubspot.*} actions may name: they call through {@code connector},
     * sharing its rate-limit buckets; {@code searchIndexSettle} is how long after a send without an
     * answer its search sees what was created.
     */
    public Builder hubspot(String name, dev.sluice.connectors.hubspot.HubSpotConnector connector, java.time.Duration searchIndexSettle) {
      Objects.requireNonNull(connector);
      return hubspot(name, () -> connector, searchIndexSettle);
    }

    /** As {@link #hubspot(String, dev.sluice.connectors.hubspot.HubSpotConnector, java.time.Duration)}, the connector made on first use (once). */
    public Builder hubspot(String name, java.util.function.Supplier<dev.sluice.connectors.hubspot.HubSpotConnector> connector,
        java.time.Duration searchIndexSettle) {
      hubspot.put(Objects.requireNonNull(name), new HubSpotActions.Connection(new HubSpotActions.Lazy(connector), Objects.requireNonNull(searchIndexSettle)));
      return this;
    }

    /** A HubSpot connection name, for checking rules only ({@code sluice rules check}): its actions cannot run. */
    public Builder hubspotName(String name) {
      hubspot.put(Objects.requireNonNull(name), new HubSpotActions.Connection(null, java.time.Duration.ZERO));
      return this;
    }

    /** A Slack workspace {@code slack.post} (bot token) and {@code slack.webhook} (webhook URL) actions may name. */
    public Builder slack(SlackConnection connection) {
      slack.put(connection.name(), connection);
      return this;
    }

    /** An HMAC key {@code http.request} actions may sign with ({@code sign: {key: name}}). */
    public Builder signingKey(String name, byte[] secret) {
      if (secret == null || secret.length == 0) throw new IllegalArgumentException("signing key '" + name + "' is empty");
      signingKeys.put(Objects.requireNonNull(name), secret.clone());
      return this;
    }

    public ActionTargets build() {
      return new ActionTargets(this);
    }
  }
}
