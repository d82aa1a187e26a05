package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New approvals are announced to a real HTTP endpoint with a Slack-compatible body; failures are
 * retried with backoff, and the decision never waits for the webhook.
 */
class WebhookTest {
  @TempDir Path data;

  @Test
  void anAskIsAnnouncedRetriedUntilDeliveredAndNeverDelaysTheDecision() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<String> bodies = new CopyOnWriteArrayList<>();
    CountDownLatch delivered = new CountDownLatch(1);
    CountDownLatch decisionAnswered = new CountDownLatch(1);
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/hook",
        exchange -> {
          try (exchange) {
            bodies.add(
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int n = attempts.incrementAndGet();
            if (n == 1) {
              // The first attempt hangs until the agent has its answer: the decision must not
              // wait for the webhook.
              decisionAnswered.await(20, TimeUnit.SECONDS);
            }
            exchange.sendResponseHeaders(n < 3 ? 500 : 200, -1);
            if (n >= 3) {
              delivered.countDown();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    hook.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    hook.start();
    String token = Tokens.newToken();
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      store.credentials().add("mail-bot", Tokens.hash(token), Instant.now());
      try (TollgateServer server =
          TollgateServer.builder()
              .port(0)
              .store(store)
              .bundle(Bundle.load(ApprovalsApiTest.BUNDLE))
              .webhook(URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"))
              .start()) {
        Decision asked =
            TollgateClient.connect(server.uri(), "mail-bot", token)
                .decide(
                    Action.of(
                        null,
                        "alice@acme.example",
                        "email.send",
                        Map.of("to", List.of("ap@globex.example"), "body", "hi")));
        decisionAnswered.countDown();
        assertEquals(Effect.ASK, asked.effect());
        assertTrue(delivered.await(30, TimeUnit.SECONDS), "delivered after retries");
        assertEquals(3, attempts.get());
        String text = ApiJson.readTree(bodies.getFirst()).path("text").asText();
        assertTrue(text.contains("mail-bot wants email.send"), text);
        assertTrue(text.contains("/console/approvals/" + asked.approval().id()), text);
        assertEquals(1, bodies.stream().distinct().count(), "every retry sends the same body");
      }
    } finally {
      hook.stop(0);
    }
  }
}
