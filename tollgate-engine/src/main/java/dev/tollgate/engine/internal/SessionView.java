package dev.tollgate.engine.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of a session as policies see it ({@code session.*}). The CEL facts are
 * built once per snapshot, not once per decision.
 */
public record SessionView(
    String id,
    String agent,
    String user,
    String request,
    Map<String, Object> task,
    List<String> labels,
    List<Map<String, Object>> history,
    Map<String, Object> facts) {

  public static final SessionView NONE = of("", "", "", "", Map.of(), List.of(), List.of());

  public static SessionView of(
      String id,
      String agent,
      String user,
      String request,
      Map<String, Object> task,
      List<String> labels,
      List<Map<String, Object>> history) {
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
        PolicyEnv.celValue(facts));
  }
}
