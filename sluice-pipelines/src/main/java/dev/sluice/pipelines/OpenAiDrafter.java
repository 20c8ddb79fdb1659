package dev.sluice.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.BoundedBody;
import dev.sluice.connectors.ObjectSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Drafts with an OpenAI-compatible chat endpoint ({@code POST {base_url}/chat/completions}, as
 * configured under {@code llm:}): the prompt carries both schemas, a few sample records and the
 * description, and asks for a mapping file only. Its answer is a proposal like any other: {@link
 * MappingDraft} compiles, validates and tries it exactly as it does the offline drafter's. The API
 * key is sent as a bearer token and never printed. Thread-safe.
 */
public final class OpenAiDrafter implements MappingDrafter {
  /** Sample records put into the prompt (the rest are only tried). */
  static final int PROMPT_SAMPLES = 3;
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  /** A drafted mapping is a few KB; an answer past 4 MiB is refused rather than read into the heap. */
  static final long ANSWER_LIMIT = 4L * 1024 * 1024;

  private final URI endpoint;
  private final String model;
  private final String apiKey;
  private final HttpClient http;

  /**
   * @param baseUrl e.g. {@code https://api.openai.com/v1} or a local server's {@code http://127.0.0.1:8000/v1}
   * @param apiKey may be null for an endpoint without authentication
   */
  public OpenAiDrafter(URI baseUrl, String model, String apiKey) {
    String base = Objects.requireNonNull(baseUrl, "base_url").toString();
    this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
    this.model = Objects.requireNonNull(model, "model");
    this.apiKey = apiKey;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public String name() {
    return "model " + model + " at " + endpoint;
  }

  @Override
  public String draft(DraftRequest request) throws DraftException {
    ObjectNode body = PipelineStore.JSON.createObjectNode();
    body.put("model", model);
    body.put("temperature", 0);
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", instructions());
    messages.addObject().put("role", "user").put("content", prompt(request));
    HttpRequest.Builder req = HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (apiKey != null && !apiKey.isBlank()) req.header("Authorization", "Bearer " + apiKey);
    HttpResponse<String> res;
    try {
      res = http.send(req.build(), BoundedBody.handler(ANSWER_LIMIT));
    } catch (IOException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BoundedBody.TooLarge) throw new DraftException("the LLM endpoint " + endpoint + " answered more than " + ANSWER_LIMIT + " bytes", e);
      }
      throw new DraftException("the LLM endpoint " + endpoint + " did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DraftException("interrupted while waiting for " + endpoint, e);
    }
    if (BoundedBody.announcedTooLarge(res, ANSWER_LIMIT)) {
      throw new DraftException("the LLM endpoint " + endpoint + " announced an answer of more than " + ANSWER_LIMIT + " bytes");
    }
    if (res.statusCode() / 100 != 2) {
      throw new DraftException("the LLM endpoint " + endpoint + " answered " + res.statusCode() + ": " + cut(res.body(), 300));
    }
    JsonNode answer;
    try {
      answer = PipelineStore.JSON.readTree(res.body());
    } catch (IOException e) {
      throw new DraftException("the LLM endpoint " + endpoint + " answered with no JSON: " + cut(res.body(), 200));
    }
    JsonNode content = answer.path("choices").path(0).path("message").path("content");
    if (!content.isTextual() || content.asText().isBlank()) {
      throw new DraftException("the LLM endpoint " + endpoint + " answered without choices[0].message.content: " + cut(res.body(), 200));
    }
    return stripFence(content.asText());
  }

  static String instructions() {
    return """
        You draft mapping files for Sluice, which copies records from a source system to a destination system.
        Answer with the mapping file only: YAML, no prose. Its one top-level key is `fields:`, a map from a
        destination field's API name (exactly as the destination schema spells it) to either a CEL expression over
        `source` (a map of string to string; a missing property reads as "") or a map {from: <CEL expression>,
        type: string|number|integer|boolean|email|datetime, required: true|false, default: <value>}.
        Read only source properties the source schema lists, as source.<name>. Map only fields the description asks
        for, or that clearly correspond when it asks for everything. Example:
        fields:
          Email: {from: source.email, type: email, required: true}
          LeadSource: 'source.hs_analytics_source == "" ? "Marketing Site" : source.hs_analytics_source'
        """;
  }

  static String prompt(DraftRequest r) {
    StringBuilder b = new StringBuilder();
    b.append("Description: ").append(r.description().isEmpty() ? "(none: map what clearly corresponds)" : r.description()).append("\n\n");
    schema(b, "Source " + r.sourceName(), r.source());
    schema(b, "Destination " + r.destinationName(), r.destination());
    int n = Math.min(PROMPT_SAMPLES, r.samples().size());
    if (n > 0) {
      b.append("Sample source records:\n");
      for (int i = 0; i < n; i++) {
        b.append("- ");
        r.samples().get(i).properties().forEach((k, v) -> {
          if (v != null && !v.isBlank()) b.append(k).append('=').append(cut(v, 60)).append("; ");
        });
        b.append('\n');
      }
    }
    return b.toString();
  }

  private static void schema(StringBuilder b, String title, ObjectSchema s) {
    b.append(title).append(" fields (name | label | type | flags):\n");
    for (ObjectSchema.Field f : s.fields()) {
      b.append("- ").append(f.name()).append(" | ").append(f.label()).append(" | ").append(f.type().name().toLowerCase(java.util.Locale.ROOT));
      if (f.required()) b.append(" | required");
      if (f.unique()) b.append(" | unique");
      if (!f.writable()) b.append(" | read-only");
      if (!f.options().isEmpty()) b.append(" | one of ").append(String.join(", ", f.options().subList(0, Math.min(12, f.options().size()))));
      b.append('\n');
    }
    b.append('\n');
  }

  /** The YAML inside a Markdown code fence, when the model added one. */
  static String stripFence(String text) {
    String t = text.strip();
    int open = t.indexOf("```");
    if (open < 0) return t + "\n";
    int lineEnd = t.indexOf('\n', open);
    int close = t.indexOf("```", lineEnd < 0 ? open + 3 : lineEnd);
    if (lineEnd < 0 || close < 0) return t + "\n";
    return t.substring(lineEnd + 1, close).strip() + "\n";
  }

  private static String cut(String s, int n) {
    return s == null ? "" : s.length() <= n ? s : s.substring(0, n) + "…";
  }
}
