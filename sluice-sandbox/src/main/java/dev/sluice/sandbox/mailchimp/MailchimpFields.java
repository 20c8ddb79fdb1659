package dev.sluice.sandbox.mailchimp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Mailchimp's partial responses: {@code fields=} keeps only the listed dot-paths of an answer
 * ({@code members.email_address,total_items}), {@code exclude_fields=} drops them; a path walks into
 * every element of an array it meets.
 */
final class MailchimpFields {

  private MailchimpFields() {}

  /** Applies both parameters (either may be null) to {@code body} in place. */
  static void apply(JsonNode body, String fields, String excludeFields) {
    if (fields != null && !fields.isBlank() && body instanceof ObjectNode o) {
      keep(o, paths(fields));
    }
    if (excludeFields != null && !excludeFields.isBlank()) {
      for (String[] path : paths(excludeFields)) {
        drop(body, path, 0);
      }
    }
  }

  private static List<String[]> paths(String csv) {
    List<String[]> out = new ArrayList<>();
    for (String p : csv.split(",")) {
      if (!p.isBlank()) {
        out.add(p.trim().split("\\."));
      }
    }
    return out;
  }

  /** Keeps, in {@code node}, the members some path names; walks deeper where a path goes on. */
  private static void keep(ObjectNode node, List<String[]> paths) {
    keepAt(node, paths, 0);
  }

  private static void keepAt(JsonNode node, List<String[]> paths, int depth) {
    if (node instanceof ArrayNode a) {
      a.forEach(e -> keepAt(e, paths, depth));
      return;
    }
    if (!(node instanceof ObjectNode o)) {
      return;
    }
    for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      List<String[]> deeper = new ArrayList<>();
      boolean whole = false;
      for (String[] p : paths) {
        if (p.length > depth && p[depth].equals(name)) {
          if (p.length == depth + 1) {
            whole = true;
          } else {
            deeper.add(p);
          }
        }
      }
      if (whole) {
        continue;
      }
      if (deeper.isEmpty()) {
        names.remove();
      } else {
        keepAt(o.get(name), deeper, depth + 1);
      }
    }
  }

  private static void drop(JsonNode node, String[] path, int depth) {
    if (node instanceof ArrayNode a) {
      a.forEach(e -> drop(e, path, depth));
      return;
    }
    if (!(node instanceof ObjectNode o)) {
      return;
    }
    if (depth == path.length - 1) {
      o.remove(path[depth]);
    } else if (o.has(path[depth])) {
      drop(o.get(path[depth]), path, depth + 1);
    }
  }
}
