package dev.tollgate.engine.runner;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import java.util.List;
import java.util.Map;

/**
 * One case: an agent, the session it acts in, an action, and what Tollgate should decide. Policy
 * tests ({@code tests/*.yaml}) and conformance cases share this shape.
 *
 * @param where {@code file:line} of the case, for reports
 */
public record Scenario(String name, String agent, Setup session, Action action,
    Expectation expect, String where) {

  /**
   * The session a case runs in.
   *
   * @param request the user's own words
   * @param task the declared task, or empty
   * @param results earlier tool results, observed in order
   * @param history earlier actions, each decided and then (when it has a result) observed
   */
  public record Setup(String request, Map<String, Object> task, List<Result> results,
      List<Step> history) {
    public static final Setup NONE = new Setup("", Map.of(), List.of(), List.of());

    public Setup {
      task = task == null ? Map.of() : Map.copyOf(task);
      results = List.copyOf(results);
      history = List.copyOf(history);
    }
  }

  /** A tool result observed before the action. */
  public record Result(String tool, Object result) {}

  /** An earlier action in the session, with its result when it has one. */
  public record Step(String tool, Map<String, Object> args, Object result) {}

  /**
   * What a case expects.
   *
   * @param policies the exact set of policies behind the decision's reasons, or {@code null} to
   *     not check them
   * @param shadow the exact set of shadow policies that matched, or {@code null} to not check
   */
  public record Expectation(Effect effect, List<String> policies, List<String> shadow) {}
}
