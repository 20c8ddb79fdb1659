package dev.sluice.rules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What rules' actions may name, from sluice.yaml: Slack workspaces and HMAC signing keys. Secrets
 * here are sent or used at send time and never written to jobs, decisions or logs. Immutable.
 */
public final class ActionTargets {
  /** Nothing configured: only {@code http.request} without {@code sign} can run. */
  public static final ActionTargets NONE = builder().build();

  private final Map<String, SlackConnection> slack;
  private final Map<String, byte[]> signingKeys;

  private ActionTargets(Builder b) {
    this.slack = Map.copyOf(b.slack);
    this.signingKeys = Map.copyOf(b.signingKeys);
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

  /** The handlers of every action kind over these targets. */
  Actions actions(ActionHttp http) {
    return new Actions(java.util.List.of(
        SlackActions.post(slack, http),
        SlackActions.webhook(slack, http),
        new HttpRequestAction(signingKeys, http)));
  }

  /** Builds {@link ActionTargets}; not thread-safe. */
  public static final class Builder {
    private final Map<String, SlackConnection> slack = new LinkedHashMap<>();
    private final Map<String, byte[]> signingKeys = new LinkedHashMap<>();

    private Builder() {}

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
