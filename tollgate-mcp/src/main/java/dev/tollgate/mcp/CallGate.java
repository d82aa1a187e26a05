package dev.tollgate.mcp;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.Reason;
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

  private static String reason(Reason r) {
    return r.message() == null || r.message().isBlank()
        ? r.policy()
        : r.message() + " (" + r.policy() + ")";
  }
}
