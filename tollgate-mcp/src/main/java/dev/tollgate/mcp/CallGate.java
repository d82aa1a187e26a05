package dev.tollgate.mcp;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.Reason;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the gateway does with one tools/call, apart from the protocol: a decision in the client's
 * session, and the text a refused call answers the model with, so that it can change course.
 */
final class CallGate {
  private final Gate gate;
  private final String session;
  private final String user;

  CallGate(Gate gate, String session, String user) {
    this.gate = gate;
    this.session = session;
    this.user = user;
  }

  /** The Tollgate session the calls are decided in. */
  String session() {
    return session;
  }

  /** The verdict on a call: forward these arguments, or answer with this refusal. */
  record Verdict(Decision decision, Map<String, Object> args, String refusal) {
    boolean forward() {
      return refusal == null;
    }
  }

  Verdict decide(String tool, Map<String, Object> args) {
    Decision d = gate.decide(Action.of(session, user, tool, args));
    if (d.effect() == Effect.ALLOW) {
      return new Verdict(d, d.args() != null ? d.args() : args, null);
    }
    return new Verdict(d, null, refusal(tool, d));
  }

  /** Reports a forwarded call's result to the session, so that later calls see its data. */
  void observe(String tool, Decision decision, Object result) {
    gate.observe(new Observation(session, tool, decision.id(), result));
  }

  static String refusal(String tool, Decision d) {
    String why =
        d.reasons().isEmpty()
            ? "no policy allows it"
            : d.reasons().stream().map(CallGate::reason).collect(Collectors.joining("; "));
    if (d.effect() == Effect.ASK && d.approval() != null) {
      return "Tollgate holds this call to "
          + tool
          + " for a person's approval: "
          + why
          + ". Approval "
          + d.approval().id()
          + " is waiting in the Tollgate console; once a person approves it, the same call goes"
          + " through. Do not try another way around it. (decision "
          + d.id()
          + ")";
    }
    return "Tollgate denied this call to "
        + tool
        + ": "
        + why
        + ". The call did not reach the tool; change course rather than retry it. (decision "
        + d.id()
        + ")";
  }

  /**
   * The result with the decision on its call in {@code _meta} (id, effect, the policies that
   * decided and their messages, the approval, the shadow policies' outcomes), so that a client or
   * an auditor can find it in the audit. Messages are the policies' own, as the model reads them in
   * a refusal; no argument value is repeated.
   */
  static McpSchema.CallToolResult withDecision(
      McpSchema.CallToolResult result, dev.tollgate.api.Decision d) {
    Map<String, Object> decision = new java.util.LinkedHashMap<>();
    decision.put("id", d.id());
    decision.put("effect", d.effect().name().toLowerCase(java.util.Locale.ROOT));
    decision.put("policies", d.policies());
    decision.put(
        "reasons",
        d.reasons().stream()
            .map(r -> Map.of("policy", r.policy(), "message", String.valueOf(r.message())))
            .toList());
    if (d.approval() != null) {
      decision.put("approval", d.approval().id());
    }
    if (!d.shadow().isEmpty()) {
      decision.put(
          "shadow",
          d.shadow().stream()
              .map(
                  s ->
                      Map.of(
                          "policy",
                          s.policy(),
                          "effect",
                          s.effect().wireName(),
                          "message",
                          String.valueOf(s.message())))
              .toList());
    }
    Map<String, Object> meta =
        result.meta() == null
            ? new java.util.LinkedHashMap<>()
            : new java.util.LinkedHashMap<>(result.meta());
    meta.put(McpGateway.DECISION_META, decision);
    return new McpSchema.CallToolResult(
        result.content(), result.isError(), result.structuredContent(), meta);
  }

  private static String reason(Reason r) {
    return r.message() == null || r.message().isBlank()
        ? r.policy()
        : r.message() + " (" + r.policy() + ")";
  }
}
