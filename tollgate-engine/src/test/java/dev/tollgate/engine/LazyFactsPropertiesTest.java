package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.runtime.CelRuntime;
import dev.tollgate.api.Action;
import dev.tollgate.engine.PolicyGen.Call;
import dev.tollgate.engine.PolicyGen.Policy;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.bundle.CompiledPolicy;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.decide.Evaluator;
import dev.tollgate.engine.internal.decide.Inspection;
import dev.tollgate.engine.internal.decide.SessionView;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Policy facts are made lazily, each variable when a policy first reads it: whatever a condition
 * reads must come out as it would from the facts made all at once, for generated policies and for
 * conditions over every variable (data, flow, provenance, session, tool).
 */
class LazyFactsPropertiesTest {
  /** Conditions that read the variables generated policies do not. */
  private static final List<String> OVER_EVERY_VARIABLE =
      List.of(
          "\"personal\" in data.labels",
          "data.findings.exists(f, f.detector == \"email\" && f.path.startsWith(\"/args\"))",
          "size(flow.sources) == 0 && size(flow.labels) == 0",
          "size(session.labels) == 0 && session.id == \"\"",
          "size(provenance) == 0",
          "tool.name == action.tool",
          "action.user == \"alice\" || has(action.args.n)");

  @Provide
  Arbitrary<List<Policy>> policySet() {
    return PolicyGen.policies(PolicyGen.anyPolicy(), 7);
  }

  @Provide
  Arbitrary<List<Call>> calls() {
    return PolicyGen.calls();
  }

  @Property(tries = 200)
  void lazyFactsReadAsTheFactsMadeAtOnce(
      @ForAll("policySet") List<Policy> policies, @ForAll("calls") List<Call> calls)
      throws ScanLimitException {
    CompiledBundle bundle = PolicyGen.bundle(policies).compiled();
    List<CelRuntime.Program> programs = new ArrayList<>();
    for (CompiledPolicy p : bundle.policies()) {
      if (p.condition() != null) {
        programs.add(p.condition());
      }
      if (p.message() != null) {
        programs.add(p.message());
      }
    }
    for (String condition : OVER_EVERY_VARIABLE) {
      programs.add(((PolicyEnv.Ok) PolicyEnv.condition(condition)).program());
    }
    int i = 0;
    for (Call c : calls) {
      Map<String, Object> args = new LinkedHashMap<>(c.action().args());
      if (i++ % 2 == 0) {
        args.put("to", "jane.doe@acme.example");
      }
      Action action = Action.of(null, c.action().user(), c.action().tool(), args);
      ToolSpec tool = bundle.catalog().lookup(action.tool());
      Inspection inspection = Inspection.of(bundle.detectors(), tool, action.args(), null);
      for (CelRuntime.Program program : programs) {
        Map<String, Object> lazy =
            Evaluator.facts(c.agent(), action, tool, SessionView.NONE, inspection);
        Map<String, Object> eager =
            new HashMap<>(Evaluator.facts(c.agent(), action, tool, SessionView.NONE, inspection));
        assertThat(outcome(program, lazy)).isEqualTo(outcome(program, eager));
      }
    }
  }

  /** The value, or the error's message: both must agree. */
  private static Object outcome(CelRuntime.Program program, Map<String, Object> facts) {
    try {
      return PolicyEnv.eval(program, facts);
    } catch (PolicyEnv.EvaluationException e) {
      return "error: " + e.getMessage();
    }
  }
}
