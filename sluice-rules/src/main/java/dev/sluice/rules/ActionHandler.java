package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.queue.JobContext;
import java.util.Set;

/**
 * The runtime half of one action kind: it turns a rendered action into the exact request its job
 * will send, and sends it. A handler promises one effect per job: it carries the job's dedupe key
 * to the destination as that API's idempotency key where it has one, or checks the destination
 * before a resend where it has none. Outcomes: return = done; {@link dev.sluice.queue.JobSnooze}
 * = again after the destination's {@code Retry-After} (no attempt spent); any other exception =
 * retried by the kind's backoff; {@link dev.sluice.queue.PermanentJobFailure} = dead, with the
 * destination's answer kept as the job's progress. Implementations are thread-safe.
 */
interface ActionHandler {
  /** The job kind, e.g. {@code slack.post}. */
  String kind();

  /** The connection names this kind's {@code connection} argument may take (empty: it takes none). */
  Set<String> connections();

  /**
   * Why an action's arguments as written in the rules file do not fit this process's config
   * (e.g. a signing key that is not configured), or null. {@code args} holds templates as
   * {@link #plain} reads them. The engine refuses to build when any action has a problem.
   */
  default String configProblem(java.util.Map<String, Object> args) {
    return null;
  }

  /** Why {@code name} is not a connection of this kind, e.g. {@code no Slack workspace 'x' with a bot_token under rules.slack}. */
  default String unknownConnection(String name) {
    return "no connection '" + name + "'";
  }

  /** The text of a rules-file argument (a template's source), or null. */
  static String plain(Object arg) {
    if (arg == null) return null;
    return arg instanceof com.github.mustachejava.Mustache m ? m.getName() : String.valueOf(arg);
  }

  /**
   * Fills {@code request} (method, url, headers, body: what will be sent, secrets replaced by
   * placeholders) and may add fields to {@code payload} (e.g. {@code connection}).
   *
   * @throws IllegalArgumentException when a rendered argument is unusable (logged as an error decision)
   */
  void request(JsonNode args, String dedupeKey, ObjectNode payload, ObjectNode request);

  /** Sends the job's request (its payload's {@code request}); see the outcomes above. */
  void send(JobContext ctx, JsonNode payload) throws Exception;
}
