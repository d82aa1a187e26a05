package dev.tollgate.engine.internal.bundle;

import dev.cel.runtime.CelRuntime;
import dev.tollgate.api.Effect;
import dev.tollgate.engine.internal.cel.RateCall;
import java.util.List;

/**
 * One policy, compiled and checked. Immutable.
 *
 * @param agents agent patterns, or {@code null} for every agent
 * @param tools tool patterns, or {@code null} for every tool
 * @param condition the compiled {@code when}, or {@code null} when the policy always applies
 * @param message the compiled {@code message}, or {@code null} to use {@link #fallbackMessage}
 * @param redact for an allow policy, the redaction it obliges, or {@code null}
 * @param order the policy's position in name order, so that merged candidate lists stay sorted
 * @param rates the rate functions its condition and message call, tallied before it runs
 * @param quarantine whether its deny or ask pauses the session pending a person
 */
public record CompiledPolicy(
    String name,
    String description,
    List<Glob> agents,
    List<Glob> tools,
    CelRuntime.Program condition,
    String conditionText,
    Effect effect,
    CelRuntime.Program message,
    String fallbackMessage,
    ApprovalOptions approval,
    Redaction redact,
    boolean shadow,
    String file,
    int line,
    int order,
    List<RateCall> rates,
    boolean quarantine) {

  public CompiledPolicy {
    rates = rates == null ? List.of() : List.copyOf(rates);
  }

  public boolean appliesToAgent(String agent) {
    if (agents == null) {
      return true;
    }
    for (Glob g : agents) {
      if (g.matches(agent)) {
        return true;
      }
    }
    return false;
  }

  public boolean appliesToTool(String tool) {
    if (tools == null) {
      return true;
    }
    for (Glob g : tools) {
      if (g.matches(tool)) {
        return true;
      }
    }
    return false;
  }
}
