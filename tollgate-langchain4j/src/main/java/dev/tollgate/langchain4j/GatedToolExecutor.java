package dev.tollgate.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One tool's executor behind the gate. Per call: decide in the conversation's session; a refusal
 * answers the model with why (the tool never runs); an {@code ask} waits for a person when so
 * configured, and once approved is decided again (the approval's grant lets it through); an allowed
 * call runs (with the arguments an obligation changed, if any), and what the tool returned is
 * observed before the model sees it.
 *
 * <p>INVARIANT: never runs the tool on error. Any exception on the way to a decision refuses the
 * call; the model is told the gate failed, and no argument value goes into the text or the log.
 */
final class GatedToolExecutor implements ToolExecutor {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final System.Logger LOG = System.getLogger("dev.tollgate.langchain4j");

  private final TollgateTools tollgate;
  private final ToolExecutor tool;

  GatedToolExecutor(TollgateTools tollgate, ToolExecutor tool) {
    this.tollgate = tollgate;
    this.tool = Objects.requireNonNull(tool, "tool");
  }

  @Override
  public String execute(ToolExecutionRequest request, Object memoryId) {
    ToolExecutionResult result =
        executeWithContext(request, InvocationContext.builder().chatMemoryId(memoryId).build());
    return String.join("\n", texts(result.resultContents()));
  }

  @Override
  public ToolExecutionResult executeWithContext(
      ToolExecutionRequest request, InvocationContext context) {
    String name = request.name();
    Verdict verdict;
    try {
      verdict = decide(request, context);
    } catch (UnreadableArguments e) {
      return refused(Refusals.gateFailed(name, "it could not read the arguments as a JSON object"));
    } catch (RuntimeException e) {
      // the exception's message may quote arguments or internals: only its type is told
      LOG.log(
          System.Logger.Level.WARNING,
          "tollgate: the gate failed on a call to {0} ({1}); the call was refused",
          name,
          e.getClass().getName());
      return refused(Refusals.gateFailed(name, e.getClass().getSimpleName()));
    }
    if (verdict.refusal() != null) {
      return withDecision(refused(verdict.refusal()), verdict.decision());
    }
    ToolExecutionResult result = tool.executeWithContext(verdict.request(), context);
    List<Content> contents = result.resultContents();
    try {
      tollgate
          .gate()
          .observe(
              new Observation(
                  verdict.action().session(),
                  verdict.action().tool(),
                  verdict.decision().id(),
                  observed(contents)));
    } catch (RuntimeException e) {
      // a result the session did not see could later leave unnoticed: the model does not get it
      LOG.log(
          System.Logger.Level.WARNING,
          "tollgate: the result of {0} (decision {1}) was not observed ({2}); it was withheld",
          name,
          verdict.decision().id(),
          e.getClass().getName());
      return withDecision(
          refused(Refusals.unobserved(name, verdict.decision())), verdict.decision());
    }
    return withDecision(result, verdict.decision());
  }

  /** The outcome of the gate for one call: run this request, or answer with this refusal. */
  private record Verdict(
      Action action, Decision decision, ToolExecutionRequest request, String refusal) {}

  private Verdict decide(ToolExecutionRequest request, InvocationContext context) {
    String name = request.name();
    String tool = Objects.requireNonNull(tollgate.toolName(name), "tool name");
    Map<String, Object> args = arguments(request.arguments());
    String user = Objects.requireNonNull(tollgate.user(context), "user");
    Object memoryId = context == null ? null : context.chatMemoryId();
    String session = tollgate.sessions().of(memoryId, user, () -> tollgate.request(context));
    Action action = Action.of(session, user, tool, args);
    Decision d = Objects.requireNonNull(tollgate.gate().decide(action), "decision");
    if (d.effect() == Effect.ASK && d.approval() != null && tollgate.waits()) {
      return awaitPerson(request, action, d);
    }
    return verdict(request, action, d);
  }

  private Verdict verdict(ToolExecutionRequest request, Action action, Decision d) {
    if (d.effect() != Effect.ALLOW) {
      return new Verdict(action, d, null, Refusals.of(request.name(), d));
    }
    ToolExecutionRequest run =
        d.args() == null ? request : request.toBuilder().arguments(json(d.args())).build();
    return new Verdict(action, d, run, null);
  }

  /**
   * Holds an asked call while a person decides, up to the configured wait; approved, the call is
   * decided again, and the approval's grant lets it through (a grant that no longer matches, or was
   * revoked meanwhile, is the new decision's refusal).
   */
  private Verdict awaitPerson(ToolExecutionRequest request, Action action, Decision asked) {
    ApprovalStatus status;
    try {
      status = tollgate.approvals().await(asked.approval().id(), tollgate.approvalWait());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = ApprovalStatus.PENDING;
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "tollgate: could not follow approval {0} ({1})",
          asked.approval().id(),
          e.getClass().getName());
      status = ApprovalStatus.PENDING;
    }
    return switch (status) {
      case APPROVED ->
          verdict(
              request, action, Objects.requireNonNull(tollgate.gate().decide(action), "decision"));
      case DENIED ->
          new Verdict(action, asked, null, Refusals.deniedByPerson(request.name(), asked));
      case EXPIRED -> new Verdict(action, asked, null, Refusals.expired(request.name(), asked));
      case PENDING -> verdict(request, action, asked);
    };
  }

  /** A call's arguments as JSON values; a model that sends none ({@code ""}) sends no arguments. */
  static Map<String, Object> arguments(String text) {
    if (text == null || text.isBlank()) {
      return Map.of();
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (!node.isObject()) {
        throw new UnreadableArguments();
      }
      return JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new UnreadableArguments();
    }
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write changed arguments as JSON", e);
    }
  }

  /** What the session learns from a result: the text the model reads. */
  private static Object observed(List<Content> contents) {
    List<String> texts = texts(contents);
    return texts.size() == 1 ? texts.getFirst() : texts;
  }

  private static List<String> texts(List<Content> contents) {
    List<String> texts = new ArrayList<>();
    for (Content c : contents) {
      if (c instanceof TextContent t) {
        texts.add(t.text());
      }
    }
    return texts;
  }

  private static ToolExecutionResult refused(String text) {
    return ToolExecutionResult.builder().isError(true).resultText(text).build();
  }

  private static ToolExecutionResult withDecision(ToolExecutionResult result, Decision d) {
    Map<String, Object> attributes = new LinkedHashMap<>(result.attributes());
    attributes.put(TollgateTools.DECISION_ATTRIBUTE, d.id());
    ToolExecutionResult.Builder b =
        ToolExecutionResult.builder()
            .isError(result.isError())
            .result(result.result())
            .attributes(attributes);
    List<Content> contents = result.resultContents();
    return (contents.isEmpty() ? b.resultText("") : b.resultContents(contents)).build();
  }

  /** Arguments that are not a JSON object: the message names no value. */
  static final class UnreadableArguments extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableArguments() {
      super("the arguments are not a JSON object", null, false, false);
    }
  }
}
