package dev.tollgate.engine.internal.decide;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.engine.PolicyOutcome;
import dev.tollgate.engine.internal.bundle.ApprovalOptions;
import dev.tollgate.engine.internal.bundle.Redaction;
import java.util.List;
import java.util.Map;

/**
 * The pure result of evaluating one action: the effect, the reasons behind it, shadow outcomes, and
 * (when asked for) what every considered policy did.
 *
 * @param profileDenied whether the agent's profile (not a policy) denied the tool; a grant may
 *     later lift this, never a policy deny
 * @param approval the strictest approval options of the asking policies ({@link
 *     ApprovalOptions#DEFAULT} when none asked)
 * @param redaction the redaction the matched allow policies oblige, or {@code null}
 * @param asked whether a policy asked, also when a deny (of the profile) overrode it
 * @param facts the variables the policies saw (made lazily: what no policy read is made only if
 *     asked here, as a grant's constraint may); they hold the arguments in clear, so {@link
 *     #toString} leaves them out
 */
public record Evaluation(
    Effect effect,
    List<Reason> reasons,
    List<ShadowOutcome> shadow,
    List<PolicyOutcome> outcomes,
    boolean profileDenied,
    boolean asked,
    ApprovalOptions approval,
    Redaction redaction,
    Map<String, Object> facts) {

  @Override
  public String toString() {
    return "Evaluation["
        + effect
        + ", reasons="
        + reasons
        + ", shadow="
        + shadow
        + ", profileDenied="
        + profileDenied
        + "]";
  }
}
