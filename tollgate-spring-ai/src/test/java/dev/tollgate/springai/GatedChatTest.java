package dev.tollgate.springai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.engine.Approvals;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;

/**
 * A Spring AI agent built with the real {@link ChatClient}, whose tool-calling advisor and manager
 * run the gated tools; only the model is scripted. The engine is the real one, in process, with a
 * small shop bundle (src/test/resources/shop).
 */
class GatedChatTest {
  static final Path SHOP = Path.of("src", "test", "resources", "shop");
  static final String ORDER = "Order A-88231 for Globex: 4120.55 EUR, paid by card ending 4242.";

  private Tollgate engine;
  private final List<SessionSpec> opened = new CopyOnWriteArrayList<>();
  private final RecordingTool orders = new RecordingTool("orders.get", ORDER);
  private final RecordingTool mail = new RecordingTool("email.send", "sent");
  private final RecordingTool refunds = new RecordingTool("refunds.issue", "refunded");
  private final RecordingTool web = new RecordingTool("web.fetch", "<html>");

  @BeforeEach
  void start() throws Exception {
    engine = Tollgate.builder().bundle(Bundle.load(SHOP)).build();
  }

  /** The engine's gate, remembering the sessions it was asked to open. */
  private Gate gate() {
    Gate real = engine.gate("shop-bot");
    return new Gate() {
      @Override
      public String agent() {
        return real.agent();
      }

      @Override
      public String openSession(SessionSpec spec) {
        opened.add(spec);
        return real.openSession(spec);
      }

      @Override
      public Decision decide(Action action) {
        return real.decide(action);
      }

      @Override
      public ObservationResult observe(Observation observation) {
        return real.observe(observation);
      }
    };
  }

  private ChatClient agent(TollgateTools tollgate, ScriptedModel model) {
    return ChatClient.builder(model)
        .defaultAdvisors(tollgate.advisor())
        .defaultToolCallbacks(tollgate.wrap(orders, mail, refunds, web))
        .build();
  }

