package dev.tollgate.engine.internal.decide;

import dev.tollgate.engine.internal.cel.PolicyEnv;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of a session as policies see it ({@code session.*}). The CEL facts are
 * built once per snapshot, not once per decision.
 *
 * @param flagged the flagged values of a clear request and task, each with the token the store
 *     keeps in its place ({@link SessionMask#shown}); empty for a view of the stored text
 */
public record SessionView(
    String id,
    String agent,
    String user,
    String request,
    Map<String, Object> task,
    List<String> labels,
    List<Map<String, Object>> history,
    Map<String, Object> facts,
    Map<String, String> flagged) {

  public static final SessionView NONE = of("", "", "", "", Map.of(), List.of(), List.of());

  /**
   * {@code text} (a policy's message or error) with every flagged value of this view's request and
   * task replaced by its stored token: what policies render from the user's words must not put a
   * flagged value in a reason, the audit or the console.
   */
  public String mask(String text) {
    return SessionMask.mask(text, flagged);
  }

  public static SessionView of(
      String id,
      String agent,
      String user,
      String request,
      Map<String, Object> task,
      List<String> labels,
      List<Map<String, Object>> history) {
    return of(id, agent, user, request, task, labels, history, Map.of());
  }

  /** A view of a session whose clear request and task hold {@code flagged} values. */
  public static SessionView of(
      String id,
      String agent,
      String user,
      String request,
      Map<String, Object> task,
      List<String> labels,
      List<Map<String, Object>> history,
      Map<String, String> flagged) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("id", id);
    facts.put("user", user);
    facts.put("request", request);
    @SuppressWarnings("unchecked")
    Map<String, Object> celTask = (Map<String, Object>) Evaluator.celNulls(task);
    facts.put("task", PolicyEnv.celValue(celTask));
    facts.put("labels", List.copyOf(labels));
    facts.put("history", List.copyOf(history));
    // not Map.copyOf: a declared task is free-form JSON and may hold nulls
    return new SessionView(
        id,
        agent,
        user,
        request,
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(task)),
        List.copyOf(labels),
        List.copyOf(history),
        PolicyEnv.celValue(facts),
        flagged);
  }
}
