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

  /**
   * A deny with one reason and nothing else: what Tollgate itself answers when it refuses or fails
   * closed ({@code policy} is then {@code tollgate}).
   */
  public static Decision deny(String id, String policy, String message) {
    return new Decision(
        id,
        Effect.DENY,
        null,
        List.of(new Reason(policy, message)),
        List.of(),
        null,
        null,
        List.of());
  }

  /** Starts a decision with {@code id} and {@code effect}; every other part is empty. */
  public static Builder builder(String id, Effect effect) {
    return new Builder(id, effect);
  }

  /** This decision with {@code findings} instead of its own. */
  public Decision withFindings(List<Finding> findings) {
    return new Decision(id, effect, args, reasons, findings, approval, grant, shadow);
  }

  /** This decision without changed arguments (as it is stored, when arguments are made again). */
  public Decision withoutArgs() {
    return args == null
        ? this
        : new Decision(id, effect, null, reasons, findings, approval, grant, shadow);
  }

  /** This decision with changed arguments {@code args} (or none, for {@code null}). */
  public Decision withArgs(Map<String, Object> args) {
    return new Decision(id, effect, args, reasons, findings, approval, grant, shadow);
  }

  /**
   * Builds a {@link Decision} part by part, so that callers name what they set instead of passing
   * eight positional values. Not thread-safe; {@link #build} may be called more than once.
   */
  public static final class Builder {
    private final String id;
    private final Effect effect;
    private Map<String, Object> args;
    private List<Reason> reasons = List.of();
    private List<Finding> findings = List.of();
    private ApprovalRef approval;
    private String grant;
    private List<ShadowOutcome> shadow = List.of();

    private Builder(String id, Effect effect) {
      this.id = Objects.requireNonNull(id, "id");
      this.effect = Objects.requireNonNull(effect, "effect");
    }

    /** The changed arguments, or {@code null} (the default) when nothing changed them. */
    public Builder args(Map<String, Object> args) {
      this.args = args;
      return this;
    }

    public Builder reasons(List<Reason> reasons) {
      this.reasons = Objects.requireNonNull(reasons, "reasons");
      return this;
    }

    public Builder findings(List<Finding> findings) {
      this.findings = Objects.requireNonNull(findings, "findings");
      return this;
    }

    public Builder approval(ApprovalRef approval) {
      this.approval = approval;
      return this;
    }

    public Builder grant(String grant) {
      this.grant = grant;
      return this;
    }

    public Builder shadow(List<ShadowOutcome> shadow) {
      this.shadow = Objects.requireNonNull(shadow, "shadow");
      return this;
    }

    public Decision build() {
      return new Decision(id, effect, args, reasons, findings, approval, grant, shadow);
    }
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
