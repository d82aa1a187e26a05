package dev.tollgate.engine.internal.decide;

import dev.tollgate.api.Action;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.cel.RateValues;
import dev.tollgate.engine.internal.flow.FlowIndex;
import java.time.Instant;

/**
 * Everything one pure decision depends on, read before it by the decide shell.
 *
 * @param session the session as policies see it ({@link SessionView#NONE} outside a session)
 * @param flow what the session has read, or {@code null} outside a session
 * @param now the time of the decision (the shell's clock, read once)
 * @param explain whether to report every considered policy (a dry run)
 * @param judge asked when a policy reads {@code judge} ({@link Judge#NONE} when none is configured)
 * @param rates the values of the bundle's rate calls for this action, tallied by the shell
 */
public record DecideInput(
    CompiledBundle bundle,
    String agent,
    Action action,
    SessionView session,
    FlowIndex flow,
    Instant now,
    boolean explain,
    Judge judge,
    RateValues rates) {

  /** An input without rate values. */
  public DecideInput(
      CompiledBundle bundle,
      String agent,
      Action action,
      SessionView session,
      FlowIndex flow,
      Instant now,
      boolean explain,
      Judge judge) {
    this(bundle, agent, action, session, flow, now, explain, judge, RateValues.NONE);
  }

  /** An input without a judge. */
  public DecideInput(
      CompiledBundle bundle,
      String agent,
      Action action,
      SessionView session,
      FlowIndex flow,
      Instant now,
      boolean explain) {
    this(bundle, agent, action, session, flow, now, explain, Judge.NONE, RateValues.NONE);
  }
}
