package dev.tollgate.engine.runner;

import dev.tollgate.api.Effect;
import java.util.List;
import java.util.Map;

/**
 * A recorded session (a trace, see docs/evaluation.md): one JSON object per line of a JSON Lines
 * file.
 *
 * @param continues the id of an earlier trace of the same file whose deployment this session
 *     follows in (the same stores, so what that session wrote to memory is there to read), or
 *     {@code null} for a session on its own
 * @param scenario what an evaluation scores this session as ({@code attack} or {@code benign}), or
 *     {@code null} when it is scored step by step only
 * @param domain the area the scenario belongs to (mail and calendar, payments, operations, ...),
 *     which evaluation reports its scenario figures by; {@code null} when the trace does not say
 * @param line the 1-based line of the trace in its file
 */
public record Trace(
    String id,
    String agent,
    String user,
    String request,
    Map<String, Object> task,
    String continues,
    Scenario scenario,
    String domain,
    List<Step> steps,
    int line) {

  /** What a scenario is, for the scenario-level figures of an evaluation. */
  public enum Scenario {
    /** Injected or hostile content tries to make the agent do something; steps it wanted say so. */
    ATTACK,
    /** The user's own work: every step should go through. */
    BENIGN;

    /** The name traces use. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One recorded tool call.
   *
   * @param expected the effect the trace's author expects, or {@code null}
   * @param expectPolicies the policies (enforced or shadow) the author expects to match this step,
   *     or {@code null} when the step does not say; used by evaluation suites
   * @param expectDetectors the detectors the author expects to find something in this step's
   *     arguments, or {@code null} when the step does not say; used by evaluation suites
   * @param expectResultDetectors the detectors the author expects to find something in this step's
   *     {@code result} when it is observed (instructions injected into an inbound mail, a key in a
   *     config file), or {@code null} when the step does not say; used by evaluation suites
   * @param attack whether this is a step the attacker wanted, in an attack scenario: a
   *     consequential action (anything but a read that stays inside) that should not go through
   * @param at when the step happened, which a replay uses as its clock, or {@code null} when the
   *     step does not say (the clock stays where the last step that said put it)
   */
  public record Step(
      String tool,
      Map<String, Object> args,
      String reason,
      Object result,
      Effect expected,
      List<String> expectPolicies,
      List<String> expectDetectors,
      List<String> expectResultDetectors,
      boolean attack,
      java.time.Instant at) {
    public Step {
      expectPolicies = expectPolicies == null ? null : List.copyOf(expectPolicies);
      expectDetectors = expectDetectors == null ? null : List.copyOf(expectDetectors);
      expectResultDetectors =
          expectResultDetectors == null ? null : List.copyOf(expectResultDetectors);
    }

    /** A step without evaluation labels. */
    public Step(
        String tool, Map<String, Object> args, String reason, Object result, Effect expected) {
      this(tool, args, reason, result, expected, null, null, null, false, null);
    }
  }
}
