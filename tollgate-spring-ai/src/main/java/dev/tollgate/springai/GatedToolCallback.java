package dev.tollgate.springai;

import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.Reason;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.ai.tool.metadata.ToolMetadata;
import org.springframework.ai.util.json.JsonParser;

/**
 * A tool callback that asks the gate first: an allowed call runs the tool (with the arguments an
 * obligation changed, if any) and its result is observed; any other answer, or any failure on the
 * way to one, returns a text that tells the model why, and the tool never runs.
 *
 * <p>INVARIANT: the delegate runs only after a decision whose effect is {@code allow}.
 */
final class GatedToolCallback implements ToolCallback {
  private static final System.Logger LOG = System.getLogger(GatedToolCallback.class.getName());

  private final ToolCallback delegate;
  private final Gate gate;
  private final Sessions sessions;
  private final ApprovalWait approvals;
  private final Duration approvalWait;

  GatedToolCallback(
      ToolCallback delegate,
      Gate gate,
      Sessions sessions,
      ApprovalWait approvals,
      Duration approvalWait) {
    this.delegate = delegate;
    this.gate = gate;
    this.sessions = sessions;
    this.approvals = approvals;
    this.approvalWait = approvalWait;
  }

  /** Whether {@code tools} gates this callback already (it asks the same gate). */
  boolean gatedBy(TollgateTools tools) {
    return tools.gate() == gate;
  }

  @Override
  public ToolDefinition getToolDefinition() {
    return delegate.getToolDefinition();
  }

  @Override
  public ToolMetadata getToolMetadata() {
    return delegate.getToolMetadata();
  }

  @Override
  public String call(String toolInput) {
    return call(toolInput, null);
  }

  @Override
  public String call(String toolInput, ToolContext toolContext) {
    String tool = getToolDefinition().name();
    Sessions.Caller caller;
    Map<String, Object> args;
    Decision decision;
    try {
      args = arguments(toolInput);
      caller = sessions.of(toolContext);
      decision = gate.decide(Action.of(caller.session(), caller.user(), tool, args));
      if (decision.effect() == Effect.ASK && decision.approval() != null) {
        decision = awaitPerson(caller, tool, args, decision);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "Tollgate stopped waiting for a person to approve this call to "
          + tool
          + ". The call did not reach the tool.";
    } catch (RuntimeException e) {
      // INVARIANT: never runs the tool on error. The exception's class only: its message may
      // quote an argument value.
      LOG.log(
          System.Logger.Level.WARNING,
          "tollgate: could not decide a call to " + tool + ": " + e.getClass().getName());
      return "Tollgate could not decide this call to "
          + tool
          + " ("
          + e.getClass().getSimpleName()
          + "), so it was refused to fail closed. The call did not reach the tool.";
    }
    if (decision.effect() != Effect.ALLOW) {
      return refusal(tool, decision);
    }
    String input = decision.args() == null ? toolInput : JsonParser.toJson(decision.args());
    String result = toolContext == null ? delegate.call(input) : delegate.call(input, toolContext);
    try {
      gate.observe(new Observation(caller.session(), tool, decision.id(), result));
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "tollgate: the result of "
              + tool
              + " (decision "
              + decision.id()
              + ") was not observed: "
              + e.getClass().getName());
      // A result the session has not seen must not reach the model: a later call sending its
      // data on would go unseen by flow. The tool ran; its result is withheld.
      return "The call to "
          + tool
          + " ran, but Tollgate could not record its result, so the result is withheld. Do not"
          + " run it again. (decision "
          + decision.id()
          + ")";
    }
    return result;
  }

  /**
   * The decision once a person answered the approval: approving issues a grant for exactly this
   * action, so the same action decided again is let through by it.
   */
  private Decision awaitPerson(
      Sessions.Caller caller, String tool, Map<String, Object> args, Decision asked)
      throws InterruptedException {
    if (approvals == ApprovalWait.NONE || approvalWait.isZero()) {
      return asked;
    }
    ApprovalStatus status = approvals.await(asked.approval().id(), approvalWait);
    return switch (status) {
      case APPROVED -> gate.decide(Action.of(caller.session(), caller.user(), tool, args));
      case DENIED, EXPIRED ->
          Decision.builder(asked.id(), Effect.DENY)
              .reasons(asked.reasons())
              .approval(new dev.tollgate.api.ApprovalRef(asked.approval().id(), status, null))
              .build();
      case PENDING -> asked;
    };
  }

  /** The text the model gets instead of the tool's result, so that it can change course. */
  static String refusal(String tool, Decision d) {
    String why =
        d.reasons().isEmpty()
            ? "no policy allows it"
            : d.reasons().stream().map(GatedToolCallback::reason).collect(Collectors.joining("; "));
    if (d.approval() != null && d.approval().status() == ApprovalStatus.DENIED) {
      return "A person denied this call to "
          + tool
          + " (approval "
          + d.approval().id()
          + "). The call did not reach the tool; do not retry it. (decision "
          + d.id()
          + ")";
    }
    if (d.approval() != null && d.approval().status() == ApprovalStatus.EXPIRED) {
      return "No one approved this call to "
          + tool
          + " before its approval ("
          + d.approval().id()
          + ") expired. The call did not reach the tool. (decision "
          + d.id()
          + ")";
    }
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
    return r.message().isBlank() ? r.policy() : r.message() + " (" + r.policy() + ")";
  }

  /**
   * The call's arguments: Spring AI passes the model's JSON object as text ({@code {}} when the
   * model sent none).
   *
   * @throws IllegalArgumentException for anything but a JSON object
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> arguments(String toolInput) {
    Object parsed;
    try {
      parsed =
          toolInput == null || toolInput.isBlank()
              ? Map.of()
              : JsonParser.fromJson(toolInput, Object.class);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the tool's arguments are not JSON");
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException("the tool's arguments are not a JSON object");
    }
    return (Map<String, Object>) map;
  }
}
