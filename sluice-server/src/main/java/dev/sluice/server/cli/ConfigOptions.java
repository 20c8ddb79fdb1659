package dev.sluice.server.cli;

import dev.sluice.server.config.SluiceConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option every command that reads {@code sluice.yaml} shares. */
final class ConfigOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "sluice.yaml to read (default: $SLUICE_CONFIG, else ./sluice.yaml when present)")
  String config;

  SluiceConfig load() {
    return SluiceConfig.locateAndLoad(config, System.getenv(), Path.of("").toAbsolutePath());
  }

  /** For commands that only read the database: unset connection tokens are no error. */
  SluiceConfig loadForReading() {
    return SluiceConfig.locateAndLoadForReading(config, System.getenv(), Path.of("").toAbsolutePath());
  }
}
