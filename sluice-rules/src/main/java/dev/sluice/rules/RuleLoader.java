package dev.sluice.rules;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.DumperOptions;

/** Reads rules files (SnakeYAML nodes, for line numbers) and checks every rule; collects all errors. */
final class RuleLoader {
  private static final Set<String> RULE_KEYS = Set.of("on", "when", "actions", "dedupe", "dedupe_window", "shadow", "enroll",
      "delay", "throttle", "debounce", "concurrency", "priority");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*([smhd])");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  /** Writes values as they are: Slack text and JSON bodies are not HTML. */
  private static final DefaultMustacheFactory MUSTACHE = new DefaultMustacheFactory() {
    @Override
    public void encode(String value, Writer writer) {
      try {
        writer.write(value);
      } catch (IOException e) {
        throw new MustacheException(e);
      }
    }
  };

  private final List<RuleError> errors = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final Map<String, String> seen = new LinkedHashMap<>(); // rule name → file
  private final Map<String, Integer> concurrencyLimits = new LinkedHashMap<>(); // action kind → per-key limit

  List<RuleError> errors() {
    return errors;
  }

  List<Rule> rules() {
    return rules;
  }

  void load(Path path) {
    String file = path.toString();
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      errors.add(new RuleError(file, 0, null, "cannot read: " + e.getMessage()));
      return;
    }
    load(file, text);
  }

  void load(String file, String text) {
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      errors.add(new RuleError(file, e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1, null, "YAML: " + e.getProblem()));
      return;
    } catch (RuntimeException e) {
      errors.add(new RuleError(file, 1, null, "YAML: " + e.getMessage()));
      return;
    }
    if (!(root instanceof MappingNode top)) {
      errors.add(new RuleError(file, 1, null, "expected a mapping with a 'rules:' key"));
      return;
    }
    MappingNode rulesNode = null;
    for (NodeTuple t : top.getValue()) {
      String key = scalar(t.getKeyNode());
      if ("rules".equals(key) && t.getValueNode() instanceof MappingNode m) rulesNode = m;
      else errors.add(new RuleError(file, line(t.getKeyNode()), null, "'" + key + "' is not a known key (expected 'rules:' holding a map of rule name → rule)"));
    }
    if (rulesNode == null) {
      if (errors.isEmpty()) errors.add(new RuleError(file, 1, null, "no 'rules:' map"));
      return;
    }
    for (NodeTuple t : rulesNode.getValue()) {
      String name = scalar(t.getKeyNode());
      int line = line(t.getKeyNode());
      if (name == null || !name.matches("[A-Za-z0-9_.-]{1,100}")) {
        errors.add(new RuleError(file, line, name, "a rule name is 1-100 letters, digits, '_', '.' or '-'"));
        continue;
      }
      String other = seen.putIfAbsent(name, file);
      if (other != null) {
        errors.add(new RuleError(file, line, name, "rule name already used in " + other));
        continue;
      }
      if (!(t.getValueNode() instanceof MappingNode body)) {
        errors.add(new RuleError(file, line, name, "a rule is a mapping with on, when, actions, …"));
        continue;
      }
      Rule r = rule(file, name, line, body);
      if (r != null) rules.add(r);
    }
  }

  private Rule rule(String file, String name, int line, MappingNode body) {
    int before = errors.size();
    Map<String, NodeTuple> keys = new LinkedHashMap<>();
    for (NodeTuple t : body.getValue()) {
      String k = scalar(t.getKeyNode());
      if (!RULE_KEYS.contains(k)) errors.add(new RuleError(file, line(t.getKeyNode()), name, "unknown key '" + k + "' (known: " + String.join(", ", RULE_KEYS.stream().sorted().toList()) + ")"));
      else keys.put(k, t);
    }
    Trigger trigger = null;
    NodeTuple on = keys.get("on");
    if (on == null) {
      errors.add(new RuleError(file, line, name, "missing 'on:' (" + Trigger.HELP + ")"));
    } else {
      try {
        if (on.getValueNode() instanceof MappingNode m) {
          Map<String, String> fields = new LinkedHashMap<>();
          for (NodeTuple t : m.getValue()) fields.put(scalar(t.getKeyNode()), scalar(t.getValueNode()));
          trigger = Trigger.schedule(fields);
        } else {
          trigger = Trigger.parse(scalar(on.getValueNode()));
        }
      } catch (IllegalArgumentException e) {
        errors.add(new RuleError(file, line(on.getValueNode()), name, e.getMessage()));
      }
    }
    String when = null;
    List<Cel.Expr> conditions = new ArrayList<>();
    NodeTuple w = keys.get("when");
    if (w != null) {
      when = scalar(w.getValueNode());
      if (when == null || when.isBlank()) {
        errors.add(new RuleError(file, line(w.getValueNode()), name, "'when' must be a CEL expression"));
      } else {
        for (String part : Cel.conjuncts(when)) {
          try {
            conditions.add(Cel.bool(part));
          } catch (Cel.CompileError e) {
            errors.add(new RuleError(file, exprLine(w.getValueNode(), 1), name, "when: " + e.getMessage()));
            break;
          }
        }
        if (conditions.size() > 1) { // the whole condition must type-check too (a conjunct might only make sense together)
          try {
            Cel.bool(when);
          } catch (Cel.CompileError e) {
            errors.add(new RuleError(file, exprLine(w.getValueNode(), e.line), name, "when: " + e.getMessage()));
          }
        }
      }
    }
    Cel.Expr dedupe = null;
    NodeTuple d = keys.get("dedupe");
    if (d != null) {
      try {
        dedupe = Cel.string(String.valueOf(scalar(d.getValueNode())));
      } catch (Cel.CompileError e) {
        errors.add(new RuleError(file, exprLine(d.getValueNode(), e.line), name, "dedupe: " + e.getMessage() + " (dedupe is a CEL expression giving a string)"));
      }
    }
    Duration window = null;
    NodeTuple dw = keys.get("dedupe_window");
    if (dw != null) {
      window = duration(scalar(dw.getValueNode()));
      if (window == null) errors.add(new RuleError(file, line(dw.getValueNode()), name, "dedupe_window must be a positive duration such as 30d, 12h, 15m or PT1H"));
    }
    boolean shadow = false;
    NodeTuple sh = keys.get("shadow");
    if (sh != null) {
      String v = scalar(sh.getValueNode());
      if (!"true".equals(v) && !"false".equals(v)) errors.add(new RuleError(file, line(sh.getValueNode()), name, "shadow must be true or false"));
      shadow = "true".equals(v);
    }
    Rule.Enroll enroll = Rule.Enroll.EVERY_TIME;
    NodeTuple en = keys.get("enroll");
    if (en != null) {
      enroll = Rule.Enroll.parse(scalar(en.getValueNode()));
      if (enroll == null) {
        errors.add(new RuleError(file, line(en.getValueNode()), name, "enroll must be every-time or once-per-transition"));
        enroll = Rule.Enroll.EVERY_TIME;
      } else if (enroll == Rule.Enroll.ONCE_PER_TRANSITION && trigger instanceof Trigger.Schedule) {
        errors.add(new RuleError(file, line(en.getValueNode()), name, "enroll: once-per-transition needs a record; a schedule has none"));
      }
    }
    Duration delay = Duration.ZERO;
    NodeTuple dl = keys.get("delay");
    if (dl != null) {
      String v = scalar(dl.getValueNode());
      delay = v != null && v.strip().matches("0+\\s*[smhd]?") ? Duration.ZERO : duration(v);
      if (delay == null) {
        errors.add(new RuleError(file, line(dl.getValueNode()), name, "delay must be a duration such as 0s, 10m, 2h or 1d"));
        delay = Duration.ZERO;
      }
    }
    Flow flow = flow(file, name, keys);
    List<ActionSpec> actions = new ArrayList<>();
    List<Flow> actionFlows = new ArrayList<>();
    NodeTuple a = keys.get("actions");
    if (a == null) {
      errors.add(new RuleError(file, line, name, "missing 'actions:' (a list of kind: {args}, kinds " + ActionSpec.KINDS + ")"));
    } else if (!(a.getValueNode() instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      errors.add(new RuleError(file, line(a.getValueNode()), name, "'actions' must be a non-empty list of kind: {args}"));
    } else {
      for (Node item : seq.getValue()) {
        Flow own = Flow.NONE;
        if (item instanceof MappingNode m && m.getValue().size() > 1) { // - slack.post: {…}\n  throttle: {…}
          Map<String, NodeTuple> flowKeys = new LinkedHashMap<>();
          List<NodeTuple> rest = new ArrayList<>();
          for (NodeTuple t : m.getValue()) {
            if (Flow.KEYS.contains(scalar(t.getKeyNode()))) flowKeys.put(scalar(t.getKeyNode()), t);
            else rest.add(t);
          }
          own = flow(file, name, flowKeys);
          item = new MappingNode(m.getTag(), rest, m.getFlowStyle());
        }
        ActionSpec spec = action(file, name, item);
        if (spec != null) {
          actions.add(spec);
          actionFlows.add(own);
        }
      }
    }
    if (errors.size() > before) return null;
    Rule rule = new Rule(name, file, line, trigger, when, List.copyOf(conditions), List.copyOf(actions), List.copyOf(actionFlows),
        dedupe, window, shadow, enroll, delay, flow);
    for (int i = 0; i < actions.size(); i++) {
      Flow.Concurrency c = rule.flowOf(i).concurrency();
      if (c == null) continue;
      Integer other = concurrencyLimits.putIfAbsent(actions.get(i).kind(), c.limit());
      if (other != null && other != c.limit()) {
        errors.add(new RuleError(file, actions.get(i).line(), name, "concurrency limit " + c.limit() + " for " + actions.get(i).kind()
            + " differs from another rule's " + other + " (one per-key limit per action kind)"));
        return null;
      }
    }
    return rule;
  }

  /** The flow-control keys among {@code keys} (throttle, debounce, concurrency, priority). */
  private Flow flow(String file, String rule, Map<String, NodeTuple> keys) {
    Flow flow = Flow.NONE;
    for (String k : Flow.KEYS) {
      NodeTuple t = keys.get(k);
      if (t == null) continue;
      try {
        flow = Flow.parse(k, plain(t.getValueNode()), flow);
      } catch (IllegalArgumentException e) {
        errors.add(new RuleError(file, line(t.getValueNode()), rule, e.getMessage()));
      } catch (Cel.CompileError e) {
        errors.add(new RuleError(file, line(t.getValueNode()), rule, k + ": " + e.getMessage()));
      }
    }
    return flow;
  }

  /** Scalars as text, mappings as maps, sequences as lists (no templates). */
  private static Object plain(Node n) {
    if (n instanceof MappingNode m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) out.put(scalar(t.getKeyNode()), plain(t.getValueNode()));
      return out;
    }
    if (n instanceof SequenceNode s) return s.getValue().stream().map(RuleLoader::plain).toList();
    return scalar(n);
  }

  private ActionSpec action(String file, String rule, Node item) {
    if (!(item instanceof MappingNode m) || m.getValue().size() != 1) {
      errors.add(new RuleError(file, line(item), rule, "an action is one kind with its arguments, e.g. - slack.post: {connection: slack-ops, channel: \"#ops\", text: \"…\"}"));
      return null;
    }
    NodeTuple t = m.getValue().get(0);
    String kind = scalar(t.getKeyNode());
    int line = line(t.getKeyNode());
    if (!ActionSpec.KINDS.contains(kind)) {
      errors.add(new RuleError(file, line, rule, "unknown action '" + kind + "' (known: " + String.join(", ", ActionSpec.KINDS) + ")"));
      return null;
    }
    if (!(t.getValueNode() instanceof MappingNode argsNode)) {
      errors.add(new RuleError(file, line, rule, kind + " needs a mapping of arguments"));
      return null;
    }
    int before = errors.size();
    @SuppressWarnings("unchecked")
    Map<String, Object> args = (Map<String, Object>) tree(file, rule, kind, argsNode);
    ActionSignature sig = ActionSignature.ALL.get(kind);
    for (String r : sig.required()) {
      if (!args.containsKey(r)) errors.add(new RuleError(file, line, rule, kind + ": missing argument '" + r + "'"));
    }
    for (String k : args.keySet()) {
      if (!sig.allowed().contains(k)) errors.add(new RuleError(file, line, rule, kind + ": unknown argument '" + k + "' (known: " + sig.allowedList() + ")"));
    }
    String argumentProblem = errors.size() > before ? null : ConnectorActions.argumentProblem(kind, args);
    if (argumentProblem != null) errors.add(new RuleError(file, line, rule, argumentProblem));
    if (sig.connectionArg() != null && args.get(sig.connectionArg()) instanceof Mustache mc && mc.getName().contains("{{")) {
      errors.add(new RuleError(file, line, rule, kind + ": " + sig.connectionArg() + " must be a plain connection name"));
    }
    if (kind.equals(ActionSignature.SHEETS_APPEND)) {
      SheetsAppendAction.argumentProblems(args).forEach(p -> errors.add(new RuleError(file, line, rule, p)));
    }
    if (kind.equals(ActionSignature.HTTP_REQUEST)) {
      NodeTuple method = find(argsNode, "method");
      if (method != null) {
        String mv = scalar(method.getValueNode());
        if (mv == null || !METHODS.contains(mv.toUpperCase(Locale.ROOT))) {
          errors.add(new RuleError(file, line(method.getValueNode()), rule, "http.request: method must be one of " + METHODS.stream().sorted().toList()));
        }
      }
      NodeTuple headers = find(argsNode, "headers");
      if (headers != null && !(headers.getValueNode() instanceof MappingNode)) {
        errors.add(new RuleError(file, line(headers.getValueNode()), rule, "http.request: headers must be a mapping of name → template"));
      }
    }
    return errors.size() > before ? null : new ActionSpec(kind, line, args);
  }

  private Object tree(String file, String rule, String kind, Node n) {
    if (n instanceof MappingNode m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) out.put(scalar(t.getKeyNode()), tree(file, rule, kind, t.getValueNode()));
      return out;
    }
    if (n instanceof SequenceNode s) {
      List<Object> out = new ArrayList<>();
      for (Node x : s.getValue()) out.add(tree(file, rule, kind, x));
      return out;
    }
    ScalarNode s = (ScalarNode) n;
    String v = s.getValue();
    String tag = s.getTag().getValue();
    if (s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN) { // unquoted true/12/1.5 keep their JSON type
      if (tag.endsWith(":bool")) return Boolean.parseBoolean(v);
      if (tag.endsWith(":int")) {
        try {
          return Long.parseLong(v);
        } catch (NumberFormatException e) {
          // falls through to a string
        }
      }
      if (tag.endsWith(":float")) {
        try {
          return Double.parseDouble(v);
        } catch (NumberFormatException e) {
          // falls through to a string
        }
      }
      if (tag.endsWith(":null")) return null;
    }
    try {
      return MUSTACHE.compile(new StringReader(v), v);
    } catch (MustacheException e) {
      errors.add(new RuleError(file, line(n), rule, kind + ": template: " + e.getMessage()));
      return v;
    }
  }

  private static NodeTuple find(MappingNode m, String key) {
    for (NodeTuple t : m.getValue()) if (key.equals(scalar(t.getKeyNode()))) return t;
    return null;
  }

  private static String scalar(Node n) {
    return n instanceof ScalarNode s ? s.getValue() : null;
  }

  private static int line(Node n) {
    return n.getStartMark().getLine() + 1;
  }

  /** The file line of line {@code exprLine} of an expression (block scalars start on the next line). */
  private static int exprLine(Node value, int exprLine) {
    boolean block = value instanceof ScalarNode s
        && (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL || s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED);
    return line(value) + (block ? 1 : 0) + Math.max(0, exprLine - 1);
  }

  /** 30d, 12h, 15m, 45s, or ISO-8601 (PT1H); null when not a positive duration. */
  static Duration duration(String v) {
    if (v == null) return null;
    Matcher m = SHORT_DURATION.matcher(v.strip());
    Duration d;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } else {
      try {
        d = Duration.parse(v.strip());
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return d.isNegative() || d.isZero() ? null : d;
  }
}
