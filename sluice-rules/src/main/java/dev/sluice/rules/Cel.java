package dev.sluice.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles and runs the rules' CEL expressions over {@code event}, {@code record}, {@code previous}
 * and {@code now}, with the helper functions of {@link CelFunctions}.
 */
final class Cel {
  private static final CelType OBJECT = MapType.create(SimpleType.STRING, SimpleType.DYN);
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .addFunctionBindings(CelFunctions.bindings()).build();
  private static final Map<CelType, CelCompiler> COMPILERS = new java.util.concurrent.ConcurrentHashMap<>();

  private Cel() {}

  /** A compiled expression; {@link #eval} answers a Java value (Boolean, String, Long, …). */
  record Expr(String source, CelRuntime.Program program) {
    Object eval(Map<String, Object> vars) throws CelEvaluationException {
      return program.eval(vars);
    }
  }

  /** A compile error: {@code line} counts from the expression's first line (1-based). */
  static final class CompileError extends Exception {
    final int line;

    CompileError(int line, String message) {
      super(message);
      this.line = line;
    }
  }

  static Expr compile(String source, CelType resultType) throws CompileError {
    CelCompiler compiler = COMPILERS.computeIfAbsent(resultType, t -> CelCompilerFactory.standardCelCompilerBuilder()
        .addVar("event", OBJECT).addVar("record", OBJECT).addVar("previous", OBJECT).addVar("now", SimpleType.TIMESTAMP)
        .addFunctionDeclarations(CelFunctions.declarations())
        .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS) // has(), all(), exists(), map(), filter()
        .setResultType(t).build());
    try {
      CelAbstractSyntaxTree ast = compiler.compile(source).getAst();
      return new Expr(source, RUNTIME.createProgram(ast));
    } catch (CelValidationException e) {
      CelIssue first = e.getErrors().isEmpty() ? null : e.getErrors().get(0);
      int line = first == null ? 1 : Math.max(1, first.getSourceLocation().getLine());
      int column = first == null ? 0 : first.getSourceLocation().getColumn();
      String msg = first == null ? e.getMessage() : first.getMessage();
      throw new CompileError(line, "CEL: " + msg + (column >= 0 ? " (column " + (column + 1) + ")" : "") + " in `" + source.strip() + "`");
    } catch (CelEvaluationException e) {
      throw new CompileError(1, "CEL: " + e.getMessage());
    }
  }

  static Expr bool(String source) throws CompileError {
    return compile(source, SimpleType.BOOL);
  }

  static Expr string(String source) throws CompileError {
    return compile(source, SimpleType.STRING);
  }

  static Expr integer(String source) throws CompileError {
    return compile(source, SimpleType.INT);
  }

  /**
   * Splits {@code a && b && c} at its top-level {@code &&} (outside parentheses, brackets and
   * string literals), so an evaluation can say which conjunct decided. One part when there is none.
   */
  static List<String> conjuncts(String source) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (quote != 0) {
        if (c == '\\') i++;
        else if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (c == '|' && depth == 0 && i + 1 < source.length() && source.charAt(i + 1) == '|') {
        return List.of(source.strip()); // a top-level || : the whole condition decides
      } else if (c == '&' && depth == 0 && i + 1 < source.length() && source.charAt(i + 1) == '&') {
        parts.add(source.substring(start, i).strip());
        start = i + 2;
        i++;
      }
    }
    parts.add(source.substring(start).strip());
    return parts;
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /** JSON as CEL values: objects as maps, arrays as lists, integers as Long; nulls are left out of maps. */
  static Object value(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        Object v = value(e.getValue());
        if (v != null) m.put(e.getKey(), v);
      }
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonNode x : n) {
        Object v = value(x);
        if (v != null) l.add(v);
      }
      return l;
    }
    if (n.isBoolean()) return n.booleanValue();
    if (n.isIntegralNumber() && n.canConvertToLong()) return n.longValue();
    if (n.isNumber()) return n.doubleValue();
    return n.asText();
  }
}