  private static String ask(ChatClient chat, String conversation, String user, String text) {
    return chat.prompt()
        .user(text)
        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversation))
        .toolContext(Map.of(TollgateTools.USER, user))
        .call()
        .content();
  }

  @Test
  void anAllowedCallRunsTheToolAndTheModelSeesItsResult() {
    ScriptedModel model = new ScriptedModel().then("orders.get", Map.of("order", "A-88231"));
    String answer =
        ask(
            agent(TollgateTools.builder(gate()).build(), model),
            "c-1",
            "alice",
            "Where is A-88231?");

    assertThat(orders.inputs()).containsExactly("{\"order\":\"A-88231\"}");
    assertThat(model.lastToolResponse()).isEqualTo(ORDER);
    assertThat(answer).isEqualTo(ORDER);
    // one session for the conversation, opened with the user's own words
    assertThat(opened).containsExactly(SessionSpec.of("alice", "Where is A-88231?"));
  }

  @Test
  void aDeniedCallNeverReachesTheToolAndTheModelIsToldWhy() {
    ScriptedModel model =
        new ScriptedModel()
            .then("refunds.issue", Map.of("order", "A-88231", "amount", 250))
            .then("web.fetch", Map.of("url", "https://example.com"));
    ask(agent(TollgateTools.builder(gate()).build(), model), "c-1", "alice", "Refund A-88231");

    assertThat(refunds.inputs()).isEmpty();
    assertThat(web.inputs()).isEmpty();
    assertThat(model.seen().get(0).responseData())
        .startsWith("Tollgate denied this call to refunds.issue: ")
        .contains("refunds over 100 EUR are for the finance team (refunds-over-limit)")
        .contains("The call did not reach the tool")
        .containsPattern("\\(decision dec_[0-9A-Z]{26}\\)$");
    // outside the agent's profile
    assertThat(model.seen().get(1).responseData())
        .startsWith("Tollgate denied this call to web.fetch: ")
        .contains("profile");
  }

  @Test
  void aResultIsObservedSoThatSendingItsDataLaterIsCaughtInThatConversationOnly() {
    Map<String, Object> leak =
        Map.of("to", List.of("ops@acme.example"), "body", "Order A-88231, 4120.55 EUR");
    ScriptedModel reads = new ScriptedModel().then("orders.get", Map.of("order", "A-88231"));
    ScriptedModel sends = new ScriptedModel().then("email.send", leak);
    ScriptedModel elsewhere = new ScriptedModel().then("email.send", leak);
    TollgateTools tollgate = TollgateTools.builder(gate()).build();

    ask(agent(tollgate, reads), "c-1", "alice", "Look up A-88231");
    ask(agent(tollgate, sends), "c-1", "alice", "Mail it to ops");
    ask(agent(tollgate, elsewhere), "c-2", "alice", "Mail ops about A-88231");

    assertThat(sends.lastToolResponse())
        .startsWith("Tollgate denied this call to email.send: ")
        .contains("(order-data-leaves)");
    // a conversation that never read the order may send the same words: they did not flow
    assertThat(elsewhere.lastToolResponse()).isEqualTo("sent");
    assertThat(mail.inputs()).hasSize(1);
    assertThat(opened)
        .containsExactly(
            SessionSpec.of("alice", "Look up A-88231"),
            SessionSpec.of("alice", "Mail ops about A-88231"));
  }

  @Test
  void anAskedCallRunsOnceAPersonApprovesIt() throws Exception {
    Map<String, Object> outside = Map.of("to", List.of("ap@globex.example"), "body", "W-9 please");
    ScriptedModel model = new ScriptedModel().then("email.send", outside);
    ApprovalWait inProcess = engine.approvals()::await;
    TollgateTools tollgate =
        TollgateTools.builder(gate()).approvals(inProcess, Duration.ofSeconds(20)).build();
    // the person acts when the approval is opened, as the console's inbox would show it
    java.util.concurrent.BlockingQueue<String> opened =
        new java.util.concurrent.LinkedBlockingQueue<>();
    engine
        .approvals()
        .subscribe(
            e -> {
              if (e.type() == Approvals.Event.Type.APPROVAL_OPENED) {
                opened.add(e.approval().id());
              }
            });
    ExecutorService person = Executors.newSingleThreadExecutor();
    try {
      Future<?> approved =
          person.submit(
              () -> {
                engine.approvals().approve(opened.take(), "erin", Approvals.Scope.exact(), null);
                return null;
              });
      ask(agent(tollgate, model), "c-1", "alice", "Ask Globex for their W-9");
      approved.get();
    } finally {
      person.shutdownNow();
    }
    assertThat(mail.inputs()).hasSize(1);
    assertThat(model.lastToolResponse()).isEqualTo("sent");
  }

  @Test
  void anAskedCallIsAnsweredWithItsApprovalIdWhenNoOneWaits() {
    Map<String, Object> outside = Map.of("to", List.of("ap@globex.example"), "body", "W-9 please");
    ScriptedModel model = new ScriptedModel().then("email.send", outside);
    ask(agent(TollgateTools.builder(gate()).build(), model), "c-1", "alice", "Ask Globex");

    assertThat(mail.inputs()).isEmpty();
    assertThat(model.lastToolResponse())
        .startsWith("Tollgate holds this call to email.send for a person's approval: ")
        .contains("mail to a•••@globex.example (mail-outside-asks)")
        .containsPattern("Approval apr_[0-9A-Z]{26} is waiting")
        .containsPattern("\\(decision dec_[0-9A-Z]{26}\\)$");
  }

  @Test
  void anyFailureOfTheGateKeepsTheToolFromRunning() {
    Gate broken =
        new Gate() {
          @Override
          public String agent() {
            return "shop-bot";
          }

          @Override
          public String openSession(SessionSpec spec) {
            return "s-1";
          }

          @Override
          public Decision decide(Action action) {
            throw new IllegalStateException("secret value 4111 1111 1111 1111");
          }

          @Override
          public ObservationResult observe(Observation observation) {
            throw new AssertionError("never observed");
          }
        };
    ToolCallback gated = TollgateTools.builder(broken).build().wrap(orders);
    String told = gated.call("{\"order\":\"A-1\"}");
    String unreadable = TollgateTools.builder(gate()).build().wrap(orders).call("[1, 2]");

    assertThat(orders.inputs()).isEmpty();
    assertThat(told)
        .isEqualTo(
            "Tollgate could not decide this call to orders.get (IllegalStateException), so it was"
                + " refused to fail closed. The call did not reach the tool.");
    assertThat(unreadable).startsWith("Tollgate could not decide this call to orders.get");
  }

  @Test
  void aResultThatCouldNotBeObservedIsWithheldFromTheModel() {
    Gate real = gate();
    Gate blind =
        new Gate() {
          @Override
          public String agent() {
            return real.agent();
          }

          @Override
          public String openSession(SessionSpec spec) {
            return real.openSession(spec);
          }

          @Override
          public Decision decide(Action action) {
            return real.decide(action);
          }

          @Override
          public ObservationResult observe(Observation observation) {
            throw new IllegalStateException("the sidecar is down");
          }
        };
    String told = TollgateTools.builder(blind).build().wrap(orders).call("{\"order\":\"A-1\"}");

    assertThat(orders.inputs()).hasSize(1);
    assertThat(told)
        .startsWith("The call to orders.get ran, but Tollgate could not record its result")
        .containsPattern("\\(decision dec_[0-9A-Z]{26}\\)$")
        .doesNotContain("Order");
  }

  @Test
  void aProviderHandsOutOnlyGatedCallbacksAndWrappingTwiceGatesOnce() {
    TollgateTools tollgate = TollgateTools.builder(gate()).build();
    ToolCallbackProvider provider = tollgate.wrap(ToolCallbackProvider.from(refunds));
    ToolCallback once = provider.getToolCallbacks()[0];

    assertThat(tollgate.wrap(once)).isSameAs(once);
    assertThat(tollgate.wrap(provider)).isSameAs(provider);
    assertThat(once.call("{\"order\":\"A-1\",\"amount\":500}")).startsWith("Tollgate denied");
    assertThat(refunds.inputs()).isEmpty();
  }
}
