package dev.sluice.rules;

import dev.sluice.connectors.ConcurrencyGate;
import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.ConnectionLimits;
import dev.sluice.connectors.ConnectorFactory;
import dev.sluice.connectors.QueueRateLimitGate;
import dev.sluice.queue.ratelimit.RateLimits;
import dev.sluice.sandbox.Sandbox;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Mailchimp actions against the sandbox audience. Every request holds one of the account's
 * connection slots, shared through PostgreSQL with the connection's pipelines.
 */
abstract class MailchimpActionContractTest extends ConnectorActionContractTest {
  static final String LIST = MailchimpOptions.DEFAULT_LIST_ID;
  static final int MAX_CONNECTIONS = 2;

  @Override
  protected void startDestination() {
    sandbox = Sandbox.builder().port(0).clock(clock).platform(new MailchimpSandbox(MailchimpOptions.builder().membersPerList(2).build())).start();
  }

  @Override
  protected ConnectionConfig.Builder connection(URI base) {
    return ConnectionConfig.builder(CONNECTION, "mailchimp").baseUrl(base + MailchimpSandbox.API_PREFIX)
        .token(MailchimpOptions.DEFAULT_API_KEY, "MAILCHIMP_API_KEY").setting("list_id", LIST)
        .setting("max_connections", Integer.toString(MAX_CONNECTIONS));
  }

  /** Every connection slot held by a pipeline of another process (its own gate on the same tables). */
  @Override
  protected AutoCloseable spendTheSharedBudget(ConnectorFactory pipelineSide, ConnectionConfig config) {
    ConcurrencyGate slots = QueueRateLimitGate.of(new RateLimits(db.dataSource(), queue.schema(), clock)).concurrencyGate();
    List<ConcurrencyGate.Slot> held = new ArrayList<>();
    for (int i = 0; i < MAX_CONNECTIONS; i++) held.add(slots.acquire(ConnectionLimits.capName(config.name(), "connections"), Duration.ZERO).orElseThrow());
    return () -> {
      for (ConcurrencyGate.Slot s : held) s.close();
    };
  }

  MailchimpSandbox mailchimp() {
    return sandbox.platform(MailchimpSandbox.class);
  }

  @Override
  protected FaultProxy.Answer rejection() {
    return new FaultProxy.Answer(400, Map.of("Content-Type", "application/problem+json"),
        "{\"type\":\"https://mailchimp.com/developer/marketing/docs/errors/\",\"title\":\"Invalid Resource\",\"status\":400,"
            + "\"detail\":\"contract_rejected: the resource submitted could not be validated\",\"instance\":\"c0ffee\"}");
  }
}
