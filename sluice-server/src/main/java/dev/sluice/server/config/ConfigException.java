package dev.sluice.server.config;

/**
 * A bad or missing value in {@code sluice.yaml} or the environment. The message is one line that
 * names the YAML path and says what is wrong, e.g.
 * {@code connections.hubspot-main.tier: 'gold' is not one of starter, professional, enterprise}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String path;

  public ConfigException(String path, String problem) {
    super(path == null || path.isEmpty() ? problem : path + ": " + problem);
    this.path = path;
  }

  /** The YAML path of the offending value ({@code ""} for the whole file). */
  public String path() {
    return path;
  }
}
