package dev.tollgate.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tollgate's answer for one action.
 *
 * @param id the decision's id, unique and time-ordered
 * @param effect allow, ask or deny
 * @param args the changed arguments when an obligation (such as redaction) changed them, otherwise
 *     {@code null}
 * @param reasons why: for a deny the policies that denied, for an ask those that asked, for an
 *     allow those that allowed (empty when nothing matched)
 * @param findings sensitive data in the arguments, masked
 * @param approval the approval an ask opened, or {@code null}
 * @param grant the id of the grant that let this action through, or {@code null}
 * @param shadow shadow-mode policies that matched
 */
public record Decision(
    String id,
    Effect effect,
    Map<String, Object> args,
    List<Reason> reasons,
    List<Finding> findings,
    ApprovalRef approval,
    String grant,
    List<ShadowOutcome> shadow) {

  public Decision {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(effect, "effect");
    args = args == null ? null : JsonValues.freezeMap(args);
    reasons = List.copyOf(reasons);
    findings = List.copyOf(findings);
    shadow = List.copyOf(shadow);
  }

  /** True when the action may go ahead. */
  public boolean allowed() {
    return effect == Effect.ALLOW;
  }

  /** The names of the policies behind {@link #reasons()}, in order. */
  public List<String> policies() {
    return reasons.stream().map(Reason::policy).toList();
  }
}
