package dev.sluice.sandbox.smtp;

import java.util.Objects;

/**
 * Settings of the SMTP sandbox; immutable, built with {@link #builder()}.
 *
 * @param port the port clients connect to on 127.0.0.1; 0 (the default) picks a free one
 * @param username the only login {@code AUTH PLAIN} / {@code AUTH LOGIN} accepts
 * @param password its password
 * @param requireAuth whether {@code MAIL FROM} needs a successful {@code AUTH} first (530 otherwise), as
 *     a submission server does; false accepts mail from anyone on loopback
 */
public record SmtpOptions(int port, String username, String password, boolean requireAuth) {
  public static final String DEFAULT_USERNAME = "sluice";
  public static final String DEFAULT_PASSWORD = "sandbox-smtp-password";

  public SmtpOptions {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isBlank() || username.contains(" ")) throw new IllegalArgumentException("username must be one word");
  }

  public static SmtpOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link SmtpOptions}; not thread-safe. */
  public static final class Builder {
    private int port;
    private String username = DEFAULT_USERNAME;
    private String password = DEFAULT_PASSWORD;
    private boolean requireAuth = true;

    private Builder() {}

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder username(String username) {
      this.username = username;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public Builder requireAuth(boolean requireAuth) {
      this.requireAuth = requireAuth;
      return this;
    }

    public SmtpOptions build() {
      return new SmtpOptions(port, username, password, requireAuth);
    }
  }
}
