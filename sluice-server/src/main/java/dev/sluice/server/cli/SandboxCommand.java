package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.sandbox.PlatformSandbox;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.hubspot.HubSpotDataGenerator;
import dev.sluice.sandbox.hubspot.HubSpotOptions;
import dev.sluice.sandbox.hubspot.HubSpotTier;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import dev.sluice.sandbox.salesforce.SalesforceOptions;
import dev.sluice.sandbox.salesforce.SalesforceSandbox;
import dev.sluice.sandbox.segment.SegmentOptions;
import dev.sluice.sandbox.segment.SegmentSandbox;
import dev.sluice.sandbox.slack.SlackOptions;
import dev.sluice.sandbox.slack.SlackSandbox;
import dev.sluice.sandbox.smtp.SmtpOptions;
import dev.sluice.sandbox.smtp.SmtpSandbox;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice sandbox}: serves local HubSpot, Salesforce, Mailchimp, Segment, Slack and Google Sheets APIs on one
 * port, and an SMTP server that stores what it receives on another, until stopped (SIGTERM or Ctrl-C close it cleanly).
 * With {@code --json} it prints one line when ready, for scripts:
 * {@code {"hubspot":{"base_url":…,"token":…,"app_secret":…},…,"admin_url":…}}.
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = {"Local vendor APIs (HubSpot, Salesforce, Mailchimp, Segment, Slack, Google Sheets) with their real limits and faults,",
        "and an SMTP server that stores the mail it receives, on 127.0.0.1, until stopped.",
        "Admin API (data changes, faults, journal, counters, stored mail) under /_admin/."})
