package dev.tollgate.engine.internal.cel;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.CelVariableResolver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The CEL environment every condition and message is compiled against.
 *
 * <p>The facts are declared as struct types so that the checker catches a misspelt field ({@code
 * action.agnet}) at load time; at decision time the same facts are passed as plain maps, which both
 * CEL runtimes select fields from. Only {@code action.args}, {@code session.task} and {@code
 * provenance} are free-form ({@code map(string, dyn)}), because their shape belongs to each tool.
 */
public final class PolicyEnv {

  /** A compiled expression, or the issues that stopped it. */
  public sealed interface Compiled permits Ok, Failed {}

  /**
   * @param rates the rate functions the expression calls ({@link RateCall}), in the order written
   */
  public record Ok(CelRuntime.Program program, List<RateCall> rates) implements Compiled {
    public Ok {
      rates = List.copyOf(rates);
    }
  }

  /**
   * @param line 1-based line inside the expression
   * @param column 0-based column inside that line
   */
  public record Issue(int line, int column, String message) {}

  public record Failed(List<Issue> issues) implements Compiled {}

  static final StructType ACTION =
      struct(
          "tollgate.Action",
          fields(
              "tool", SimpleType.STRING,
              "args", MapType.create(SimpleType.STRING, SimpleType.DYN),
              "agent", SimpleType.STRING,
              "user", SimpleType.STRING,
              "reason", SimpleType.STRING,
              "session", SimpleType.STRING));

  static final StructType TOOL =
      struct(
          "tollgate.Tool",
          fields(
              "name", SimpleType.STRING,
              "known", SimpleType.BOOL,
              "kind", SimpleType.STRING,
              "external", SimpleType.BOOL,
              "control", ListType.create(SimpleType.STRING),
              "labels", ListType.create(SimpleType.STRING),
              "trust", SimpleType.STRING));

  static final StructType FINDING =
      struct(
          "tollgate.Finding",
          fields(
              "detector", SimpleType.STRING,
              "label", SimpleType.STRING,
              "path", SimpleType.STRING,
              "excerpt", SimpleType.STRING));

  static final StructType DATA =
      struct(
          "tollgate.Data",
          fields(
              "labels", ListType.create(SimpleType.STRING),
              "findings", ListType.create(FINDING),
              "domains", ListType.create(SimpleType.STRING)));

  static final StructType TARGET =
      struct(
          "tollgate.Target",
          fields(
              "kind", SimpleType.STRING,
              "origin", SimpleType.STRING,
              "sources", ListType.create(SimpleType.STRING),
              "injected", SimpleType.BOOL));

  static final StructType FLOW =
      struct(
          "tollgate.Flow",
          fields(
              "labels", ListType.create(SimpleType.STRING),
              "sources", ListType.create(SimpleType.STRING),
              "injected", SimpleType.BOOL,
              "targets", ListType.create(TARGET)));

  static final StructType STEP =
      struct(
          "tollgate.Step",
          fields(
              "tool", SimpleType.STRING,
              "effect", SimpleType.STRING));

  /**
   * How far one action reaches: {@code targets} counts the values of its control arguments (list
   * items each), {@code all} says a control argument selects everything (a wildcard, {@code all},
   * an empty filter).
   */
  static final StructType BLAST =
      struct(
          "tollgate.Blast",
          fields(
              "targets", SimpleType.INT,
              "all", SimpleType.BOOL));

  static final StructType SCOPE =
      struct(
          "tollgate.Scope",
          fields(
              "amounts",
              ListType.create(SimpleType.DOUBLE),
              "budget",
              SimpleType.DOUBLE,
              "asked",
              SimpleType.BOOL,
              "delegated",
              SimpleType.BOOL,
              "injectedFrom",
              ListType.create(SimpleType.STRING),
              "requested",
              ListType.create(SimpleType.STRING),
              "actions",
              ListType.create(SimpleType.STRING)));

  static final StructType SESSION =
      struct(
          "tollgate.Session",
          fields(
              "id",
              SimpleType.STRING,
              "user",
              SimpleType.STRING,
              "request",
              SimpleType.STRING,
              "task",
              MapType.create(SimpleType.STRING, SimpleType.DYN),
              "labels",
              ListType.create(SimpleType.STRING),
              "history",
              ListType.create(STEP)));

  /**
   * An outside model's opinion on whether the action fits the user's request: {@code opinion} is
   * {@code fits}, {@code does-not-fit} or {@code none} (no judge configured, or it failed: a
   * timeout, an error, an answer that could not be read). A string rather than a nullable bool, so
   * that "no opinion" is a value a policy compares with, never a null it trips on.
   */
  static final StructType JUDGE =
      struct(
          "tollgate.Judge",
          fields(
              "opinion", SimpleType.STRING,
              "reason", SimpleType.STRING));

