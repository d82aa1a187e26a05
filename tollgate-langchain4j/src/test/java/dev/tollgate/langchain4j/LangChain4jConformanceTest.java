package dev.tollgate.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolExecutor;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.conformance.Conformance;
import dev.tollgate.conformance.GateFactory;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance corpus through the LangChain4j adapter, another way in: per case a fresh engine,
 * and every action a tool call through {@link TollgateTools#executor} with the case's session as
 * the chat memory id, its user and its request as the invocation's. The gate the adapter decides
 * through is the engine's own, only recorded, so the decision a case checks is the one the adapter
 * acted on; and the adapter must have acted on it (run the tool only when allowed, name the
 * decision when it refused).
 *
 * <p>What the adapter cannot express is skipped with its reason in skip.yaml ({@code langchain4j});
 * the engine's records must equal the library's for every case that passes.
 */
class LangChain4jConformanceTest {

  /** The adapter as a way in: one engine per case. */
  static final GateFactory ADAPTER =
      bundle -> {
        Tollgate engine = Tollgate.builder().bundle(Bundle.fromFiles(bundle)).build();
        GateFactory.Way library = Conformance.inProcess(engine);
        return new GateFactory.Way() {
          @Override
          public Gate gate(String agent) {
            return new AdapterGate(new RecordingGate(engine.gate(agent)));
          }

          @Override
          public List<AuditEntry> audit() throws Exception {
            return library.audit();
          }
        };
      };

  /**
   * A {@link Gate} whose every decision is a LangChain4j tool call through the adapter: a session
   * is a conversation (chat memory id) it names, opened by the adapter on its first call with the
   * spec's user and request.
   */
  static final class AdapterGate implements Gate {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private final RecordingGate engine;
    private final Map<Object, SessionSpec> conversations = new ConcurrentHashMap<>();
    private final TollgateTools tools;

    AdapterGate(RecordingGate engine) {
      this.engine = engine;
      this.tools =
          TollgateTools.builder(engine)
              .user(c -> conversations.get(c.chatMemoryId()).user())
              .request(c -> conversations.get(c.chatMemoryId()).request())
              .build();
    }

    @Override
    public String agent() {
      return engine.agent();
    }

    @Override
    public String openSession(SessionSpec spec) {
      String id = spec.id() != null ? spec.id() : "conversation-" + NEXT.incrementAndGet();
      conversations.put(id, spec);
      return id;
    }

    @Override
    public Decision decide(Action action) {
      String conversation = action.session();
      if (conversation == null) {
        conversation = "conversation-" + NEXT.incrementAndGet();
        String user = action.user() != null ? action.user() : "user@example.com";
        conversations.put(conversation, SessionSpec.of(user, ""));
      }
      return call(conversation, action.tool(), action.args(), "done");
    }

    /**
     * A result the session read earlier: the model makes the call and the tool answers with it, so
     * that the adapter observes it. A result of a call decided here was observed when it ran.
     */
    @Override
    public ObservationResult observe(Observation observation) {
      if (observation.decision() == null) {
        Object r = observation.result();
        call(
            observation.session(),
            observation.tool(),
            Map.of(),
            r instanceof String s ? s : GatedToolExecutor.json(r));
      }
      return new ObservationResult(List.of(), List.of());
    }

    private Decision call(
        String conversation, String tool, Map<String, Object> args, String result) {
      int before = engine.decisions.size();
      AtomicBoolean ran = new AtomicBoolean();
      ToolExecutor real =
          (request, memoryId) -> {
            ran.set(true);
            return result;
          };
      ToolExecutionResult r =
          tools
              .executor(real)
              .executeWithContext(
                  ToolExecutionRequest.builder()
                      .id("call-" + NEXT.incrementAndGet())
                      .name(tool)
                      .arguments(GatedToolExecutor.json(args))
                      .build(),
                  InvocationContext.builder().chatMemoryId(conversation).build());
      String text =
          r.resultContents().stream()
              .map(c -> c instanceof TextContent t ? t.text() : "")
              .collect(Collectors.joining());
      if (engine.decisions.size() == before) {
        throw new IllegalStateException("the adapter refused without a decision: " + text);
      }
      Decision d = engine.decisions.getLast();
      if (ran.get() != d.allowed()) {
        throw new IllegalStateException(
            "the tool " + (ran.get() ? "ran" : "did not run") + " on " + d.effect() + ": " + text);
      }
      if (!ran.get() && !text.contains("(decision " + d.id() + ")")) {
        throw new IllegalStateException("the refusal does not name its decision: " + text);
      }
      return d;
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCasePassesThroughTheAdapter() {
    Map<String, String> skips = Conformance.skips("langchain4j");
    assertEquals(List.of(), Conformance.staleSkips(skips));
    return Conformance.cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () -> {
                      Conformance.Result r = Conformance.run(c, ADAPTER, skips);
                      if (r.status() == Conformance.Status.FAILED) {
                        fail(c.scenario().where() + "\n" + String.join("\n", r.failures()));
                      }
                      if (r.status() == Conformance.Status.SKIPPED) {
                        System.err.println(
                            "skipped on the LangChain4j adapter: "
                                + c.id()
                                + ": "
                                + r.skipReason());
                      }
                    }));
  }

  /**
   * The engine decides a case's action through the adapter as it does in process: the last decision
   * record has the same agent, tool, effect, reasons, findings and arguments digest.
   */
  @TestFactory
  Stream<DynamicTest> theAdaptersDecisionRecordsAreTheLibrarys() {
    Map<String, String> skips = Conformance.skips("langchain4j");
    return Conformance.cases().stream()
        .filter(c -> !skips.containsKey(c.id()))
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () ->
                        assertEquals(
                            Conformance.lastDecision(c, Conformance.LIBRARY),
                            Conformance.lastDecision(c, ADAPTER),
                            c.id())));
  }
}
