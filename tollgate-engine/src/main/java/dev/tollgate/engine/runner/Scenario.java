package dev.tollgate.engine.runner;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import java.util.List;
import java.util.Map;

/**
 * One case: an agent, the session it acts in, an action, and what Tollgate should decide. Policy
 * tests ({@code tests/*.yaml}) and conformance cases share this shape.
 *
 * @param session the session the case runs in, or {@code null} when it names none
 * @param where {@code file:line} of the case, for reports
 * @param at when the action happens (a replay's clock), or {@code null}: the time of the last
 *     history step that gives one, else the system's
 */
public record Scenario(
    String name,
    String agent,
    Setup session,
    Action action,
    Expectation expect,
    String where,
    java.time.Instant at) {

  /** A case that does not say when it happens. */
  public Scenario(
      String name, String agent, Setup session, Action action, Expectation expect, String where) {
    this(name, agent, session, action, expect, where, null);
  }

  /**
   * The session a case runs in.
   *
   * @param request the user's own words
   * @param task the declared task, or empty
   * @param results earlier tool results, observed in order
   * @param history earlier actions, each decided and then (when it has a result) observed
   * @param open whether the session is opened at all; {@code false} leaves the action's session id
   *     unopened (a case about an unknown session)
   * @param openedBy the agent that opens the session, or {@code null} for the case's own agent (a
   *     case about another agent's session)
   */
  public record Setup(
      String request,
      Map<String, Object> task,
      List<Result> results,
      List<Step> history,
      boolean open,
      String openedBy) {
    public static final Setup NONE = new Setup("", Map.of(), List.of(), List.of());

    /** A session opened by the case's own agent. */
    public Setup(
        String request, Map<String, Object> task, List<Result> results, List<Step> history) {
      this(request, task, results, history, true, null);
    }

    public Setup {
      task = task == null ? Map.of() : Map.copyOf(task);
      results = List.copyOf(results);
      history = List.copyOf(history);
    }
  }

  /** A tool result observed before the action. */
  public record Result(String tool, Object result) {}

  /**
   * An earlier action in the session, with its result when it has one, and when it happened ({@code
   * null} when the step does not say).
   */
  public record Step(String tool, Map<String, Object> args, Object result, java.time.Instant at) {
    public Step(String tool, Map<String, Object> args, Object result) {
      this(tool, args, result, null);
    }
  }

  /**
   * What a case expects.
   *
   * @param policies the exact set of policies behind the decision's reasons, or {@code null} to not
   *     check them
   * @param shadow the exact set of shadow policies that matched, or {@code null} to not check
   * @param refusal the code of the refusal the call should get ({@code unknown_session}, {@code
   *     invalid_session_id}), or {@code null} for a call that is decided; it is checked on the
   *     audit record by runners that can read the audit (the decision alone is only a deny)
   */
  public record Expectation(
      Effect effect, List<String> policies, List<String> shadow, String refusal) {
    public Expectation(Effect effect, List<String> policies, List<String> shadow) {
      this(effect, policies, shadow, null);
    }
  }
}
