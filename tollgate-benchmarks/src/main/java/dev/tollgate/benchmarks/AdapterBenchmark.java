package dev.tollgate.benchmarks;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * What gating a tool call costs in process, through the framework adapters: a LangChain4j {@code
 * ToolExecutor} and a Spring AI {@code ToolCallback} called directly, and the same tool behind
 * {@code tollgate-langchain4j} and {@code tollgate-spring-ai}. {@code gate=engine} decides with the
 * in-process engine (a three-policy bundle; the call is allowed and its result observed); {@code
 * gate=free} is a gate that allows everything at no cost, so that {@code free} minus {@code direct}
 * is the adapter's own share. Each conversation makes 64 calls, so that opening its session is part
 * of the cost as it is in an agent's. {@code java -jar benchmarks.jar AdapterBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AdapterBenchmark {
  static final String AGENT = "shop-bot";
  static final String ARGS = "{\"order\":\"42\"}";
  static final String RESULT = "order 42: shipped on 2026-12-01, 3 items, paid";
  static final Map<String, String> BUNDLE =
      Map.of(
          "agents.yaml",
          "agents:\n  shop-bot:\n    tools: [\"orders.get\", \"email.send\"]\n",
          "catalog.yaml",
          "tools:\n"
              + "  orders.get: {kind: read, results: {labels: [financial], trust: trusted}}\n"
              + "  email.send: {kind: send, external: true, control: [to]}\n",
          "policies.yaml",
          """
          policies:
            - name: order-data-leaves
              match: {tools: ["email.*"]}
              when: '"financial" in flow.labels'
              effect: deny
              message: '"order data is going out by mail"'
            - name: mail-outside-asks
              match: {tools: ["email.*"]}
              when: action.args.to.exists(r, !r.endsWith("@acme.example"))
              effect: ask
              message: '"mail to " + action.args.to.join(", ")'
            - name: big-orders-ask
              match: {tools: ["orders.*"]}
              when: action.args.order == "999999"
              effect: ask
              message: '"a large order"'
          """);

  /**
   * A gate that allows everything and keeps nothing: the adapters' own cost, without a decision.
   */
  static final class FreeGate implements Gate {
    private final Decision allow = Decision.builder("dec_free", Effect.ALLOW).build();

    @Override
    public String agent() {
      return AGENT;
    }

    @Override
    public String openSession(SessionSpec spec) {
      return "s_free";
    }

    @Override
    public Decision decide(Action action) {
      return allow;
    }

    @Override
    public ObservationResult observe(Observation observation) {
      return new ObservationResult(List.of(), List.of());
    }
  }

  @State(Scope.Benchmark)
  public static class Tools {
    @Param({"engine", "free"})
    String gate;

    ToolExecutor langchain4jDirect;
    ToolExecutor langchain4jGated;
    ToolExecutionRequest langchain4jRequest;
    ToolCallback springDirect;
    ToolCallback springGated;
    long calls;

    @Setup
    public void setUp() throws Exception {
      Gate chosen =
          gate.equals("engine")
              ? Tollgate.builder().bundle(Bundle.fromFiles(BUNDLE)).build().gate(AGENT)
              : new FreeGate();
      langchain4jDirect = (request, memoryId) -> RESULT;
      langchain4jGated =
          dev.tollgate.langchain4j.TollgateTools.builder(chosen)
              .user("alice@acme.example")
              .toolNames(n -> n.replaceFirst("_", "."))
              .build()
              .executor(langchain4jDirect);
      langchain4jRequest =
          ToolExecutionRequest.builder().id("call-1").name("orders_get").arguments(ARGS).build();
      springDirect =
          new ToolCallback() {
            private final ToolDefinition definition =
                ToolDefinition.builder()
                    .name("orders.get")
                    .description("an order")
                    .inputSchema("{\"type\":\"object\"}")
                    .build();

            @Override
            public ToolDefinition getToolDefinition() {
              return definition;
            }

            @Override
            public String call(String toolInput) {
              return RESULT;
            }
          };
      springGated =
          dev.tollgate.springai.TollgateTools.builder(chosen)
              .user("alice@acme.example")
              .build()
              .wrap(springDirect);
      Object check =
          langchain4jGated.executeWithContext(langchain4jRequest, context("check")).resultText();
      if (!RESULT.equals(check) || !RESULT.equals(springGated.call(ARGS, toolContext("check")))) {
        throw new IllegalStateException("the benchmark's call is not allowed: " + check);
      }
    }

    /** The conversation of this call: a new one every 64 calls. */
    String conversation() {
      return "conversation-" + (calls++ >>> 6);
    }

    static InvocationContext context(String conversation) {
      return InvocationContext.builder().chatMemoryId(conversation).build();
    }

    static ToolContext toolContext(String conversation) {
      Map<String, Object> context = new HashMap<>();
      context.put(dev.tollgate.springai.TollgateTools.CONVERSATION, conversation);
      context.put(dev.tollgate.springai.TollgateTools.REQUEST, "Where is my order 42?");
      return new ToolContext(context);
    }
  }

  @Benchmark
  public ToolExecutionResult langchain4jDirect(Tools t) {
    return t.langchain4jDirect.executeWithContext(
        t.langchain4jRequest, Tools.context(t.conversation()));
  }

  @Benchmark
  public ToolExecutionResult langchain4jGated(Tools t) {
    return t.langchain4jGated.executeWithContext(
        t.langchain4jRequest, Tools.context(t.conversation()));
  }

  @Benchmark
  public String springAiDirect(Tools t) {
    return t.springDirect.call(ARGS, Tools.toolContext(t.conversation()));
  }

  @Benchmark
  public String springAiGated(Tools t) {
    return t.springGated.call(ARGS, Tools.toolContext(t.conversation()));
  }
}
