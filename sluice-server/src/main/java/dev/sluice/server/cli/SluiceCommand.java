package dev.sluice.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} executable. Each subcommand is its own class; add new ones to
 * {@code subcommands} below.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice 0.1.0",
    description = "Moves CRM and marketing data between systems on PostgreSQL without losing, duplicating or stalling it.",
    subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, JobsCommand.class, BenchCommand.class,
        ServeCommand.class, WorkerCommand.class, SyncCommand.class, RunsCommand.class, ExplainCommand.class, SandboxCommand.class,
        LeadsCommand.class, RulesCommand.class, EventsCommand.class, PipelinesCommand.class, MappingCommand.class})
public final class SluiceCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    int code = new CommandLine(new SluiceCommand())
        .setExecutionExceptionHandler((ex, cmd, parsed) -> {
          // A clear one-line error for the operator, never a stack trace; SLUICE_DEBUG=1 shows it.
          cmd.getErr().println("sluice: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
          if (System.getenv("SLUICE_DEBUG") != null) ex.printStackTrace(cmd.getErr());
          return 1;
        })
        .execute(args);
    System.exit(code);
  }
}
