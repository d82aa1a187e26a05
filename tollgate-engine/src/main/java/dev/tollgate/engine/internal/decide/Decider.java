package dev.tollgate.engine.internal.decide;

import dev.tollgate.api.Effect;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.util.Map;

/**
 * The decision as a function of its inputs: scans the arguments, evaluates the policies and applies
 * an allow's redaction. It does no I/O (but for the judge it is handed, asked only when a policy
 * reads {@code judge}), reads no clock and keeps no state; the decide shell reads the session
 * before it and consults grants, approvals and the audit after it.
 */
public final class Decider {
  private Decider() {}

  /**
   * Decides {@code in}.
   *
   * @throws ScanLimitException when the arguments are too large to scan: the caller fails closed
   */
  public static Verdict decide(DecideInput in) throws ScanLimitException {
    CompiledBundle bundle = in.bundle();
    ToolSpec tool = bundle.catalog().lookup(in.action().tool());
    Inspection inspection = Inspection.of(bundle.detectors(), tool, in.action().args(), in.flow());
    Evaluation evaluation =
        Evaluator.evaluate(
            bundle,
            in.agent(),
            in.action(),
            tool,
            in.session(),
            inspection,
            in.judge(),
            in.rates(),
            in.explain());
    Map<String, Object> redacted = null;
    if (evaluation.effect() == Effect.ALLOW && evaluation.redaction() != null) {
      redacted = evaluation.redaction().apply(in.action().args(), inspection.hits());
    }
    return new Verdict(
        evaluation, inspection, redacted, redacted == null ? null : evaluation.redaction(), tool);
  }
}
