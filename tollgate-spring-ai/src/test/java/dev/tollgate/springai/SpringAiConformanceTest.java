package dev.tollgate.springai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.conformance.Conformance;
import dev.tollgate.conformance.GateFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.util.json.JsonParser;

/**
 * The conformance corpus through the Spring AI adapter, another way in: per case a fresh engine,
 * and every action a call of a gated {@code ToolCallback} (its arguments as the JSON text Spring AI
 * passes, its session a conversation named in the tool context with the user and request of the
 * session the case opened). The decision is the one the adapter acted on; the test also holds the
 * adapter to its invariant: the tool ran exactly when the decision allowed it, with the arguments
 * the decision gave, and a refusal names the decision.
 *
 * <p>What the adapter cannot express is skipped with its reason in skip.yaml ({@code spring-ai});
 * the engine's decision records must equal the library's for every case that passes.
 */
class SpringAiConformanceTest {
  static final String WAY_IN = "spring-ai";

  /** The adapter as a way in: the library's engine per case, each gate behind the decorator. */
  static final GateFactory SPRING_AI =
      bundle -> {
        GateFactory.Way engine = Conformance.LIBRARY.open(bundle);
        return new GateFactory.Way() {
          @Override
          public Gate gate(String agent) throws Exception {
            return new ToolGate(engine.gate(agent));
          }

          @Override
          public List<AuditEntry> audit() throws Exception {
            return engine.audit();
          }
        };
      };

  /**
   * A {@link Gate} whose decisions are tool calls through {@link TollgateTools}: a session is a
   * conversation; a result the adapter did not see come back from a tool (a session's earlier
   * results) is a call of that tool, answering with it, so that the adapter observes it.
   */
  static final class ToolGate implements Gate {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private final Gate engine;
    private final TollgateTools tools;
    private final AtomicReference<Decision> last = new AtomicReference<>();
    private final Map<String, SessionSpec> conversations = new HashMap<>();

    ToolGate(Gate engine) {
      this.engine = engine;
      Gate watched =
          new Gate() {
            @Override
            public String agent() {
              return engine.agent();
            }

            @Override
            public String openSession(SessionSpec spec) {
              return engine.openSession(spec);
            }

            @Override
            public Decision decide(Action action) {
              Decision d = engine.decide(action);
              last.set(d);
              return d;
            }

            @Override
            public ObservationResult observe(Observation observation) {
              return engine.observe(observation);
            }
          };
      this.tools = TollgateTools.builder(watched).build();
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
      return call(action.session(), action.user(), action.tool(), action.args(), "ok");
    }

    @Override
    public ObservationResult observe(Observation observation) {
      if (observation.decision() == null) {
        Object r = observation.result();
        call(
            observation.session(),
            null,
            observation.tool(),
            Map.of(),
            r instanceof String s ? s : JsonParser.toJson(r));
      }
      return new ObservationResult(List.of(), List.of());
    }

    private Decision call(
        String conversation, String user, String tool, Map<String, Object> args, String result) {
      Map<String, Object> context = new HashMap<>();
      SessionSpec spec = conversation == null ? null : conversations.get(conversation);
      context.put(
          TollgateTools.CONVERSATION,
          conversation != null ? conversation : "conversation-" + NEXT.incrementAndGet());
      String who = user != null ? user : spec != null ? spec.user() : null;
      if (who != null) {
        context.put(TollgateTools.USER, who);
      }
      if (spec != null) {
        context.put(TollgateTools.REQUEST, spec.request());
      }
      RecordingTool delegate = new RecordingTool(tool, result);
      last.set(null);
      String told = tools.wrap(delegate).call(JsonParser.toJson(args), new ToolContext(context));
      Decision d = last.get();
      if (d == null) {
        throw new AssertionError("the adapter answered without a decision: " + told);
      }
      if (d.effect() == Effect.ALLOW) {
        String expected = JsonParser.toJson(d.args() != null ? d.args() : args);
        assertEquals(List.of(expected), delegate.inputs(), "the allowed tool's input");
        assertEquals(result, told, "an allowed call's result reaches the model as it is");
      } else {
        assertEquals(List.of(), delegate.inputs(), "a refused call ran the tool");
        if (!told.contains("(decision " + d.id() + ")")) {
          throw new AssertionError("the refusal does not name its decision: " + told);
        }
      }
      return d;
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCasePassesThroughTheAdapter() {
    Map<String, String> skips = Conformance.skips(WAY_IN);
    assertEquals(List.of(), Conformance.staleSkips(skips));
    return Conformance.cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () -> {
                      Conformance.Result r = Conformance.run(c, SPRING_AI, skips);
                      if (r.status() == Conformance.Status.FAILED) {
                        fail(c.scenario().where() + "\n" + String.join("\n", r.failures()));
                      }
                      if (r.status() == Conformance.Status.SKIPPED) {
                        System.err.println(
                            "skipped on spring-ai: " + c.id() + ": " + r.skipReason());
                      }
                    }));
  }

  /**
   * The engine decides a case's action through the adapter as it does in process: the last decision
   * record has the same agent, tool, effect, reasons, findings and arguments digest.
   */
  @TestFactory
  Stream<DynamicTest> theAdaptersDecisionRecordsAreTheLibrarys() {
    Map<String, String> skips = Conformance.skips(WAY_IN);
    return Conformance.cases().stream()
        .filter(c -> !skips.containsKey(c.id()))
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.id(),
                    () ->
                        assertEquals(
                            Conformance.lastDecision(c, Conformance.LIBRARY),
                            Conformance.lastDecision(c, SPRING_AI),
                            c.id())));
  }
}
