package dev.sluice.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.rules.SlackConnection;
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
 * and the Slack workspaces their {@code slack.post} actions name.
 * <pre>{@code
 * rules:
 *   files: [rules/deals.yaml]            # or directly: rules: [rules/deals.yaml]
 *   slack:
 *     slack-ops:
 *       bot_token: ${SLACK_BOT_TOKEN}
 *       base_url: https://slack.com/api  # the default
 * }</pre>
 */
final class RulesConfigParser {
  /** Slack's Web API, used when a workspace gives no {@code base_url}. */
  static final URI SLACK_API = URI.create("https://slack.com/api");
  private static final Set<String> KEYS = Set.of("files", "slack");
  private static final Set<String> SLACK_KEYS = Set.of("bot_token", "base_url");

  private final ConfigParser parser;

  RulesConfigParser(ConfigParser parser) {
    this.parser = parser;
  }

  SluiceConfig.RuleSettings parse(JsonNode node, Optional<Path> source) {
    if (node == null || node.isNull()) return SluiceConfig.RuleSettings.none();
    Path base = source.map(Path::toAbsolutePath).map(Path::getParent).orElse(Path.of("").toAbsolutePath());
    if (node.isArray()) return new SluiceConfig.RuleSettings(files(node, "rules", base), Map.of());
    ConfigParser.requireObject(node, "rules");
    ConfigParser.checkKeys(node, "rules", KEYS);
    List<Path> files = node.has("files") ? files(node.get("files"), "rules.files", base) : List.of();
    Map<String, SlackConnection> slack = new LinkedHashMap<>();
    JsonNode s = node.get("slack");
    if (s != null && !s.isNull()) {
      ConfigParser.requireObject(s, "rules.slack");
      for (Map.Entry<String, JsonNode> e : s.properties()) {
        String path = "rules.slack." + e.getKey();
        ConfigParser.requireObject(e.getValue(), path);
        ConfigParser.checkKeys(e.getValue(), path, SLACK_KEYS);
        Secret token = parser.optionalSecret(e.getValue(), path, "bot_token", e.getKey())
            .orElseThrow(() -> new ConfigException(path + ".bot_token", "missing: the workspace's bot token (xoxb-…), e.g. ${SLACK_BOT_TOKEN}"));
        URI url = parser.optionalString(e.getValue(), path, "base_url").map(u -> uri(u, path + ".base_url")).orElse(SLACK_API);
        slack.put(e.getKey(), new SlackConnection(e.getKey(), url, token.reveal()));
      }
    }
    return new SluiceConfig.RuleSettings(files, slack);
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
