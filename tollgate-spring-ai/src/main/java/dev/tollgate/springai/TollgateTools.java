package dev.tollgate.springai;

import dev.tollgate.api.Gate;
import java.time.Duration;
import java.util.Objects;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;

/**
 * Gates Spring AI tools with a Tollgate {@link Gate}: the in-process engine ({@code
 * Tollgate.gate(agent)}) or the sidecar's client ({@code TollgateClient}), the same code either
 * way.
 *
 * <pre>{@code
 * TollgateTools tollgate = TollgateTools.builder(gate).build();
 * ChatClient chat = ChatClient.builder(model)
 *     .defaultAdvisors(tollgate.advisor())
 *     .defaultToolCallbacks(tollgate.wrap(ToolCallbacks.from(new MailTools())))
 *     .build();
 * }</pre>
 *
 * <p>Every call of a wrapped tool is decided first. {@code allow} runs the tool and reports its
 * result to the session ({@code observe}), so that a later call that sends that data on is caught.
 * {@code deny}, and any failure to decide, return a text that tells the model why, with the
 * decision's id, and never run the tool. {@code ask} waits up to {@link Builder#approvals} for a
 * person and then decides again (an approval's grant lets exactly that call through), or answers at
 * once with the approval's id.
 *
 * <p>One Tollgate session is opened per conversation, with the user's message as its request; see
 * {@link TollgateAdvisor} for where they come from. Thread-safe.
 */
public final class TollgateTools {

  /** Tool context key: the conversation a call belongs to (one Tollgate session each). */
  public static final String CONVERSATION = "tollgate.conversation";

  /** Tool context key: the user the agent acts for (else the builder's default user). */
  public static final String USER = "tollgate.user";

  /** Tool context key: the user's own words, the session's trusted request. */
  public static final String REQUEST = "tollgate.request";

  private final Gate gate;
  private final Sessions sessions;
  private final ApprovalWait approvals;
  private final Duration approvalWait;
  private final TollgateAdvisor advisor = new TollgateAdvisor();

  private TollgateTools(Builder b) {
    this.gate = b.gate;
    this.sessions = new Sessions(b.gate, b.user);
    this.approvals = b.approvals;
    this.approvalWait = b.approvalWait;
  }

  /** Starts gating tools with {@code gate}. */
  public static Builder builder(Gate gate) {
    return new Builder(gate);
  }

  /** The gate every wrapped tool asks. */
  public Gate gate() {
    return gate;
  }

  /** {@code tool}, gated; a tool this gates already is returned as it is. */
  public ToolCallback wrap(ToolCallback tool) {
    Objects.requireNonNull(tool, "tool");
    if (tool instanceof GatedToolCallback gated && gated.gatedBy(this)) {
      return tool;
    }
    return new GatedToolCallback(tool, gate, sessions, approvals, approvalWait);
  }

  /** Each of {@code tools}, gated. */
  public ToolCallback[] wrap(ToolCallback... tools) {
    ToolCallback[] out = new ToolCallback[tools.length];
    for (int i = 0; i < tools.length; i++) {
      out[i] = wrap(tools[i]);
    }
    return out;
  }

  /** A provider whose every callback is gated; a provider this gates already is returned as is. */
  public ToolCallbackProvider wrap(ToolCallbackProvider provider) {
    Objects.requireNonNull(provider, "provider");
    return provider instanceof GatedProvider ? provider : new GatedProvider(provider, this);
  }

  /** The advisor that gives gated tools the conversation and the user's message. */
  public TollgateAdvisor advisor() {
    return advisor;
  }

  /** Builds {@link TollgateTools}. Not thread-safe. */
  public static final class Builder {
    private final Gate gate;
    private String user = "anonymous";
    private ApprovalWait approvals = ApprovalWait.NONE;
    private Duration approvalWait = Duration.ZERO;

    private Builder(Gate gate) {
      this.gate = Objects.requireNonNull(gate, "gate");
    }

    /** The user of calls whose tool context names none (default {@code anonymous}). */
    public Builder user(String user) {
      if (user == null || user.isBlank()) {
        throw new IllegalArgumentException("the default user must not be blank");
      }
      this.user = user;
      return this;
    }

    /**
     * Waits up to {@code wait} for a person to decide an {@code ask} (default: not at all, the
     * model is told the approval's id at once). The wait holds the tool call's thread.
     */
    public Builder approvals(ApprovalWait approvals, Duration wait) {
      this.approvals = Objects.requireNonNull(approvals, "approvals");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("the approval wait must not be negative");
      }
      this.approvalWait = wait;
      return this;
    }

    public TollgateTools build() {
      return new TollgateTools(this);
    }
  }
}
