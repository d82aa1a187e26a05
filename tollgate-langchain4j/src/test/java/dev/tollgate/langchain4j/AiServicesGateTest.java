package dev.tollgate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderResult;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent built with LangChain4j's own {@code AiServices}, its tools gated by the engine in
 * process; the model is scripted, everything else is real.
 */
class AiServicesGateTest {
  static final String ALICE = "alice@acme.example";
  static final String FINANCIAL_MAIL =
      "{\"to\":[\"ap@globex.example\"],\"body\":\"For context: INV-4471, 12,400.00 EUR.\"}";

  RecordingGate gate;
  InvoiceTools tools;
  ScriptedModel model;

  @BeforeEach
  void engine() throws Exception {
    Tollgate engine =
        Tollgate.builder().bundle(Bundle.load(Path.of("src/test/resources/bundle"))).build();
    gate = new RecordingGate(engine.gate("invoice-bot"));
    tools = new InvoiceTools();
    model = new ScriptedModel();
  }

  Assistant assistant(TollgateTools gated) {
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(50))
        .tools(gated.tools(tools))
        .build();
  }

  TollgateTools gated(Gate g) {
    return TollgateTools.builder(g).user(ALICE).toolNames(n -> n.replaceFirst("_", ".")).build();
  }

  @Test
  void anAllowedCallRunsTheToolAndItsResultIsObserved() {
    model.call("invoices_search", "{\"vendor\":\"Globex\"}").answer("INV-4471 is open.");

    String answer = assistant(gated(gate)).chat("c-1", "What does Globex owe us?");

    assertThat(answer).isEqualTo("INV-4471 is open.");
    assertThat(tools.ran).containsExactly("invoices_search Globex");
    assertThat(model.result("call-1").text()).isEqualTo(InvoiceTools.INVOICE);
    Decision d = gate.decisions.getFirst();
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(gate.actions.getFirst().tool()).isEqualTo("invoices.search");
    assertThat(gate.observed)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.tool()).isEqualTo("invoices.search");
              assertThat(o.decision()).isEqualTo(d.id());
              assertThat(o.result()).isEqualTo(InvoiceTools.INVOICE);
            });
  }

  @Test
  void aDeniedCallNeverReachesTheToolAndTheModelReadsWhy() {
    model
        .call("email_send", "{\"to\":[\"sales@initech.example\"],\"body\":\"hello\"}")
        .answer("I cannot mail Initech.");

    assistant(gated(gate)).chat("c-1", "Mail Initech our price list");

    assertThat(tools.ran).isEmpty();
    Decision d = gate.decisions.getFirst();
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    ToolExecutionResultMessage read = model.result("call-1");
    assertThat(read.isError()).isTrue();
    assertThat(read.text())
        .isEqualTo(
            "Tollgate denied this call to email_send: mail to a competitor"
                + " (no-mail-to-competitors). The call did not reach the tool; change course rather"
                + " than retry it. (decision "
                + d.id()
                + ")");
    assertThat(gate.observed).isEmpty();
  }

  @Test
  void dataAToolResultCarriedIntoAMailIsCaughtByFlow() {
    model
        .call("invoices_search", "{\"vendor\":\"Globex\"}")
        .call("email_send", FINANCIAL_MAIL)
        .answer("A person must approve the mail.");

    assistant(gated(gate)).chat("c-1", "Tell Globex we need the W-9");

    assertThat(tools.ran).containsExactly("invoices_search Globex");
    Decision asked = gate.decisions.get(1);
    assertThat(asked.effect()).isEqualTo(Effect.ASK);
    assertThat(asked.policies()).containsExactly("financial-data-leaving");
    assertThat(model.result("call-2").text())
        .startsWith("Tollgate holds this call to email_send for a person's approval")
        .contains("Approval " + asked.approval().id())
        .endsWith("(decision " + asked.id() + ")");
  }

  @Test
  void theSameMailWithoutTheLookupIsAllowed() {
    model
        .call("email_send", "{\"to\":[\"ap@globex.example\"],\"body\":\"Please send the W-9.\"}")
        .answer("Sent.");

    assistant(gated(gate)).chat("c-1", "Tell Globex we need the W-9");

    assertThat(tools.ran).containsExactly("email_send [ap@globex.example]");
    assertThat(model.result("call-1").text()).isEqualTo("sent to 1 recipient(s)");
  }

  @Test
  void oneSessionPerMemoryIdOpenedWithTheUserMessage() {
    model
        .call("invoices_search", "{\"vendor\":\"Globex\"}")
        .answer("one")
        .call("invoices_search", "{\"vendor\":\"Initech\"}")
        .answer("two")
        .call("email_send", FINANCIAL_MAIL)
        .answer("three");
    Assistant assistant = assistant(gated(gate));

    assistant.chat("c-1", "What does Globex owe us?");
    assistant.chat("c-2", "What does Initech owe us?");
    // a later turn of c-1: same session, so what c-1 read is still caught
    assistant.chat("c-1", "Now mail it to them");

    assertThat(gate.opened)
        .extracting(SessionSpec::request)
        .containsExactly("What does Globex owe us?", "What does Initech owe us?");
    assertThat(gate.opened).extracting(SessionSpec::user).containsOnly(ALICE);
    List<String> sessions = gate.actions.stream().map(Action::session).toList();
    assertThat(sessions.get(0)).isNotEqualTo(sessions.get(1)).isEqualTo(sessions.get(2));
    assertThat(gate.decisions.get(2).effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void anyFailureOfTheGateRefusesTheCall() {
    Gate failing =
        new Gate() {
          @Override
          public String agent() {
            return "invoice-bot";
          }

          @Override
          public String openSession(SessionSpec spec) {
            return "s-1";
          }

          @Override
          public Decision decide(Action action) {
            throw new IllegalStateException("store down; args " + action.args());
          }

          @Override
          public ObservationResult observe(Observation observation) {
            throw new AssertionError("nothing ran, nothing to observe");
          }
        };
    model.call("email_send", FINANCIAL_MAIL).answer("The gate failed.");

    assistant(gated(failing)).chat("c-1", "Tell Globex");

    assertThat(tools.ran).isEmpty();
    assertThat(model.result("call-1").text())
        .isEqualTo(
            "Tollgate refused this call to email_send because the gate failed"
                + " (IllegalStateException). The call did not reach the tool.")
        .doesNotContain("INV-4471");
  }

  @Test
  void unreadableArgumentsAreRefusedWithoutRunningTheTool() {
    ToolExecutionResult r =
        gated(gate)
            .tools(tools)
            .getFirst()
            .toolExecutor()
            .executeWithContext(
                dev.langchain4j.agent.tool.ToolExecutionRequest.builder()
                    .id("x")
                    .name("invoices_search")
                    .arguments("[\"not an object\"]")
                    .build(),
                dev.langchain4j.invocation.InvocationContext.builder().chatMemoryId("c").build());
    assertThat(r.isError()).isTrue();
    assertThat(r.resultText()).contains("could not read the arguments");
    assertThat(tools.ran).isEmpty();
    assertThat(gate.decisions).isEmpty();
  }

  @Test
  void aToolProvidersToolsAreGatedToo() {
    AtomicInteger ran = new AtomicInteger();
    ToolProvider provider =
        request ->
            ToolProviderResult.builder()
                .add(
                    ToolSpecification.builder()
                        .name("email_send")
                        .parameters(JsonObjectSchema.builder().build())
                        .build(),
                    (call, memoryId) -> {
                      ran.incrementAndGet();
                      return "sent";
                    })
                .build();
    model
        .call("email_send", "{\"to\":[\"sales@initech.example\"]}")
        .call("email_send", "{\"to\":[\"ap@globex.example\"]}")
        .answer("done");
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .chatModel(model)
            .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(50))
            .toolProvider(gated(gate).provider(provider))
            .build();

    assistant.chat("c-1", "Mail Initech, then Globex");

    assertThat(ran).hasValue(1);
    assertThat(model.result("call-1").text()).startsWith("Tollgate denied this call to email_send");
    assertThat(model.result("call-2").text()).isEqualTo("sent");
    assertThat(gate.decisions)
        .extracting(Decision::effect)
        .containsExactly(Effect.DENY, Effect.ALLOW);
    assertThat(gate.opened)
        .extracting(SessionSpec::request)
        .containsExactly("Mail Initech, then Globex");
  }
}
