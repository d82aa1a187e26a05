package dev.tollgate.langchain4j;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import java.util.stream.Collectors;

/**
 * What the model reads instead of a tool's result when Tollgate stopped the call: why, the decision
 * id (so that a person can find it in the audit), and what to do next. The texts never repeat an
 * argument value; the policies' own messages are what their authors chose to show.
 */
final class Refusals {
  private Refusals() {}

  static String of(String tool, Decision d) {
    String why =
        d.reasons().isEmpty()
            ? "no policy allows it"
            : d.reasons().stream().map(Refusals::reason).collect(Collectors.joining("; "));
    if (d.effect() == Effect.ASK && d.approval() != null) {
      return "Tollgate holds this call to "
          + tool
          + " for a person's approval: "
          + why
          + ". Approval "
          + d.approval().id()
          + " is waiting in the Tollgate console; once a person approves it, the same call goes"
          + " through. The call did not reach the tool; do not try another way around it."
          + " (decision "
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

  static String deniedByPerson(String tool, Decision asked) {
    return "A person denied this call to "
        + tool
        + " (approval "
        + asked.approval().id()
        + "). The call did not reach the tool; do not retry it. (decision "
        + asked.id()
        + ")";
  }

  static String expired(String tool, Decision asked) {
    return "No one approved this call to "
        + tool
        + " before its approval ("
        + asked.approval().id()
        + ") expired. The call did not reach the tool. (decision "
        + asked.id()
        + ")";
  }

  /** The gate itself failed: the call is refused, never run (fail closed). */
  static String gateFailed(String tool, String what) {
    return "Tollgate refused this call to "
        + tool
        + " because the gate failed ("
        + what
        + "). The call did not reach the tool.";
  }

  /** The tool ran, but its result could not be reported to the session, so it is withheld. */
  static String unobserved(String tool, Decision d) {
    return "The call to "
        + tool
        + " ran, but Tollgate could not record its result, so the result is withheld. Do not run"
        + " it again. (decision "
        + d.id()
        + ")";
  }

  private static String reason(Reason r) {
    return r.message() == null || r.message().isBlank()
        ? r.policy()
        : r.message() + " (" + r.policy() + ")";
  }
}
