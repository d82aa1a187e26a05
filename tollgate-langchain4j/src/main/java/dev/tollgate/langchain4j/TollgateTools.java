package dev.tollgate.langchain4j;

import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.AiServiceTool;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolService;
import dev.tollgate.api.Gate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Puts LangChain4j tool execution behind a Tollgate {@link Gate}: every call is decided before the
 * tool runs, and every result is observed before the model reads it. Works with any gate, the
 * engine in process ({@code Tollgate.gate(agent)}) or the sidecar ({@code TollgateClient}).
 *
 * <pre>{@code
 * TollgateTools gated = TollgateTools.builder(gate).user("alice@acme.example").build();
 * AiServices.builder(Assistant.class).chatModel(model).tools(gated.tools(new InvoiceTools())) ...
 * }</pre>
 *
 * <p>Sessions: one Tollgate session per chat memory id (LangChain4j's {@code @MemoryId}; {@code
 * "default"} without one) and user, opened on the conversation's first tool call with that
 * invocation's user message as the request. A denied call, or an asked one nobody approved in time,
 * is answered with a tool error that tells the model why and names the decision; the tool never
 * runs. Any failure of the gate refuses the call (fail closed).
 *
 * <p>Thread-safe; the executors it makes may run concurrently ({@code executeToolsConcurrently}).
 */
public final class TollgateTools {
  /**
   * The key of a tool result's attribute that holds the id of Tollgate's decision on the call (also
   * on refusals), so that an application can find it in the audit.
   */
  public static final String DECISION_ATTRIBUTE = "dev.tollgate/decision";

  private final Gate gate;
  private final Sessions sessions;
  private final Function<InvocationContext, String> user;
  private final Function<InvocationContext, String> request;
  private final UnaryOperator<String> toolNames;
  private final ApprovalWait approvals;
  private final Duration approvalWait;

  private TollgateTools(Builder b) {
    this.gate = b.gate;
    this.sessions = new Sessions(b.gate);
    this.user = b.user;
    this.request = b.request;
    this.toolNames = b.toolNames;
    this.approvals = b.approvals;
    this.approvalWait = b.approvalWait;
  }

  /** Starts the configuration of a gate's tools; {@link Builder#user} is required. */
  public static Builder builder(Gate gate) {
    return new Builder(gate);
  }

  /** {@code tool} behind the gate, for {@code AiServices.builder(...).tools(Map)}. */
  public ToolExecutor executor(ToolExecutor tool) {
    return new GatedToolExecutor(this, tool);
  }

  /**
   * Every tool {@code provider} offers behind the gate, also those of LangChain4j's MCP tool
   * provider, for {@code AiServices.builder(...).toolProvider(...)}.
   */
  public ToolProvider provider(ToolProvider provider) {
    return new GatedToolProvider(this, Objects.requireNonNull(provider, "provider"));
  }

  /**
   * The {@code @Tool} methods of {@code objectsWithTools} behind the gate, as LangChain4j itself
   * finds them (specifications and return behaviours unchanged), for {@code
   * AiServices.builder(...).tools(List)}.
   *
   * @throws IllegalArgumentException as LangChain4j does, for an object without {@code @Tool}
   *     methods
   */
  public List<AiServiceTool> tools(Object... objectsWithTools) {
    List<AiServiceTool> out = new ArrayList<>();
    for (Object o : objectsWithTools) {
      ToolService.findTools(o).forEach(t -> out.add(gate(t)));
    }
    return List.copyOf(out);
  }

  AiServiceTool gate(AiServiceTool tool) {
    return tool.toBuilder().toolExecutor(executor(tool.toolExecutor())).build();
  }

  Gate gate() {
    return gate;
  }

  Sessions sessions() {
    return sessions;
  }

  String user(InvocationContext context) {
    return user.apply(context);
  }

  String request(InvocationContext context) {
    String text = request.apply(context);
    return text == null ? "" : text;
  }

  String toolName(String langchainName) {
    return toolNames.apply(langchainName);
  }

  ApprovalWait approvals() {
    return approvals;
  }

  Duration approvalWait() {
    return approvalWait;
  }

  /** True when an asked call waits for a person before it is answered. */
  boolean waits() {
    return approvals != ApprovalWait.NONE && !approvalWait.isZero();
  }

  /**
   * The text of the invocation's user message. LangChain4j hands the tools the message as it went
   * to the model: with a retrieval augmentor that includes the retrieved content, which is not the
   * user's own words; such an application sets {@link Builder#request} itself.
   */
  static String userMessageText(InvocationContext context) {
    UserMessage m = context == null ? null : context.userMessage();
    if (m == null) {
      return "";
    }
    List<String> texts = new ArrayList<>();
    for (Content c : m.contents()) {
      if (c instanceof TextContent t) {
        texts.add(t.text());
      }
    }
    return String.join("\n", texts);
  }

  /** Configures {@link TollgateTools}; not thread-safe. */
  public static final class Builder {
    private final Gate gate;
    private Function<InvocationContext, String> user;
    private Function<InvocationContext, String> request = TollgateTools::userMessageText;
    private UnaryOperator<String> toolNames = UnaryOperator.identity();
    private ApprovalWait approvals = ApprovalWait.NONE;
    private Duration approvalWait = Duration.ZERO;

    private Builder(Gate gate) {
      this.gate = Objects.requireNonNull(gate, "gate");
    }

    /** The user every conversation acts for. */
    public Builder user(String user) {
      Objects.requireNonNull(user, "user");
      return user(context -> user);
    }

    /**
     * The user a call acts for, from its invocation (for example from its {@code
     * InvocationParameters}); a {@code null} or a failure refuses the call.
     */
    public Builder user(Function<InvocationContext, String> user) {
      this.user = Objects.requireNonNull(user, "user");
      return this;
    }

    /**
     * The user's request a conversation's session opens with, from the invocation of its first tool
     * call. By default the text of the invocation's user message.
     */
    public Builder request(Function<InvocationContext, String> request) {
      this.request = Objects.requireNonNull(request, "request");
      return this;
    }

    /**
     * The Tollgate tool name (as in the catalog and the policies, say {@code email.send}) of a
     * LangChain4j tool name; by default the same. Models' APIs often allow only letters, digits,
     * {@code _} and {@code -} in tool names, so {@code email_send} may need mapping.
     */
    public Builder toolNames(UnaryOperator<String> toolNames) {
      this.toolNames = Objects.requireNonNull(toolNames, "toolNames");
      return this;
    }

    /**
     * Asked calls wait up to {@code wait} for a person through {@code approvals}; approved, the
     * call is decided again and runs on the approval's grant. Without this (or with {@link
     * ApprovalWait#NONE} or a zero wait), an asked call is answered at once with its approval's id,
     * and the model may make the same call again once a person approved it.
     */
    public Builder approvals(ApprovalWait approvals, Duration wait) {
      Objects.requireNonNull(approvals, "approvals");
      Objects.requireNonNull(wait, "wait");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("the approval wait must not be negative");
      }
      this.approvals = approvals;
      this.approvalWait = wait;
      return this;
    }

    /**
     * @throws IllegalStateException when no user was set
     */
    public TollgateTools build() {
      if (user == null) {
        throw new IllegalStateException(
            "set the user the agent acts for: TollgateTools.builder(gate).user(\"alice@...\")");
      }
      return new TollgateTools(this);
    }
  }
}
