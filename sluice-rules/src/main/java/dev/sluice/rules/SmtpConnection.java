package dev.sluice.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;

/**
 * An SMTP server the {@code email.send} action sends through (sluice.yaml {@code rules.smtp}).
 * Secure by default: STARTTLS is required and the server's certificate must match {@code host}. A
 * connection with credentials and {@link Security#NONE} is refused unless {@code host} is a loopback
 * address (a local relay or the sandbox), so a password never crosses a network in plain text.
 *
 * @param port       the server's port; 0 picks the security's usual one (587, 465, 25)
 * @param username   the AUTH login, or null to send without AUTH; sent, never stored in jobs or logged
 * @param password   its password (required with a username); likewise secret
 * @param from       the default {@code From} address of this connection's messages, or null (then each action gives one)
 * @param perMinute  messages per minute the connection's rate-limit bucket ({@code <name>:smtp}) allows
 */
public record SmtpConnection(String name, String host, int port, String username, String password, Security security, String from,
                             int perMinute) {
  /** How the connection is protected. */
  public enum Security {
    /** Plain connection upgraded with STARTTLS, which the server must offer (the default; port 587). */
    STARTTLS,
    /** TLS from the first byte ("SMTPS", port 465). */
    TLS,
    /** No encryption: only to a loopback host when credentials are sent (port 25). */
    NONE;

    /** {@code starttls}, {@code tls} or {@code none}, as sluice.yaml writes it. */
    public static Security named(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("tls must be starttls, tls or none, got '" + name + "'");
      }
    }

    int defaultPort() {
      return switch (this) {
        case STARTTLS -> 587;
        case TLS -> 465;
        case NONE -> 25;
      };
    }
  }

  /** The messages per minute of a connection that names none. */
  public static final int DEFAULT_PER_MINUTE = 60;

  public SmtpConnection {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(security, "security");
    if (host == null || host.isBlank()) throw new IllegalArgumentException("SMTP connection '" + name + "' needs a host");
    if (port == 0) port = security.defaultPort();
    if (port < 1 || port > 65535) throw new IllegalArgumentException("SMTP connection '" + name + "': port must be 1..65535, got " + port);
    if (username != null && username.isEmpty()) username = null;
    if (username != null && (password == null || password.isEmpty())) {
      throw new IllegalArgumentException("SMTP connection '" + name + "' has a username but no password");
    }
    if (perMinute < 1) throw new IllegalArgumentException("SMTP connection '" + name + "': per_minute must be at least 1");
    if (username != null && security == Security.NONE && !loopback(host)) {
      throw new IllegalArgumentException("SMTP connection '" + name + "' would send its password in plain text to " + host
          + ": use tls: starttls (the default) or tls; tls: none is for a loopback host only");
    }
  }

  /** A connection with STARTTLS required, the usual port and the default rate. */
  public SmtpConnection(String name, String host, String username, String password, String from) {
    this(name, host, 0, username, password, Security.STARTTLS, from, DEFAULT_PER_MINUTE);
  }

  /** The connection's rate-limit bucket, shared by every process. */
  String bucket() {
    return name + ":smtp";
  }

  /** Whether {@code host} names this machine only ({@code localhost}, 127.0.0.0/8, ::1) — without a DNS lookup. */
  static boolean loopback(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) return true;
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.matches("127(\\.\\d{1,3}){3}")) return true;
    if (!h.matches("[0-9a-f:]+") || !h.contains(":")) return false; // a name (it could resolve anywhere) or another IPv4 address
    try {
      return InetAddress.getByName(h).isLoopbackAddress(); // an IPv6 literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "SmtpConnection[" + name + ", " + host + ":" + port + ", " + security.name().toLowerCase(Locale.ROOT)
        + (username != null ? ", auth" : "") + "]";
  }
}
