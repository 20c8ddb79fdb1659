package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.mustachejava.Mustache;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * One action of a rule: its kind ({@link ActionSignature#ALL}) and its arguments, a
 * tree of maps, lists and Mustache templates (every string is one), rendered per evaluation.
 */
record ActionSpec(String kind, int line, Object args) {
  static final List<String> KINDS = ActionSignature.kinds();

  /** Renders every template of the arguments with {@code scope} (event, record, previous). */
  JsonNode render(Map<String, Object> scope) {
    return render(args, scope);
  }

  @SuppressWarnings("unchecked")
  private static JsonNode render(Object o, Map<String, Object> scope) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (o instanceof Mustache m) {
      StringWriter w = new StringWriter();
      m.execute(w, scope);
      return f.textNode(w.toString());
    }
    if (o instanceof Map<?, ?> map) {
      ObjectNode out = f.objectNode();
      ((Map<String, Object>) map).forEach((k, v) -> out.set(k, render(v, scope)));
      return out;
    }
    if (o instanceof List<?> list) {
      ArrayNode out = f.arrayNode();
      list.forEach(v -> out.add(render(v, scope)));
      return out;
    }
    if (o instanceof Boolean b) return f.booleanNode(b);
    if (o instanceof Long l) return f.numberNode(l);
    if (o instanceof Integer i) return f.numberNode(i);
    if (o instanceof Double d) return f.numberNode(d);
    if (o == null) return f.nullNode();
    return f.textNode(o.toString());
  }
}