  static final CelType PROVENANCE = MapType.create(SimpleType.STRING, SimpleType.DYN);

  /** The variables a policy sees, with their types, in the order the docs list them. */
  public static final Map<String, CelType> VARIABLES = orderedVariables();

  private static final List<StructType> STRUCTS =
      List.of(ACTION, TOOL, FINDING, DATA, TARGET, FLOW, STEP, SESSION, SCOPE, BLAST, JUDGE);

  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(100_000)
          .maxExpressionCodePointSize(16_384)
          .build();

  private static final CelTypeProvider TYPES =
      new CelTypeProvider() {
        @Override
        public ImmutableCollection<CelType> types() {
          return ImmutableList.copyOf(STRUCTS);
        }

        @Override
        public Optional<CelType> findType(String name) {
          return STRUCTS.stream()
              .filter(s -> s.name().equals(name))
              .map(s -> (CelType) s)
              .findFirst();
        }
      };

  private static final CelCompiler CONDITIONS = compiler(SimpleType.BOOL);
  private static final CelCompiler MESSAGES = compiler(SimpleType.STRING);
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.plannerRuntimeBuilder()
          .setOptions(OPTIONS)
          // CEL's own `matches` compiles its pattern on every call; ours keeps compiled patterns.
          .setStandardFunctions(
              CelStandardFunctions.newBuilder()
                  .excludeFunctions(CelStandardFunctions.StandardFunction.MATCHES)
                  .build())
          .addFunctionBindings(
              CelFunctionBinding.from("matches", String.class, String.class, PolicyEnv::matches),
              CelFunctionBinding.from(
                  "matches_string", String.class, String.class, PolicyEnv::matches))
          .addFunctionBindings(rateBindings())
          .addLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.math())
          .build();

  private PolicyEnv() {}

  /** Compiles a condition that must yield a bool. */
  public static Compiled condition(String expression) {
    return compile(CONDITIONS, expression);
  }

  /**
   * Compiles a message that must yield a string. Policies written from one template share their
   * message: each text is compiled once and yields the same program, which lets a decision render
   * it once for all the policies whose reasons it keeps (see {@code Evaluator}).
   */
  public static Compiled message(String expression) {
    if (MESSAGE_PROGRAMS.size() > MAX_SHARED_MESSAGES) {
      MESSAGE_PROGRAMS.clear();
    }
    return MESSAGE_PROGRAMS.computeIfAbsent(expression, e -> compile(MESSAGES, e));
  }

  /** Compiled messages by text; programs are immutable and thread-safe, so bundles share them. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Compiled> MESSAGE_PROGRAMS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final int MAX_SHARED_MESSAGES = 10_000;

  /** Evaluates a compiled program; CEL's own exception type is kept out of callers' sight. */
  public static Object eval(CelRuntime.Program program, Map<String, ?> facts)
      throws EvaluationException {
    // Only a decision under a bundle with rate functions has values to hand its calls; every other
    // evaluation leaves the thread's NONE in place (each set is undone in `finally`).
    RateValues rates = facts instanceof RateValues.Source src ? src.rates() : RateValues.NONE;
    RateValues before = rates == RateValues.NONE ? null : CURRENT_RATES.get();
    if (before != null) {
      CURRENT_RATES.set(rates);
    }
    try {
      // A resolver rather than the map itself: eval(Map) copies the map into an activation on
      // every call, once per condition and message of every candidate policy.
      // Facts (the engine's own) resolves and caches each variable itself.
      return program.eval(
          facts instanceof CelVariableResolver resolver
              ? resolver
              : (CelVariableResolver) name -> Optional.ofNullable(facts.get(name)));
    } catch (CelEvaluationException e) {
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        if (t instanceof RateValues.Unavailable u) {
          throw new EvaluationException(u.getMessage(), e);
        }
      }
      String message = cleanRuntimeMessage(e.getMessage());
      if (message.isBlank()) {
        message =
            e.getCause() == null
                ? "evaluation error"
                : "evaluation error (" + e.getCause().getClass().getSimpleName() + ")";
      }
      throw new EvaluationException(message, e);
    } finally {
      if (before != null) {
        CURRENT_RATES.set(before);
      }
    }
  }

  /** The rate values of the evaluation running on this thread (see {@link RateValues}). */
  private static final ThreadLocal<RateValues> CURRENT_RATES =
      ThreadLocal.withInitial(() -> RateValues.NONE);

  /** Overload ids of the rate functions: name, then the number of string arguments. */
  private static String overload(RateCall.Function f, int arity) {
    return "tollgate_" + f.celName() + "_" + arity;
  }

  private static List<dev.cel.common.CelFunctionDecl> rateDeclarations() {
    List<dev.cel.common.CelFunctionDecl> out = new java.util.ArrayList<>();
    for (RateCall.Function f : RateCall.Function.values()) {
      CelType result =
          switch (f) {
            case COUNT, DISTINCT -> SimpleType.INT;
            case SUM -> SimpleType.DOUBLE;
            case NOVEL, NOVEL_DOMAIN -> SimpleType.BOOL;
          };
      int[] arity = RateCall.arity(f);
      List<dev.cel.common.CelOverloadDecl> overloads = new java.util.ArrayList<>();
      for (int n = arity[0]; n <= arity[1]; n++) {
        overloads.add(
            dev.cel.common.CelOverloadDecl.newGlobalOverload(
                overload(f, n),
                result,
                java.util.Collections.nCopies(n, (CelType) SimpleType.STRING)));
      }
      out.add(dev.cel.common.CelFunctionDecl.newFunctionDeclaration(f.celName(), overloads));
    }
    return out;
  }

  private static List<CelFunctionBinding> rateBindings() {
    List<CelFunctionBinding> out = new java.util.ArrayList<>();
    for (RateCall.Function f : RateCall.Function.values()) {
      int[] arity = RateCall.arity(f);
      for (int n = arity[0]; n <= arity[1]; n++) {
        out.add(
            CelFunctionBinding.from(
                overload(f, n),
                java.util.Collections.nCopies(n, String.class),
                args -> CURRENT_RATES.get().value(RateCall.key(f.celName(), List.of(args)))));
      }
    }
    return out;
  }

  /**
   * The rate calls of a checked expression, each with literal arguments; a call whose arguments are
   * not string literals, or are not valid, is an issue at its place in the expression.
   */
  private static List<RateCall> rateCalls(
      CelAbstractSyntaxTree ast, String expression, List<Issue> issues) {
    List<RateCall> out = new java.util.ArrayList<>();
    dev.cel.common.navigation.CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .map(n -> n.expr())
        .filter(e -> e.getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.CALL)
        .forEach(
            e -> {
              String name = e.call().function();
              if (e.call().target().isPresent() || RateCall.Function.of(name) == null) {
                return;
              }
              List<String> literals = new java.util.ArrayList<>();
              for (dev.cel.common.ast.CelExpr a : e.call().args()) {
                if (a.getKind() != dev.cel.common.ast.CelExpr.ExprKind.Kind.CONSTANT
                    || a.constant().getKind() != dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
                  issues.add(
                      issueAt(
                          ast,
                          expression,
                          a.id(),
                          "the arguments of `"
                              + name
                              + "` must be string literals (\"session\", \"config.*\","
                              + " \"10m\"): the counters are known before any policy runs"));
                  return;
                }
                literals.add(a.constant().stringValue());
              }
              try {
                out.add(RateCall.of(name, literals));
              } catch (IllegalArgumentException bad) {
                issues.add(issueAt(ast, expression, e.id(), name + ": " + bad.getMessage()));
              }
            });
    return out;
  }

  private static Issue issueAt(
      CelAbstractSyntaxTree ast, String expression, long id, String message) {
    Integer offset = ast.getSource().getPositionsMap().get(id);
    int line = 1;
    int column = 0;
    if (offset != null) {
      int[] cps = expression.codePoints().toArray();
      for (int i = 0; i < Math.min(offset, cps.length); i++) {
        if (cps[i] == '\n') {
          line++;
          column = 0;
        } else {
          column++;
        }
      }
    }
    return new Issue(line, column, message);
  }

  /**
   * A map of facts as a CEL value, which the runtime selects fields from as it is. A plain Java map
   * is instead rebuilt, with everything under it, into CEL's immutable collections each time a
   * condition touches it: the whole argument tree, for every field access of every policy. Nothing
   * is copied; nested maps are converted only when a condition selects them.
   */
  public static Map<String, Object> celValue(Map<String, ?> map) {
    @SuppressWarnings("unchecked")
    Map<String, Object> value = (Map<String, Object>) (Map<?, ?>) new CelMapView(map);
    return value;
  }

  /** A CEL runtime error, worded for a policy author. */
  public static final class EvaluationException extends Exception {
    private static final long serialVersionUID = 1L;

    EvaluationException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Field names of a struct-typed variable, for hints. */
  public static List<String> fieldsOf(String variable) {
    CelType type = VARIABLES.get(variable);
    if (type instanceof StructType s) {
      return s.fieldNames().stream().sorted().toList();
    }
    return List.of();
  }

  private static Compiled compile(CelCompiler compiler, String expression) {
    try {
      CelAbstractSyntaxTree ast = compiler.compile(expression).getAst();
      List<Issue> issues = new java.util.ArrayList<>();
      List<RateCall> rates = rateCalls(ast, expression, issues);
      if (!issues.isEmpty()) {
        return new Failed(issues);
      }
      return new Ok(RUNTIME.createProgram(ast), rates);
    } catch (CelValidationException e) {
      return new Failed(
          e.getErrors().stream()
              .map(
                  i ->
                      new Issue(
                          Math.max(1, i.getSourceLocation().getLine()),
                          Math.max(0, i.getSourceLocation().getColumn()),
                          cleanIssue(i)))
              .toList());
    } catch (CelEvaluationException | RuntimeException e) {
      return new Failed(List.of(new Issue(1, 0, "cannot compile: " + e.getMessage())));
    }
  }

  private static String cleanIssue(CelIssue issue) {
    String m = issue.getMessage().replace(" (in container '')", "");
    // The checker lists every overload of the function, protobuf types included: noise for a
    // policy author, who needs the operand types, which come before the list.
    m = m.replaceFirst(" \\(candidates: .*\\)$", "");
    for (Map.Entry<String, String> op : OPERATORS.entrySet()) {
      m = m.replace("'" + op.getKey() + "'", "'" + op.getValue() + "'");
    }
    return m.replace('\'', '`');
  }

  private static final int MAX_CACHED_PATTERNS = 10_000;
  private static final ConcurrentHashMap<String, com.google.re2j.Pattern> PATTERNS =
      new ConcurrentHashMap<>();

  /**
   * RE2 partial match, as CEL's {@code matches}, with compiled patterns kept (policies use a
   * handful of constant patterns, evaluated on every decision). Past the bound, patterns are
   * compiled per call rather than kept: a policy that builds patterns from arguments must not grow
   * the cache without limit.
   */
  static boolean matches(String text, String regex) {
    com.google.re2j.Pattern pattern = PATTERNS.get(regex);
    if (pattern == null) {
      pattern = com.google.re2j.Pattern.compile(regex);
      if (PATTERNS.size() < MAX_CACHED_PATTERNS) {
        PATTERNS.putIfAbsent(regex, pattern);
      }
    }
    return pattern.matcher(text).find();
  }

  private static final Map<String, String> OPERATORS =
      Map.ofEntries(
          Map.entry("_>_", ">"),
          Map.entry("_>=_", ">="),
          Map.entry("_<_", "<"),
          Map.entry("_<=_", "<="),
          Map.entry("_+_", "+"),
          Map.entry("_-_", "-"),
          Map.entry("_*_", "*"),
          Map.entry("_/_", "/"),
          Map.entry("_%_", "%"),
          Map.entry("_==_", "=="),
          Map.entry("_!=_", "!="),
          Map.entry("@in", "in"),
          Map.entry("_[_]", "[]"),
          Map.entry("!_", "!"),
          Map.entry("-_", "-"));

  private static String cleanRuntimeMessage(String message) {
    if (message == null) {
      return "evaluation error";
    }
    String m = message.replaceFirst("^evaluation error at <input>:\\d+: ", "");
    m = m.replaceFirst("^evaluation error: ", "");
    java.util.regex.Matcher overload =
        java.util.regex.Pattern.compile(
                "^No matching overload for function '([^']*)'.*", Pattern.DOTALL)
            .matcher(m);
    if (overload.matches()) {
      return "`"
          + OPERATORS.getOrDefault(overload.group(1), overload.group(1))
          + "` does not apply to the values' types here (a missing conversion, or an argument"
          + " of another type than expected)";
    }
    return m.replace('\'', '`').replaceAll("\\.$", "");
  }

  private static CelCompiler compiler(CelType result) {
    var builder =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .setTypeProvider(TYPES)
            .addLibraries(
                CelExtensions.strings(),
                CelExtensions.sets(OPTIONS),
                CelExtensions.math(),
                CelExtensions.bindings())
            .addFunctionDeclarations(rateDeclarations())
            .setResultType(result);
    VARIABLES.forEach(builder::addVar);
    return builder.build();
  }

  private static Map<String, CelType> orderedVariables() {
    LinkedHashMap<String, CelType> vars = new LinkedHashMap<>();
    vars.put("action", ACTION);
    vars.put("tool", TOOL);
    vars.put("data", DATA);
    vars.put("flow", FLOW);
    vars.put("provenance", PROVENANCE);
    vars.put("session", SESSION);
    vars.put("scope", SCOPE);
    vars.put("blast", BLAST);
    vars.put("judge", JUDGE);
    return java.util.Collections.unmodifiableMap(vars);
  }

  private static Map<String, CelType> fields(Object... pairs) {
    LinkedHashMap<String, CelType> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], (CelType) pairs[i + 1]);
    }
    return out;
  }

  private static StructType struct(String name, Map<String, CelType> fields) {
    ImmutableMap<String, CelType> frozen = ImmutableMap.copyOf(fields);
    return StructType.create(name, frozen.keySet(), f -> Optional.ofNullable(frozen.get(f)));
  }
}
