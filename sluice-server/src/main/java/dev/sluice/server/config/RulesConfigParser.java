package dev.sluice.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.rules.ActionTargets;
import dev.sluice.rules.SlackConnection;
import dev.sluice.rules.SmtpConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code rules:} section of {@code sluice.yaml}: the rules files (relative to the config file)
 * and what their actions name: Slack workspaces and HMAC signing keys.
 * <pre>{@code
 * rules:
 *   files: [rules/deals.yaml]            # or directly: rules: [rules/deals.yaml]
 *   slack:
 *     slack-ops:
 *       bot_token: ${SLACK_BOT_TOKEN}      # slack.post
 *       base_url: https://slack.com/api  # the default
 *       webhook_url: ${SLACK_WEBHOOK_URL}  # slack.webhook
 *   signing_keys:
 *     erp: ${ERP_SIGNING_SECRET}         # http.request sign: {key: erp}
 *   smtp:
 *     mail:                              # email.send
 *       host: smtp.example.com
 *       port: 587                        # default: 587 with starttls, 465 with tls, 25 with none
 *       username: ${SMTP_USERNAME}
 *       password: ${SMTP_PASSWORD}
 *       tls: starttls                    # the default (required); tls; none (loopback hosts only with a password)
 *       from: "Agency <noreply@agency.example>"
 *       per_minute: 60                   # the connection's rate-limit bucket
 * }</pre>
 */
final class RulesConfigParser {
  /** Slack's Web API, used when a workspace gives no {@code base_url}. */
  static final URI SLACK_API = URI.create("https://slack.com/api");
  private static final Set<String> KEYS = Set.of("files", "slack", "signing_keys", "smtp");
  private static final Set<String> SMTP_KEYS = Set.of("host", "port", "username", "password", "tls", "from", "per_minute");
  private static final Set<String> SLACK_KEYS = Set.of("bot_token", "base_url", "webhook_url");

  private final ConfigParser parser;

  RulesConfigParser(ConfigParser parser) {
    this.parser = parser;
  }

  SluiceConfig.RuleSettings parse(JsonNode node, Optional<Path> source) {
    if (node == null || node.isNull()) return SluiceConfig.RuleSettings.none();
    Path base = source.map(Path::toAbsolutePath).map(Path::getParent).orElse(Path.of("").toAbsolutePath());
    if (node.isArray()) return new SluiceConfig.RuleSettings(files(node, "rules", base), ActionTargets.NONE);
    ConfigParser.requireObject(node, "rules");
    ConfigParser.checkKeys(node, "rules", KEYS);
    List<Path> files = node.has("files") ? files(node.get("files"), "rules.files", base) : List.of();
    ActionTargets.Builder targets = ActionTargets.builder();
    JsonNode s = node.get("slack");
    if (s != null && !s.isNull()) {
      ConfigParser.requireObject(s, "rules.slack");
      for (Map.Entry<String, JsonNode> e : s.properties()) {
        String path = "rules.slack." + e.getKey();
        ConfigParser.requireObject(e.getValue(), path);
        ConfigParser.checkKeys(e.getValue(), path, SLACK_KEYS);
        Optional<Secret> token = parser.optionalSecret(e.getValue(), path, "bot_token", e.getKey());
        Optional<Secret> hook = parser.optionalSecret(e.getValue(), path, "webhook_url", e.getKey());
        if (token.isEmpty() && hook.isEmpty()) {
          throw new ConfigException(path + ".bot_token", "missing: the workspace's bot token (xoxb-…), e.g. ${SLACK_BOT_TOKEN}, and/or an incoming webhook_url");
        }
        URI url = parser.optionalString(e.getValue(), path, "base_url").map(u -> uri(u, path + ".base_url")).orElse(SLACK_API);
        URI webhook = hook.map(h -> uri(h.reveal(), path + ".webhook_url")).orElse(null);
        targets.slack(new SlackConnection(e.getKey(), url, token.map(Secret::reveal).orElse(null), webhook));
      }
    }
    JsonNode keys = node.get("signing_keys");
    if (keys != null && !keys.isNull()) {
      ConfigParser.requireObject(keys, "rules.signing_keys");
      for (Map.Entry<String, JsonNode> e : keys.properties()) {
        String path = "rules.signing_keys." + e.getKey();
        Secret secret = parser.optionalSecret(keys, "rules.signing_keys", e.getKey(), e.getKey())
            .orElseThrow(() -> new ConfigException(path, "missing: the HMAC secret, e.g. ${ERP_SIGNING_SECRET}"));
        if (secret.reveal().isEmpty()) throw new ConfigException(path, "must not be empty");
        targets.signingKey(e.getKey(), secret.reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    JsonNode smtp = node.get("smtp");
    if (smtp != null && !smtp.isNull()) {
      ConfigParser.requireObject(smtp, "rules.smtp");
      for (Map.Entry<String, JsonNode> e : smtp.properties()) targets.smtp(smtp(e.getKey(), e.getValue()));
    }
    return new SluiceConfig.RuleSettings(files, targets.build());
  }

  /** One SMTP server of {@code rules.smtp}: credentials from the environment, STARTTLS unless told otherwise. */
  private SmtpConnection smtp(String name, JsonNode node) {
    String path = "rules.smtp." + name;
    ConfigParser.requireObject(node, path);
    ConfigParser.checkKeys(node, path, SMTP_KEYS);
    String host = parser.optionalString(node, path, "host").orElseThrow(() -> new ConfigException(path + ".host", "missing: the SMTP server's host name"));
    int port = parser.optionalInt(node, path, "port", 1, 65535).orElse(0);
    Optional<Secret> username = parser.optionalSecret(node, path, "username", name);
    Optional<Secret> password = parser.optionalSecret(node, path, "password", name);
    if (username.isPresent() && password.isEmpty()) throw new ConfigException(path + ".password", "missing: the password of the username, e.g. ${SMTP_PASSWORD}");
    SmtpConnection.Security security;
    try {
      security = parser.optionalString(node, path, "tls").map(SmtpConnection.Security::named).orElse(SmtpConnection.Security.STARTTLS);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ".tls", e.getMessage());
    }
    String from = parser.optionalString(node, path, "from").orElse(null);
    int perMinute = parser.optionalInt(node, path, "per_minute", 1, 1_000_000).orElse(SmtpConnection.DEFAULT_PER_MINUTE);
    try {
      return new SmtpConnection(name, host, port, username.map(Secret::reveal).orElse(null), password.map(Secret::reveal).orElse(null),
          security, from, perMinute);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, e.getMessage());
    }
  }

  private static List<Path> files(JsonNode list, String path, Path base) {
    if (!list.isArray()) throw new ConfigException(path, "must be a list of rules files");
    List<Path> out = new ArrayList<>();
    for (JsonNode f : list) {
      if (!f.isTextual() || f.asText().isBlank()) throw new ConfigException(path, "each entry must be a file path");
      out.add(base.resolve(f.asText()).normalize());
    }
    return List.copyOf(out);
  }

  private static URI uri(String text, String path) {
    try {
      URI u = URI.create(text);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) throw new IllegalArgumentException();
      return u;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path, "must be an http(s) URL, got '" + text + "'");
    }
  }
}
