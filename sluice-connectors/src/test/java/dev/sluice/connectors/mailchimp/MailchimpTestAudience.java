package dev.sluice.connectors.mailchimp;

import dev.sluice.connectors.ConnectionConfig;
import dev.sluice.connectors.SandboxConnections;
import dev.sluice.connectors.SourceRecord;
import dev.sluice.sandbox.mailchimp.MailchimpMember;
import dev.sluice.sandbox.mailchimp.MailchimpOptions;
import dev.sluice.sandbox.mailchimp.MailchimpSandbox;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A sandbox Mailchimp account with one audience, connections to it, and the oracle view of its members. */
final class MailchimpTestAudience implements AutoCloseable {

  static final String LIST = MailchimpOptions.DEFAULT_LIST_ID;
  static final DateTimeFormatter WIRE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

  final MailchimpSandbox mailchimp;
  final SandboxConnections env;

  MailchimpTestAudience(String dbPrefix, MailchimpOptions options) {
    mailchimp = new MailchimpSandbox(options);
    env = new SandboxConnections(dbPrefix, mailchimp);
  }

  ConnectionConfig.Builder connection(String name) {
    return ConnectionConfig.builder(name, "mailchimp").baseUrl(env.sandbox.baseUrl() + MailchimpSandbox.API_PREFIX)
        .token(mailchimp.options().apiKey(), "MAILCHIMP_API_KEY").setting("list_id", LIST);
  }

  List<MailchimpMember> members() {
    return mailchimp.members(LIST);
  }

  Optional<MailchimpMember> byHash(String hash) {
    return members().stream().filter(m -> m.id().equals(hash)).findFirst();
  }

  /** The member as the connector must return it. */
  SourceRecord expected(String hash) {
    MailchimpMember m = byHash(hash).orElseThrow();
    Map<String, String> props = new LinkedHashMap<>();
    props.put("email_address", m.emailAddress());
    props.put("status", m.status());
    props.put("email_type", m.emailType());
    props.put("timestamp_signup", WIRE.format(m.timestampSignup()));
    props.put("last_changed", WIRE.format(m.lastChanged()));
    for (String tag : List.of("FNAME", "LNAME", "ADDRESS", "PHONE", "BIRTHDAY")) {
      props.put(tag, String.valueOf(m.mergeFields().getOrDefault(tag, "")));
    }
    m.mergeFields().forEach((k, v) -> props.put(k, String.valueOf(v)));
    return new SourceRecord(MailchimpConnector.MEMBERS, m.id(), props, Map.of(), m.status().equals("archived"), m.lastChanged());
  }

  @Override
  public void close() {
    env.close();
  }
}
