package dev.tollgate.benchmarks;

import dev.cel.common.values.MutableMapValue;
import dev.cel.runtime.CelRuntime;
import dev.tollgate.api.Action;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.decide.Evaluator;
import dev.tollgate.engine.internal.decide.Inspection;
import dev.tollgate.engine.internal.decide.SessionView;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An experiment for the engine hot spot in BENCHMARKS.md, old and new side by side: the five
 * conditions {@code email.send} meets in the realistic specific set, evaluated against the facts as
 * {@code Evaluator.facts} builds them today ({@code plain}), and against the same facts with every
 * map wrapped once per decision in a CEL value ({@code wrapped}), which CEL's value converter
 * passes through instead of rebuilding the whole tree on every field access ({@code wrapped}: the
 * wrapping is inside the timed method; {@code prewrapped}: wrapped once, as if the action parser
 * built CEL values directly). Setup refuses to run unless all give the same results.
 *
 * <p>Not engine code: it reaches into {@code dev.tollgate.engine.internal} only to measure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CelFactsBenchmark {

  @Param({"plain", "wrapped", "prewrapped"})
  String facts;

  private final List<CelRuntime.Program> programs = new ArrayList<>();
  private Action action;
  private ToolSpec tool;
  private Map<String, Object> prewrapped;

  @Setup
  public void setUp() throws InputException, PolicyEnv.EvaluationException {
    for (int i = 0; i < 100; i++) {
      if (PolicySets.tools(i, 100, "specific").contains(PolicySets.TOOL)) {
        String condition =
            PolicySets.realisticCondition(i, PolicySets.shape(i, 100, "specific", 6));
        programs.add(((PolicyEnv.Ok) PolicyEnv.condition(condition)).program());
      }
    }
    action = ApiJson.readAction(PolicySets.actionJson());
    tool = ToolSpec.unknown(PolicySets.TOOL);
    List<Object> plain = new ArrayList<>();
    List<Object> wrapped = new ArrayList<>();
    for (CelRuntime.Program p : programs) {
      plain.add(
          PolicyEnv.eval(
              p,
              Evaluator.facts(PolicySets.AGENT, action, tool, SessionView.NONE, Inspection.NONE)));
      wrapped.add(PolicyEnv.eval(p, wrappedFacts()));
    }
    prewrapped = wrappedFacts();
    if (!plain.equals(wrapped)) {
      throw new IllegalStateException("wrapped facts change results: " + plain + " vs " + wrapped);
    }
  }

  @Benchmark
  public int evaluate() throws PolicyEnv.EvaluationException {
    Map<String, Object> f =
        switch (facts) {
          case "plain" ->
              Evaluator.facts(PolicySets.AGENT, action, tool, SessionView.NONE, Inspection.NONE);
          case "wrapped" -> wrappedFacts();
          default -> prewrapped;
        };
    int matched = 0;
    for (CelRuntime.Program p : programs) {
      if (Boolean.TRUE.equals(PolicyEnv.eval(p, f))) {
        matched++;
      }
    }
    return matched;
  }

  private Map<String, Object> wrappedFacts() {
    Map<String, Object> plain =
        Evaluator.facts(PolicySets.AGENT, action, tool, SessionView.NONE, Inspection.NONE);
    Map<String, Object> out = new HashMap<>(8);
    plain.forEach((k, v) -> out.put(k, wrap(v)));
    return out;
  }

  /** Maps become CEL map values, recursively; lists keep their (wrapped) elements. */
  private static Object wrap(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new HashMap<>(map.size() * 2);
      map.forEach((k, v) -> copy.put(k, wrap(v)));
      return MutableMapValue.create(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object v : list) {
        copy.add(wrap(v));
      }
      return copy;
    }
    return value;
  }
}
