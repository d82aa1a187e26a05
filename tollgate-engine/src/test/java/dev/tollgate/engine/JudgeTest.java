package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.json.ApiJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The optional judge against a small local server that speaks the chat-completions API: what
 * reaches a policy, how it fails closed to no opinion, the cache, what is sent, and that nothing is
 * asked unless a policy reads {@code judge}.
 */
class JudgeTest {
  private static final String CATALOG =
      """
      tools:
        payments.transfer: {kind: send, external: true, control: [iban], does: "send money to a bank account"}
        notes.write: {kind: write}
      """;

  /** Asks when the judge says the action does not fit; shows the opinion in the message. */
  private static final String JUDGED =
      """
      policies:
        - name: judge-says-no
          when: judge.opinion == "does-not-fit"
          effect: ask
          message: '"judge: " + judge.reason'
        - name: judge-has-no-opinion
          when: judge.opinion == "none"
          effect: deny
          message: '"no opinion: " + judge.reason'
      """;

  private static final String NOT_JUDGED =
      """
      policies:
        - name: external-asks
          when: tool.external
          effect: ask
      """;

  private HttpServer server;
  private ExecutorService executor;
  private final AtomicInteger calls = new AtomicInteger();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String content = "{\"fits\": true, \"reason\": \"the user asked to pay\"}";
  private volatile long sleepMillis;
  private boolean stopped;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext(
        "/v1/chat/completions",
        exchange -> {
          calls.incrementAndGet();
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          authorizations.add(auth == null ? "" : auth);
          if (sleepMillis > 0) {
            try {
              Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          byte[] reply =
              ApiJson.writeUtf8(
                  Map.of(
                      "id",
                      "chatcmpl-1",
                      "object",
                      "chat.completion",
                      "choices",
                      List.of(
                          Map.of(
                              "index",
                              0,
                              "finish_reason",
                              "stop",
                              "message",
                              Map.of("role", "assistant", "content", content)))));
          try {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
          } catch (IOException e) {
            // the client gave up (a timeout test): nothing to answer
          } finally {
            exchange.close();
          }
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    if (!stopped) {
      server.stop(0);
    }
    executor.shutdownNow();
  }

  private URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
  }

  private Tollgate tollgate(String policies, JudgeConfig judge) {
    return Tollgate.builder()
        .bundle(Bundles.of("catalog.yaml", CATALOG, "policies.yaml", policies))
        .judge(judge)
        .build();
  }

  private Tollgate judged() {
    return tollgate(JUDGED, JudgeConfig.of(endpoint(), "judge-model"));
  }

  private static Decision transfer(Tollgate tollgate, String request, Map<String, Object> args) {
    String session = tollgate.openSession("bot", SessionSpec.of("alice", request));
    return tollgate.decide("bot", Action.of(session, "alice", "payments.transfer", args));
  }

  private static Decision transfer(Tollgate tollgate) {
    return transfer(
        tollgate,
        "Pay the Globex invoice",
        Map.of("iban", "GB33BUKB20201555555555", "amount", 120));
  }

  @Test
  void fitsLetsTheActionThrough() {
    Decision d = transfer(judged());

    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(calls).hasValue(1);
  }

  @Test
  void doesNotFitReachesThePolicyWithTheJudgesReason() {
    content = "{\"fits\": false, \"reason\": \"the user asked about a different vendor\"}";

    Decision d = transfer(judged());

    assertThat(d.effect()).isEqualTo(Effect.ASK);
    assertThat(d.reasons())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.policy()).isEqualTo("judge-says-no");
              assertThat(r.message()).isEqualTo("judge: the user asked about a different vendor");
            });
  }

  @Test
  void theRequestIsAChatCompletionWithTheModelTheToolAndWhatItDoes() {
    Tollgate tollgate =
        tollgate(JUDGED, JudgeConfig.of(endpoint(), "judge-model").withApiKey("sk-test-123"));

    transfer(tollgate);

    JsonNode body = read(bodies.getFirst());
    assertThat(body.path("model").asText()).isEqualTo("judge-model");
    assertThat(body.path("temperature").asInt()).isZero();
    assertThat(body.path("messages").path(0).path("role").asText()).isEqualTo("system");
    JsonNode user = read(body.path("messages").path(1).path("content").asText());
    assertThat(user.path("request").asText()).isEqualTo("Pay the Globex invoice");
    assertThat(user.path("tool").asText()).isEqualTo("payments.transfer");
    assertThat(user.path("toolDoes").asText()).isEqualTo("send money to a bank account");
    assertThat(user.path("args").path("amount").asInt()).isEqualTo(120);
    assertThat(authorizations).containsExactly("Bearer sk-test-123");
  }

  @Test
  void aSlowJudgeIsNoOpinion() {
    sleepMillis = 2_000;
    Tollgate tollgate =
        tollgate(JUDGED, JudgeConfig.of(endpoint(), "m").withTimeout(Duration.ofMillis(200)));

    long start = System.nanoTime();
    Decision d = transfer(tollgate);
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().policy()).isEqualTo("judge-has-no-opinion");
    assertThat(d.reasons().getFirst().message())
        .isEqualTo("no opinion: the judge did not answer within 200 ms");
    assertThat(tookMillis).isLessThan(1_500);
  }

  @Test
  void anHttpErrorIsNoOpinion() {
    status = 500;

    Decision d = transfer(judged());

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message())
        .isEqualTo("no opinion: the judge answered HTTP 500");
  }

  @Test
  void garbageIsNoOpinion() {
    for (String garbage :
        List.of(
            "I think it fits", "{\"fits\": \"yes\"}", "[true]", "{\"reason\": \"no verdict\"}")) {
      content = garbage;

      Decision d = transfer(judged());

      assertThat(d.effect()).as(garbage).isEqualTo(Effect.DENY);
      assertThat(d.reasons().getFirst().policy()).as(garbage).isEqualTo("judge-has-no-opinion");
    }
  }

  @Test
  void anAnswerInACodeFenceIsRead() {
    content = "```json\n{\"fits\": false, \"reason\": \"fenced\"}\n```";

    assertThat(transfer(judged()).effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void anUnreachableJudgeIsNoOpinion() {
    URI gone = endpoint();
    server.stop(0);
    stopped = true;

    Decision d = transfer(tollgate(JUDGED, JudgeConfig.of(gone, "m")));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message())
        .startsWith("no opinion: the judge could not be reached (");
  }

  @Test
  void theSameQuestionIsAskedOnce() {
    Tollgate tollgate = judged();

    Decision first = transfer(tollgate);
    Decision second = transfer(tollgate);

    assertThat(first.effect()).isEqualTo(Effect.ALLOW);
    assertThat(second.effect()).isEqualTo(Effect.ALLOW);
    assertThat(calls).hasValue(1);
  }

  @Test
  void aFailureIsNotCachedSoARecoveredJudgeIsAskedAgain() {
    Tollgate tollgate = judged();
    status = 500;
    assertThat(transfer(tollgate).effect()).isEqualTo(Effect.DENY);

    status = 200;
    assertThat(transfer(tollgate).effect()).isEqualTo(Effect.ALLOW);
    assertThat(calls).hasValue(2);
  }

  @Test
  void anotherActionIsAnotherQuestion() {
    Tollgate tollgate = judged();

    transfer(tollgate);
    transfer(tollgate, "Pay the Globex invoice", Map.of("iban", "GB33BUKB20201555555555"));

    assertThat(calls).hasValue(2);
  }

  @Test
  void flaggedValuesAreSentMasked() {
    Tollgate tollgate = judged();
    String iban = "DE89 3704 0044 0532 0130 00";
    String awsKey = "AKIAIOSFODNN7EXAMPLE";

    Decision d =
        transfer(
            tollgate,
            "Pay DE89370400440532013000 the usual amount",
            Map.of("iban", iban, "memo", "deploy key " + awsKey));

    assertThat(d.findings()).extracting(f -> f.label()).contains("financial", "secret");
    String sent = bodies.getFirst();
    assertThat(sent)
        .doesNotContain(awsKey)
        .doesNotContain(iban)
        .doesNotContain("DE89370400440532013000")
        .doesNotContain("0532");
    JsonNode user = read(read(sent).path("messages").path(1).path("content").asText());
    assertThat(user.path("args").path("iban").asText()).contains("\u2022");
    assertThat(user.path("args").path("memo").asText())
        .startsWith("deploy key ")
        .contains("\u2022");
    assertThat(user.path("request").asText()).startsWith("Pay ").doesNotContain("0532");
  }

  @Test
  void aBundleThatNeverReadsJudgeMakesNoCall() {
    Tollgate tollgate = tollgate(NOT_JUDGED, JudgeConfig.of(endpoint(), "m"));

    Decision d = transfer(tollgate);

    assertThat(d.effect()).isEqualTo(Effect.ASK);
    assertThat(calls).hasValue(0);
  }

  @Test
  void theBaselinePackNeverAsksTheJudge() throws BundleException {
    Tollgate tollgate =
        Tollgate.builder()
            .bundle(Bundle.load(java.nio.file.Path.of("..", "policies", "baseline")))
            .judge(JudgeConfig.of(endpoint(), "m"))
            .build();
    String session =
        tollgate.openSession("invoice-bot", SessionSpec.of("alice", "Pay the Globex invoice"));
    List<Action> actions =
        List.of(
            Action.of(session, "alice", "invoices.search", Map.of("vendor", "Globex")),
            Action.of(
                session,
                "alice",
                "payments.transfer",
                Map.of("iban", "DE89 3704 0044 0532 0130 00", "amount", 120)),
            Action.of(session, "alice", "email.send", Map.of("to", "x@evil.example", "body", "hi")),
            Action.of(session, "alice", "unknown.tool", Map.of("x", "y")));

    for (Action a : actions) {
      tollgate.decide("invoice-bot", a);
    }

    assertThat(calls).hasValue(0);
  }

  @Test
  void aPolicyThatDoesNotMatchTheToolMakesNoCall() {
    Tollgate tollgate =
        tollgate(
            """
            policies:
              - name: notes-judged
                match: {tools: ["notes.*"]}
                when: judge.opinion == "does-not-fit"
                effect: deny
            """,
            JudgeConfig.of(endpoint(), "m"));

    assertThat(transfer(tollgate).effect()).isEqualTo(Effect.ALLOW);
    assertThat(calls).hasValue(0);
  }

  @Test
  void withoutAJudgeThePolicySeesNoOpinionAndNothingIsAsked() {
    Decision d = transfer(tollgate(JUDGED, null));

    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message()).isEqualTo("no opinion: no judge is configured");
    assertThat(calls).hasValue(0);
  }

  @Test
  void twoPoliciesReadingJudgeAskOncePerDecision() {
    content = "{\"fits\": false, \"reason\": \"no\"}";
    Tollgate tollgate =
        tollgate(
            """
            policies:
              - name: a
                when: judge.opinion == "does-not-fit"
                effect: ask
              - name: b
                when: judge.opinion != "fits" && judge.reason == "no"
                effect: ask
            """,
            JudgeConfig.of(endpoint(), "m").withCacheSize(0));

    Decision d = transfer(tollgate);

    assertThat(d.reasons()).extracting(r -> r.policy()).containsExactly("a", "b");
    assertThat(calls).hasValue(1);
  }

  @Test
  void theConfigurationIsCheckedAndNeverShowsTheKey() {
    JudgeConfig config = JudgeConfig.of(endpoint(), "m").withApiKey("sk-secret-999");

    assertThat(config.toString()).doesNotContain("sk-secret-999").contains("apiKey=(set)");
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.cacheSize()).isEqualTo(1_000);
    assertThatThrownBy(() -> JudgeConfig.of(URI.create("file:///tmp/x"), "m"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JudgeConfig.of(endpoint(), " "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.withTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMisspeltFieldOfJudgeIsALoadError() {
    Problem p =
        Bundles.problem(
            """
        policies:
          - name: p
            when: judge.fit == "fits"
            effect: ask
        """);

    assertThat(p.message()).contains("undefined field `fit`");
  }

  private static JsonNode read(String json) {
    try {
      return ApiJson.readTree(json);
    } catch (dev.tollgate.json.InputException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
