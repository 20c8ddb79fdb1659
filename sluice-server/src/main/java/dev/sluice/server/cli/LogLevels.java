package dev.sluice.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Adjusts logging for commands that draw on the terminal, where INFO lines would tear the progress bar. */
final class LogLevels {
  private LogLevels() {}

  /** Only warnings and errors from here on, unless {@code SLUICE_LOG_LEVEL} asks for more. */
  static void quiet() {
    if (System.getenv("SLUICE_LOG_LEVEL") != null) return;
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }
}
