package dev.tollgate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same agent against the real sidecar on its real SQLite store, through {@link TollgateClient}:
 * an asked call waits on the server's long poll while a person approves it over the admin API, then
 * runs on the approval's grant.
 */
class SidecarApprovalTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;
  JdbcStore store;
  TollgateServer server;
  String agentToken;
  String adminToken;
  final HttpClient http = HttpClient.newHttpClient();

  /** Approvals the sidecar opened, as a person's inbox shows them. */
  final java.util.concurrent.BlockingQueue<String> opened =
      new java.util.concurrent.LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(data));
    agentToken = Tokens.newToken();
    adminToken = Tokens.newToken();
    store.credentials().add("invoice-bot", Tokens.hash(agentToken), Instant.now());
    store
        .credentials()
        .add(TollgateServer.ADMIN_PREFIX + ":carol", Tokens.hash(adminToken), Instant.now());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .bundle(Bundle.load(Path.of("src/test/resources/bundle")))
            .start();
    server
        .engine()
        .approvals()
        .subscribe(
            e -> {
              if (e.type() == dev.tollgate.engine.Approvals.Event.Type.APPROVAL_OPENED) {
                opened.add(e.approval().id());
              }
            });
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  @Test
  void anAskedCallRunsOnceAPersonApprovesItThroughTheServer() throws Exception {
    RecordingGate gate =
        new RecordingGate(TollgateClient.connect(server.uri(), "invoice-bot", agentToken));
    TollgateTools gated =
        TollgateTools.builder(gate)
            .user("alice@acme.example")
            .toolNames(n -> n.replaceFirst("_", "."))
            .approvals(ApprovalWait.sidecar(server.uri(), agentToken), Duration.ofSeconds(20))
            .build();
    InvoiceTools tools = new InvoiceTools();
    ScriptedModel model =
        new ScriptedModel()
            .call("invoices_search", "{\"vendor\":\"Globex\"}")
            .call("email_send", AiServicesGateTest.FINANCIAL_MAIL)
            .answer("Sent after approval.");
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .chatModel(model)
            .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(50))
            .tools(gated.tools(tools))
            .build();
    CompletableFuture<String> approved = CompletableFuture.supplyAsync(this::approveFirstPending);

    String answer = assistant.chat("c-1", "Tell Globex we need the W-9");

    assertThat(answer).isEqualTo("Sent after approval.");
    String approval = approved.get(20, TimeUnit.SECONDS);
    assertThat(tools.ran)
        .containsExactly("invoices_search Globex", "email_send [ap@globex.example]");
    Decision asked = gate.decisions.get(1);
    Decision passed = gate.decisions.get(2);
    assertThat(asked.effect()).isEqualTo(Effect.ASK);
    assertThat(asked.approval().id()).isEqualTo(approval);
    assertThat(passed.effect()).isEqualTo(Effect.ALLOW);
    assertThat(passed.grant()).isNotNull();
    assertThat(model.result("call-2").text()).isEqualTo("sent to 1 recipient(s)");
    assertThat(model.result("call-2").attributes())
        .containsEntry(TollgateTools.DECISION_ATTRIBUTE, passed.id());
  }

  @Test
  void withoutAWaitTheModelReadsTheApprovalsId() {
    RecordingGate gate =
        new RecordingGate(TollgateClient.connect(server.uri(), "invoice-bot", agentToken));
    TollgateTools gated =
        TollgateTools.builder(gate)
            .user("alice@acme.example")
            .toolNames(n -> n.replaceFirst("_", "."))
            .build();
    InvoiceTools tools = new InvoiceTools();
    ScriptedModel model =
        new ScriptedModel()
            .call("invoices_search", "{\"vendor\":\"Globex\"}")
            .call("email_send", AiServicesGateTest.FINANCIAL_MAIL)
            .answer("Waiting for a person.");
    AiServices.builder(Assistant.class)
        .chatModel(model)
        .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(50))
        .tools(gated.tools(tools))
        .build()
        .chat("c-1", "Tell Globex we need the W-9");

    Decision asked = gate.decisions.get(1);
    assertThat(tools.ran).containsExactly("invoices_search Globex");
    assertThat(model.result("call-2").text())
        .contains("Approval " + asked.approval().id() + " is waiting")
        .endsWith("(decision " + asked.id() + ")");
  }

  /**
   * A person on the admin API: waits for the first pending approval, approves it, returns its id.
   */
  private String approveFirstPending() {
    try {
      String id = opened.poll(15, TimeUnit.SECONDS);
      if (id == null) {
        throw new AssertionError("no approval was opened");
      }
      HttpResponse<String> r =
          http.send(
              admin("/v1/approvals/" + id + "/approve")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"ok for Globex\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return id;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest.Builder admin(String path) {
    URI uri = server.uri().resolve(path);
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + adminToken);
  }
}
