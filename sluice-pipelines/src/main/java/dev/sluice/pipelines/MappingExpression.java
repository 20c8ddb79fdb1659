package dev.sluice.pipelines;

import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One field's CEL expression over {@code source}, a map of string to string. Every source property
 * the expression names reads as {@code ""} when the record lacks it, so {@code source.x == ""} tests
 * for an empty or missing value without {@code has()}.
 */
final class MappingExpression {
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("source", MapType.create(SimpleType.STRING, SimpleType.STRING))
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  /** {@code source.name} or {@code source["name"]} / {@code source['name']}. */
  private static final Pattern FIELD = Pattern.compile("\\bsource\\s*(?:\\.\\s*([A-Za-z_][A-Za-z0-9_]*)|\\[\\s*[\"']([^\"']+)[\"']\\s*\\])");

  private final String field;
  private final String source;
  private final CelRuntime.Program program;
  private final Set<String> sourceFields;

  private MappingExpression(String field, String source, CelRuntime.Program program, Set<String> sourceFields) {
    this.field = field;
    this.source = source;
    this.program = program;
    this.sourceFields = sourceFields;
  }

  static MappingExpression compile(String field, String source) throws MappingError.Failure {
    try {
      CelRuntime.Program program = RUNTIME.createProgram(COMPILER.compile(source).getAst());
      Set<String> names = new TreeSet<>();
      Matcher m = FIELD.matcher(source);
      while (m.find()) {
        names.add(m.group(1) != null ? m.group(1) : m.group(2));
      }
      return new MappingExpression(field, source, program, Collections.unmodifiableSet(names));
    } catch (CelValidationException e) {
      CelIssue first = e.getErrors().isEmpty() ? null : e.getErrors().get(0);
      String msg = first == null ? e.getMessage() : first.getMessage() + " (column " + (first.getSourceLocation().getColumn() + 1) + ")";
      throw MappingError.fail(field, null, "CEL: " + msg + " in `" + source.strip() + "`");
    } catch (CelEvaluationException e) {
      throw MappingError.fail(field, null, "CEL: " + e.getMessage());
    }
  }

  String source() {
    return source;
  }

  /** The source properties this expression reads. */
  Set<String> sourceFields() {
    return sourceFields;
  }

  /** The value as a string (null for a CEL null); a failure names the field and the values read. */
  String evaluate(Map<String, String> record) throws MappingError.Failure {
    return evaluatePrepared(input(record, sourceFields));
  }

  /**
   * What the expressions read as {@code source}: the record with null values as {@code ""} and every
   * property in {@code read} present ({@code ""} when the record lacks it). Built once per record.
   */
  static Map<String, String> input(Map<String, String> record, Set<String> read) {
    Map<String, String> input = new HashMap<>(record.size() + read.size());
    record.forEach((k, v) -> input.put(k, v == null ? "" : v));
    for (String f : read) input.putIfAbsent(f, "");
    return input;
  }

  /** {@link #evaluate} of an {@link #input} that holds every property this expression reads. */
  String evaluatePrepared(Map<String, String> input) throws MappingError.Failure {
    Object out;
    try {
      out = program.eval(Map.of("source", input));
    } catch (CelEvaluationException e) {
      throw MappingError.fail(field, readValues(input), "`" + source.strip() + "` failed: " + e.getMessage());
    }
    if (out == null || out instanceof com.google.protobuf.NullValue) return null;
    if (out instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return Long.toString(d.longValue());
    if (out instanceof String || out instanceof Number || out instanceof Boolean) return out.toString();
    throw MappingError.fail(field, String.valueOf(out), "`" + source.strip() + "` gave a " + out.getClass().getSimpleName()
        + ", not a string, number or boolean");
  }

  private String readValues(Map<String, String> input) {
    StringBuilder b = new StringBuilder();
    for (String f : sourceFields) {
      if (b.length() > 0) b.append(", ");
      b.append(f).append('=').append(input.get(f));
    }
    return b.toString();
  }
}
