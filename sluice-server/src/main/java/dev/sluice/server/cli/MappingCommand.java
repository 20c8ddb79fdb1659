package dev.sluice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.ObjectSchema;
import dev.sluice.pipelines.DraftRequest;
import dev.sluice.pipelines.MappingCheck;
import dev.sluice.pipelines.MappingDraft;
import dev.sluice.pipelines.MappingDrafter;
import dev.sluice.pipelines.MappingError;
import dev.sluice.pipelines.MappingTrial;
import dev.sluice.pipelines.MirrorSample;
import dev.sluice.pipelines.OfflineDrafter;
import dev.sluice.pipelines.OpenAiDrafter;
import dev.sluice.pipelines.Pipeline;
import dev.sluice.server.config.Secret;
import dev.sluice.server.config.SluiceConfig;
import dev.sluice.server.runtime.SluiceRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice mapping test|draft}: try a pipeline's mapping on mirror records; draft a mapping from plain text. */
@Command(name = "mapping", mixinStandardHelpOptions = true, description = "Tries mappings on mirror records and drafts new ones.",
    subcommands = {MappingCommand.Test.class, MappingCommand.Draft.class})
final class MappingCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "test", mixinStandardHelpOptions = true,
      description = {"Maps sample mirror records through a pipeline's mapping and prints source → mapped → errors; sends nothing.",
          "The mapping is also checked against both sides' schemas (read live). Exit code 1 when it does not fit them or a sample fails."})
  static final class Test implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--pipeline", required = true, paramLabel = "PIPELINE", description = "pipeline name from sluice.yaml")
    String name;

    @Option(names = "--sample", defaultValue = "50", description = "records to try, the most recently changed first (default: ${DEFAULT-VALUE})")
    int sample;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (sample < 1 || sample > 10_000) throw new IllegalArgumentException("--sample must be between 1 and 10000");
      SluiceConfig config = configOptions.loadForReading();
      Pipeline p = config.pipelines().get(name);
      if (p == null) {
        throw new IllegalArgumentException("unknown pipeline '" + name + "'" + (config.pipelines().isEmpty()
            ? " (no pipelines are configured)" : " (configured: " + String.join(", ", config.pipelines().keySet()) + ")"));
      }
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
        List<String> notes = new ArrayList<>();
        String from = p.sourceConnection() + "/" + p.sourceObject();
        String to = p.destinationConnection() + "/" + p.destinationObject();
        ObjectSchema source = describe(runtime, p.sourceConnection(), p.sourceObject(), notes);
        ObjectSchema destination = describe(runtime, p.destinationConnection(), p.destinationObject(), notes);
        List<MappingError> misfits = MappingCheck.check(p.mapping(), from, source,
            config.connection(p.sourceConnection()).properties().get(p.sourceObject()), to, destination, p.matchField());
        var records = new MirrorSample(runtime.dataSource(), SluiceRuntime.SCHEMA).read(p.sourceConnection(), p.sourceObject(), sample);
        MappingTrial trial = new MappingTrial("pipeline " + name + ": " + from + " → " + to + " (mapping " + p.mapping().origin()
            + ", match " + p.matchField() + ")", p.mapping(), misfits, notes, MappingTrial.run(p.mapping(), records, destination));
        print(trial.text(), trial.json(), json);
        return misfits.isEmpty() && trial.passed() == trial.samples().size() ? 0 : 1;
      }
    }
  }

  @Command(name = "draft", mixinStandardHelpOptions = true,
      description = {"Drafts a mapping from a plain-text description and both sides' schemas (read live), then tries it on",
          "sample mirror records and prints it for review. Never applied: --out writes the file, a pipeline must name it.",
          "Drafts with the llm: endpoint of sluice.yaml when configured (else, or with --offline, the built-in drafter)."})
  static final class Draft implements Callable<Integer> {
    @Mixin ConfigOptions configOptions;

    @Option(names = "--from", required = true, paramLabel = "CONNECTION/OBJECT", description = "the source, e.g. hubspot-main/contacts")
    String from;

    @Option(names = "--to", required = true, paramLabel = "CONNECTION/OBJECT", description = "the destination, e.g. salesforce-main/Contact")
    String to;

    @Parameters(arity = "0..1", paramLabel = "DESCRIPTION", description = "what to map, in plain words (quote it)")
    String description = "";

    @Option(names = "--sample", defaultValue = "20", description = "mirror records to try the draft on (default: ${DEFAULT-VALUE})")
    int sample;

    @Option(names = "--out", paramLabel = "FILE", description = "write the drafted mapping to FILE (refused when FILE exists)")
    Path out;

    @Option(names = "--offline", description = "use the built-in drafter even when llm: is configured")
    boolean offline;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (sample < 0 || sample > 10_000) throw new IllegalArgumentException("--sample must be between 0 and 10000");
      String[] src = endpoint("--from", from);
      String[] dst = endpoint("--to", to);
      if (out != null && Files.exists(out)) {
        throw new IllegalArgumentException(out + " exists; a draft never overwrites a file (remove it or choose another --out)");
      }
      SluiceConfig config = configOptions.load();
      config.connection(src[0]);
      config.connection(dst[0]);
      LogLevels.quiet();
      try (SluiceRuntime runtime = SluiceRuntime.open(config, System.getenv(), 2)) {
        ObjectSchema source = describe(runtime, src[0], src[1], null);
        ObjectSchema destination = describe(runtime, dst[0], dst[1], null);
        var samples = sample == 0 ? List.<MirrorSample.MirrorRecord>of()
            : new MirrorSample(runtime.dataSource(), SluiceRuntime.SCHEMA).read(src[0], src[1], sample);
        MappingDrafter drafter = offline || config.llm().isEmpty() ? new OfflineDrafter()
            : new OpenAiDrafter(config.llm().get().baseUrl(), config.llm().get().model(),
                config.llm().get().apiKey().map(Secret::reveal).orElse(null));
        MappingDraft draft = MappingDraft.of(drafter, new DraftRequest(from, source, to, destination, description, samples));
        print(draft.text(), draft.json(), json);
        if (out != null) {
          Files.writeString(out, draft.yaml(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
          System.err.println("sluice: wrote the draft to " + out + " (review it, then name it in a pipeline's mapping:)");
        } else if (!json) {
          System.err.println("sluice: nothing written (pass --out FILE to keep the draft)");
        }
        return draft.compileErrors().isEmpty() ? 0 : 1;
      } catch (MappingDrafter.DraftException e) {
        throw new IllegalStateException(e.getMessage() + " (--offline drafts without it)", e);
      }
    }

    private static String[] endpoint(String option, String text) {
      int slash = text.indexOf('/');
      if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
        throw new IllegalArgumentException(option + " '" + text + "' is not connection/object, e.g. "
            + (option.equals("--from") ? "hubspot-main/contacts" : "salesforce-main/Contact"));
      }
      return new String[] {text.substring(0, slash), text.substring(slash + 1)};
    }
  }

  /**
   * The object's schema read live; with {@code notes} a failure becomes a note and null (the trial
   * goes on without that side), without them it is the command's error.
   */
  static ObjectSchema describe(SluiceRuntime runtime, String connection, String object, List<String> notes) throws Exception {
    try {
      return runtime.describe(connection, object);
    } catch (dev.sluice.connectors.ConnectorException | RuntimeException e) {
      String why = "could not read the schema of " + connection + "/" + object + ": " + e.getMessage();
      if (notes == null) throw new IllegalStateException(why, e);
      notes.add(why + " (its field names and types are not checked)");
      return null;
    }
  }

  static void print(String text, com.fasterxml.jackson.databind.JsonNode json, boolean asJson) throws Exception {
    if (asJson) {
      System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    } else {
      System.out.print(text);
    }
  }
}