final class SandboxCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "0", description = "port to listen on (default: a free one)")
  int port;

  @Option(names = "--json", description = "print one JSON line with URLs and credentials when ready")
  boolean json;

  @Option(names = "--seed", defaultValue = "1", description = "seed of generated data and fault draws (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--hubspot-token", description = "HubSpot private app token (default: a random one)")
  String hubspotToken;

  @Option(names = "--hubspot-tier", defaultValue = "professional",
      description = "starter (100/10 s, 250k/day), professional (190, 625k) or enterprise (190, 1M) (default: ${DEFAULT-VALUE})")
  String hubspotTier;

  @Option(names = "--hubspot-limits", paramLabel = "PER_10S/PER_DAY",
      description = "custom limits instead of the tier's, e.g. 250/2000000 (an API limit increase)")
  String hubspotLimits;

  @Option(names = "--hubspot-app-secret", description = "app client secret signing webhooks (default: a random one)")
  String hubspotAppSecret;

  @Option(names = "--hubspot-webhook-url", description = "where HubSpot webhooks are sent (default: none)")
  String hubspotWebhookUrl;

  @Option(names = "--hubspot-webhook-time-scale", defaultValue = "1",
      description = "divides HubSpot's 24-hour retry schedule, e.g. 3600 (default: ${DEFAULT-VALUE})")
  double hubspotWebhookTimeScale;

  @Option(names = "--hubspot-search-lag-ms", defaultValue = "0", description = "search index lag in milliseconds (default: ${DEFAULT-VALUE})")
  long hubspotSearchLagMs;

  @Option(names = "--hubspot-retry-after", description = "send Retry-After on HubSpot 429s (HubSpot does not reliably)")
  boolean hubspotRetryAfter;

  @Option(names = "--hubspot-portal-time-zone", defaultValue = "UTC",
      description = "the portal's time zone: its daily limit resets at midnight there (default: ${DEFAULT-VALUE})")
  String hubspotPortalTimeZone;

  @Option(names = "--hubspot-count-association-reads",
      description = "count v4 association batch reads against the 10-second window too (HubSpot's docs do not settle it)")
  boolean hubspotCountAssociationReads;

  @Option(names = "--hubspot-contacts", defaultValue = "0", description = "contacts to generate (default: ${DEFAULT-VALUE})")
  int contacts;

  @Option(names = "--hubspot-companies", defaultValue = "0", description = "companies to generate (default: ${DEFAULT-VALUE})")
  int companies;

  @Option(names = "--hubspot-deals", defaultValue = "0", description = "deals to generate (default: ${DEFAULT-VALUE})")
  int deals;

  @Option(names = "--hubspot-tickets", defaultValue = "0", description = "tickets to generate (default: ${DEFAULT-VALUE})")
  int tickets;

  @Option(names = "--hubspot-tasks", defaultValue = "0", description = "tasks to generate (default: ${DEFAULT-VALUE})")
  int tasks;

  @Option(names = "--hubspot-custom-properties", defaultValue = "2", description = "custom properties per contact (default: ${DEFAULT-VALUE})")
  int customProperties;

  @Option(names = "--no-edge-cases", description = "generate plain data only (no unicode, nulls, case-twin emails, long values, huge ids)")
  boolean noEdgeCases;

  private static java.time.ZoneId zone(String name) {
    try {
      return java.time.ZoneId.of(name.trim());
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("--hubspot-portal-time-zone: '" + name + "' is not a time zone (e.g. UTC, America/New_York)");
    }
  }

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
    for (int n : new int[] {contacts, companies, deals, tickets, tasks}) {
      if (n < 0 || n > 5_000_000) throw new IllegalArgumentException("record counts must be between 0 and 5000000, got " + n);
    }
    if (hubspotSearchLagMs < 0) throw new IllegalArgumentException("--hubspot-search-lag-ms must not be negative");
    if (hubspotWebhookTimeScale <= 0) throw new IllegalArgumentException("--hubspot-webhook-time-scale must be positive");
    LogLevels.quiet();

    HubSpotOptions.Builder hubspot = HubSpotOptions.builder()
        .tier(tier(hubspotTier))
        .searchIndexLag(Duration.ofMillis(hubspotSearchLagMs))
        .sendRetryAfter(hubspotRetryAfter)
        .portalTimeZone(zone(hubspotPortalTimeZone))
        .associationReadsInTenSecondWindow(hubspotCountAssociationReads)
        .webhookUrl(hubspotWebhookUrl)
        .webhookTimeScale(hubspotWebhookTimeScale);
    if (hubspotToken != null) hubspot.token(hubspotToken);
    if (hubspotAppSecret != null) hubspot.appSecret(hubspotAppSecret);
    if (hubspotLimits != null) {
      String[] parts = hubspotLimits.split("/");
      try {
        if (parts.length != 2) throw new NumberFormatException();
        hubspot.customLimits(Integer.parseInt(parts[0].trim()), Long.parseLong(parts[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--hubspot-limits must look like 250/2000000 (calls per 10 s / per day), got " + hubspotLimits);
      }
    }
    if (contacts + companies + deals + tickets + tasks > 0) {
      hubspot.initialData(new HubSpotDataGenerator.Spec(seed, contacts, companies, deals, tickets, tasks, customProperties, !noEdgeCases));
    }

    Sandbox.Builder builder = Sandbox.builder().port(port).seed(seed).hubspot(hubspot.build());
    for (PlatformSandbox other : otherPlatforms()) builder.platform(other);
    Sandbox sandbox = builder.start();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sandbox.close();
      stopped.countDown();
    }, "sandbox-shutdown"));

    Map<String, Object> ready = sandbox.describe();
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(ready));
    } else {
      System.out.println("sluice sandbox ready on " + sandbox.baseUrl() + " (admin: " + sandbox.adminUrl() + ")");
      ready.forEach((name, details) -> System.out.println("  " + name + ": " + details));
      System.out.println("Stop with Ctrl-C or SIGTERM.");
    }
    System.out.flush();
    stopped.await();
    return 0;
  }

  // Options of the other vendors' sandboxes: each maps to one builder call; unset keeps the default.
  @Option(names = "--salesforce-token", description = "Salesforce access token (default: a random one)")
  String salesforceToken;

  @Option(names = "--salesforce-daily-limit", description = "Salesforce rolling 24 h API allocation (default: 100000)")
  Long salesforceDailyLimit;

  @Option(names = "--salesforce-contacts", description = "Salesforce contacts to generate (default: 50)")
  Integer salesforceContacts;

  @Option(names = "--salesforce-outbound-url", description = "URL that receives Salesforce Outbound Messages (SOAP)")
  java.net.URI salesforceOutboundUrl;

  @Option(names = "--mailchimp-api-key", description = "Mailchimp API key with its data-centre suffix, e.g. 0123…-us21 (default: a random one)")
  String mailchimpApiKey;

  @Option(names = "--mailchimp-members", description = "members generated per Mailchimp list (default: 20)")
  Integer mailchimpMembers;

  @Option(names = "--mailchimp-webhook-url", description = "URL that receives Mailchimp webhooks (checked with a GET at start)")
  java.net.URI mailchimpWebhookUrl;

  @Option(names = "--segment-write-key", description = "Segment write key (default: a random one)")
  String segmentWriteKey;

  @Option(names = "--segment-rps", description = "Segment requests per second before 429 (default: 1000)")
  Integer segmentRequestsPerSecond;

  @Option(names = "--slack-bot-token", description = "Slack bot token, xoxb-… (default: a random one)")
  String slackBotToken;

  @Option(names = "--slack-webhook-secret", description = "secret path part of an incoming webhook posting to #general")
  String slackWebhookSecret;

  @Option(names = "--sheets-token", description = "Google Sheets OAuth access token (default: the sandbox's fixed ya29.… token)")
  String sheetsToken;

  @Option(names = "--sheets-writes-per-minute", description = "Google Sheets write requests per minute per user before 429 (default: 60)")
  Integer sheetsWritesPerMinute;

  @Option(names = "--smtp-port", defaultValue = "0", description = "SMTP port on 127.0.0.1 (default: a free one, announced in the ready line)")
  int smtpPort;

  @Option(names = "--smtp-username", description = "the SMTP login AUTH accepts (default: " + SmtpOptions.DEFAULT_USERNAME + ")")
  String smtpUsername;

  @Option(names = "--smtp-password", description = "its password (default: " + SmtpOptions.DEFAULT_PASSWORD + ")")
  String smtpPassword;

  @Option(names = "--smtp-no-auth", description = "accept mail without AUTH")
  boolean smtpNoAuth;

  /** The other vendors' sandboxes, with the options given on the command line. */
  private java.util.List<PlatformSandbox> otherPlatforms() {
    SalesforceOptions.Builder salesforce = SalesforceOptions.builder().seed(seed);
    if (salesforceToken != null) salesforce.accessToken(salesforceToken);
    if (salesforceDailyLimit != null) salesforce.dailyApiAllocation(salesforceDailyLimit);
    if (salesforceContacts != null) salesforce.contacts(salesforceContacts);
    if (salesforceOutboundUrl != null) salesforce.outboundMessageUrl(salesforceOutboundUrl);
    MailchimpOptions.Builder mailchimp = MailchimpOptions.builder().seed(seed);
    if (mailchimpApiKey != null) mailchimp.apiKey(mailchimpApiKey);
    if (mailchimpMembers != null) mailchimp.membersPerList(mailchimpMembers);
    if (mailchimpWebhookUrl != null) mailchimp.webhookUrl(mailchimpWebhookUrl);
    SegmentOptions.Builder segment = SegmentOptions.builder();
    if (segmentWriteKey != null) segment.writeKey(segmentWriteKey);
    if (segmentRequestsPerSecond != null) segment.requestsPerSecond(segmentRequestsPerSecond);
    SlackOptions.Builder slack = SlackOptions.builder();
    if (slackBotToken != null) slack.botToken(slackBotToken);
    if (slackWebhookSecret != null) slack.webhook(slackWebhookSecret, "general");
    dev.sluice.sandbox.sheets.SheetsOptions.Builder sheets = dev.sluice.sandbox.sheets.SheetsOptions.builder();
    if (sheetsToken != null) sheets.token(sheetsToken);
    if (sheetsWritesPerMinute != null) sheets.writesPerMinute(sheetsWritesPerMinute, Math.max(300, sheetsWritesPerMinute));
    SmtpOptions.Builder smtp = SmtpOptions.builder().port(smtpPort).requireAuth(!smtpNoAuth);
    if (smtpUsername != null) smtp.username(smtpUsername);
    if (smtpPassword != null) smtp.password(smtpPassword);
    return java.util.List.of(
        new SalesforceSandbox(salesforce.build()),
        new MailchimpSandbox(mailchimp.build()),
        new SegmentSandbox(segment.build()),
        new SlackSandbox(slack.build()),
        new dev.sluice.sandbox.sheets.SheetsSandbox(sheets.build()),
        new SmtpSandbox(smtp.build()));
  }

  private static HubSpotTier tier(String name) {
    try {
      return HubSpotTier.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--hubspot-tier must be starter, professional or enterprise, got " + name);
    }
  }
}
