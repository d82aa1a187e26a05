package dev.tollgate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.engine.Bundle;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration in a real application context: it wraps the application's tool beans,
 * reads {@code tollgate.*} for the engine in process and for a real sidecar (a server on a real
 * SQLite store, where a person approves an asked call over its HTTP API), and refuses to start on a
 * configuration that would leave a tool ungated.
 */
class TollgateAutoConfigurationTest {
  static final Path INVOICE_EXAMPLE = Path.of("..", "examples", "invoice-vendor-mail");

  @TempDir static Path data;
  static JdbcStore store;
  static TollgateServer server;

  /** Approvals the sidecar opened, as a person's inbox shows them. */
  static final java.util.concurrent.BlockingQueue<String> OPENED =
      new java.util.concurrent.LinkedBlockingQueue<>();

  static String token;
  static String admin;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(TollgateAutoConfiguration.class))
          .withUserConfiguration(AgentConfig.class);

  @BeforeAll
  static void startSidecar() throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(data));
    token = Tokens.newToken();
    admin = Tokens.newToken();
    store.credentials().add("invoice-bot", Tokens.hash(token), Instant.now());
    store.credentials().add(TollgateServer.ADMIN_PREFIX, Tokens.hash(admin), Instant.now());
    server =
        TollgateServer.builder().port(0).store(store).bundle(Bundle.load(INVOICE_EXAMPLE)).start();
    server
        .engine()
        .approvals()
        .subscribe(
            e -> {
              if (e.type() == dev.tollgate.engine.Approvals.Event.Type.APPROVAL_OPENED) {
                OPENED.add(e.approval().id());
              }
            });
  }

  @AfterAll
  static void stopSidecar() {
    server.close();
    store.close();
  }

  /** An application's tools, a provider and a chat client builder on a scripted model. */
  @Configuration(proxyBeanMethods = false)
  static class AgentConfig {
    @Bean
    Tool lookup() {
      return new Tool("vendors.lookup", "Globex, ap@globex.example");
    }

    @Bean
    Tool fetch() {
      return new Tool("web.fetch", "<html>");
    }

    @Bean
    ToolCallbackProvider mailTools() {
      return ToolCallbackProvider.from(new Tool("email.send", "sent"));
    }

    @Bean
    Script script() {
      return new Script();
    }

    @Bean
    ChatClient.Builder chatClientBuilder(Script script) {
      return ChatClient.builder(script);
    }
  }

  @Test
  void embeddedToolBeansAreGatedByThePolicies() {
    runner
        .withPropertyValues("tollgate.agent=invoice-bot", "tollgate.policies=" + INVOICE_EXAMPLE)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              ToolCallback lookup = context.getBean("lookup", ToolCallback.class);
              ToolCallback fetch = context.getBean("fetch", ToolCallback.class);
              assertThat(lookup.call("{\"name\":\"Globex\"}"))
                  .isEqualTo("Globex, ap@globex.example");
              assertThat(fetch.call("{\"url\":\"https://example.com\"}"))
                  .startsWith("Tollgate denied this call to web.fetch: ")
                  .contains("(decision dec_");
              ToolCallback mail = context.getBean(ToolCallbackProvider.class).getToolCallbacks()[0];
              assertThat(
                      mail.call(
                          "{\"to\":[\"ap@globex.example\"],\"body\":\"IBAN DE89 3704 0044 0532 0130 00\"}"))
                  .startsWith("Tollgate holds this call to email.send for a person's approval");
              assertThat(context.getBean("fetch")).isNotInstanceOf(Tool.class);
            });
  }

  @Test
  void sidecarModeWaitsForAPersonWhoApprovesOverHttp() {
    runner
        .withPropertyValues(
            "tollgate.agent=invoice-bot",
            "tollgate.url=" + server.uri(),
            "tollgate.token=" + token,
            "tollgate.user=alice@acme.example",
            "tollgate.approval-wait=20s")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Script script = context.getBean(Script.class);
              script.calls.add(
                  new AssistantMessage.ToolCall(
                      "call-1",
                      "function",
                      "email.send",
                      "{\"to\":[\"ap@globex.example\"],\"body\":\"Invoice 4471 is overdue\"}"));
              ChatClient chat =
                  context
                      .getBean(ChatClient.Builder.class)
                      .defaultToolCallbacks(context.getBean(ToolCallbackProvider.class))
                      .build();
              ExecutorService person = Executors.newSingleThreadExecutor();
              try {
                Future<Integer> approved = person.submit(TollgateAutoConfigurationTest::approve);
                String answer =
                    chat.prompt().user("Tell Globex invoice 4471 is overdue").call().content();
                assertThat(approved.get()).isEqualTo(200);
                assertThat(answer).isEqualTo("sent");
              } finally {
                person.shutdownNow();
              }
              // the session was opened over HTTP for the configured user
              assertThat(server.engine().approvals().list(ApprovalStatus.APPROVED, 10))
                  .singleElement()
                  .satisfies(a -> assertThat(a.user()).isEqualTo("alice@acme.example"));
            });
  }

  /** A person approving the first pending approval through the sidecar's HTTP API. */
  static int approve() throws Exception {
    String id = OPENED.take();
    HttpRequest request =
        HttpRequest.newBuilder(server.uri().resolve("/v1/approvals/" + id + "/approve"))
            .header("Authorization", "Bearer " + admin)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"note\":\"fine\"}"))
            .timeout(Duration.ofSeconds(30))
            .build();
    return HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void aMissingPolicyDirectoryStopsTheApplication() {
    runner
        .withPropertyValues("tollgate.agent=invoice-bot", "tollgate.policies=no/such/bundle")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("`tollgate.policies` is ")
                    .hasMessageContaining("no/such/bundle, which is not a directory"));
  }

  @Test
  void aConfigurationThatNamesNoGateStopsTheApplication() {
    runner
        .withPropertyValues("tollgate.agent=invoice-bot")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "tollgate: set exactly one of `tollgate.policies` (a policy bundle"
                            + " directory, for the engine in process) and `tollgate.url` (the"
                            + " Tollgate sidecar); no tool runs ungated"));
    runner
        .withPropertyValues("tollgate.agent=invoice-bot", "tollgate.url=" + server.uri())
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("set `tollgate.token`"));
  }

  /** An application's tool that answers with a fixed text. */
  record Tool(String name, String answer) implements ToolCallback {
    @Override
    public ToolDefinition getToolDefinition() {
      return ToolDefinition.builder().name(name).description(name).inputSchema("{}").build();
    }

    @Override
    public String call(String toolInput) {
      return answer;
    }
  }

  /** A scripted chat model: asks for its tool calls in turn, then answers with what it was told. */
  static final class Script implements ChatModel {
    final List<AssistantMessage.ToolCall> calls = new ArrayList<>();

    @Override
    public ChatOptions getOptions() {
      return ToolCallingChatOptions.builder().build();
    }

    @Override
    public synchronized ChatResponse call(Prompt prompt) {
      if (!calls.isEmpty()) {
        AssistantMessage ask =
            AssistantMessage.builder().toolCalls(List.of(calls.removeFirst())).build();
        return new ChatResponse(List.of(new Generation(ask)));
      }
      String told =
          prompt.getInstructions().getLast() instanceof ToolResponseMessage r
              ? r.getResponses().getLast().responseData()
              : "";
      return new ChatResponse(
          List.of(new Generation(AssistantMessage.builder().content(told).build())));
    }
  }
}
