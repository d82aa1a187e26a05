package dev.tollgate.benchmarks;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.internal.bundle.BundleLoader;
import dev.tollgate.engine.internal.decide.DecideInput;
import dev.tollgate.engine.internal.decide.Decider;
import dev.tollgate.engine.internal.decide.SessionView;
import dev.tollgate.engine.internal.decide.Verdict;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.time.Instant;
import java.util.HashMap;
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
 * The cost of one decision, against a floor measured in the same run.
 *
 * <ul>
 *   <li>{@link #floor}: parse the action JSON and do one hash lookup, the least any gate must do.
 *   <li>{@link #decide}: {@link Tollgate#decide} on a parsed action, realistic policies.
 *   <li>{@link #parseAndDecide}: the same from JSON text, as the server does it.
 *   <li>{@link #decideCedarEquivalent}: the policy set the Cedar peer ({@code cedar/}) runs too, so
 *       the Tollgate/Cedar ratio compares like with like.
 * </ul>
 *
 * <p>Two switches isolate the detectors' share: {@code detectors=off} adds a {@code detectors.yaml}
 * that turns every built-in detector off, and {@code noMatch=true} decides a 1 KB action no
 * detector can match (no anchor, digit or {@code @}). The rule is that such an action pays
 * nothing for the detectors, so with -prof gc its bytes per decision equal those with the detectors
 * off: {@code -p noMatch=true -p detectors=on,off}.
 *
 * <p>SampleTime gives p50 and p99; add {@code -bm thrpt} for a Throughput-mode figure (run.sh:
 * {@code MODES=sample,thrpt}). Every method runs for every (policies, mix), the floor included: its
 * spread across the rows shows how noisy the machine was. Each state builds only the bundle its
 * benchmarks use. Run through {@code run.sh}, or {@code java -jar target/benchmarks.jar
 * DecideBenchmark}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DecideBenchmark {

  /** The action, as JSON and parsed, and the (policies, mix) of the run. */
  @State(Scope.Benchmark)
  public static class Input {
    @Param({"10", "100", "1000"})
    int policies;

    @Param({"specific", "wildcard"})
    String mix;

    /** Whether the action is one no detector can match. */
    @Param({"false"})
    boolean noMatch;

    /**
     * {@code mail2k}: the 2 KB mail with 14 flagged values the tables below report; {@code
     * typical1k}: a 1 KB mail with three, the size the p50 target names.
     */
    @Param({"mail2k"})
    String shape;

    /** {@code off}: every built-in detector disabled in the bundle. */
    @Param({"on"})
    String detectors;

    String json;
    Action action;
    Map<String, String> floorIndex;

    @Setup
    public void setUp() throws InputException {
      json =
          noMatch
              ? PolicySets.noMatchActionJson()
              : switch (shape) {
                case "mail2k" -> PolicySets.actionJson();
                case "typical1k" -> PolicySets.typicalActionJson();
                default -> throw new IllegalArgumentException("unknown action shape " + shape);
              };
      action = ApiJson.readAction(json);
      floorIndex = new HashMap<>();
      for (int j = 0; j < Math.max(1, policies / 5); j++) {
        floorIndex.put(PolicySets.specificTool(j), "policies of " + PolicySets.specificTool(j));
      }
    }
  }

  /** The realistic policy set. */
  @State(Scope.Benchmark)
  public static class Realistic {
    Tollgate tollgate;
    DecideInput pure;

    @Setup
    public void setUp(Input in) throws BundleException {
      Map<String, String> files = new HashMap<>(PolicySets.realistic(in.policies, in.mix));
      if (in.detectors.equals("off")) {
        files.put("detectors.yaml", PolicySets.ALL_DETECTORS_OFF);
      }
      tollgate = checked(Bundle.fromFiles(files), in);
      pure =
          new DecideInput(
              BundleLoader.load(files),
              PolicySets.AGENT,
              in.action,
              SessionView.NONE,
              null,
              Instant.EPOCH,
              false);
    }
  }

  /** The set the Cedar peer runs, in Tollgate YAML. */
  @State(Scope.Benchmark)
  public static class CedarEquivalent {
    Tollgate tollgate;

    @Setup
    public void setUp(Input in) throws BundleException {
      tollgate =
          checked(
              Bundle.fromFiles(PolicySets.cedarEquivalent(in.policies, in.mix).tollgateFiles()),
              in);
    }
  }

  /** A decision that fails closed would time the error path: refuse to run on one. */
  static Tollgate checked(Bundle bundle, Input in) {
    Tollgate t = Tollgate.builder().bundle(bundle).build();
    Decision d = t.decide(PolicySets.AGENT, in.action);
    if (d.toString().contains("failed at decision time")
        || d.reasons().stream().anyMatch(r -> r.policy().equals(Tollgate.INTERNAL))) {
      throw new IllegalStateException("benchmark set fails at decision time: " + d);
    }
    return t;
  }

  @Benchmark
  public Object floor(Input in) throws InputException {
    Action parsed = ApiJson.readAction(in.json);
    return in.floorIndex.get(parsed.tool());
  }

  @Benchmark
  public Decision decide(Input in, Realistic set) {
    return set.tollgate.decide(PolicySets.AGENT, in.action);
  }

  /**
   * The pure decision alone ({@link Decider}: scan, policies, redaction), without the shell's
   * session read, audit append and history step: the "decide" target.
   */
  @Benchmark
  public Verdict pure(Realistic set) throws ScanLimitException {
    return Decider.decide(set.pure);
  }

  @Benchmark
  public Decision parseAndDecide(Input in, Realistic set) throws InputException {
    return set.tollgate.decide(PolicySets.AGENT, ApiJson.readAction(in.json));
  }

  @Benchmark
  public Decision decideCedarEquivalent(Input in, CedarEquivalent set) {
    return set.tollgate.decide(PolicySets.AGENT, in.action);
  }
}
