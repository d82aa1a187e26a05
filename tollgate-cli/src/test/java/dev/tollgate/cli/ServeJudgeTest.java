package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.engine.Tollgate;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s judge options reach the engine: a policy that reads {@code judge} sees the answer
 * of the chat endpoint the options name, with the API key from the variable; without them there is
 * no judge, and half a configuration stops {@code serve}.
 */
class ServeJudgeTest {
  @TempDir Path dir;

  private HttpServer chat;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startChat() throws Exception {
    chat = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    chat.createContext(
        "/v1/chat/completions",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          authorizations.add(auth == null ? "" : auth);
          byte[] reply =
              ("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                      + "\"{\\\"fits\\\": false, \\\"reason\\\": \\\"not what was asked\\\"}\"}}]}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, reply.length);
          exchange.getResponseBody().write(reply);
          exchange.close();
        });
    chat.start();
  }

  @AfterEach
  void stopChat() {
    chat.stop(0);
  }

  private List<String> options(String... more) throws Exception {
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(policies.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
    Files.writeString(
        policies.resolve("judged.yaml"),
        """
        policies:
          - name: judge-says-no
            when: judge.opinion == "does-not-fit"
            effect: ask
            message: '"judge: " + judge.reason'
          - name: no-opinion
            when: judge.opinion == "none"
            effect: deny
            message: 'judge.reason'
        """);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--port",
                "0",
                "--data",
                dir.resolve("data").toString(),
                "--policies",
                policies.toString(),
                "--checkpoint-every",
                "1h"));
    args.addAll(List.of(more));
    return args;
  }

  private static Decision decide(Tollgate engine) {
    String session = engine.openSession("bot", SessionSpec.of("alice", "Send the report to Bob"));
    return engine.decide(
        "bot", Action.of(session, "alice", "email.send", Map.of("to", "bob@acme.example")));
  }

  /** A variable of this test's environment fit for a bearer token, as a container would set. */
  private static Map.Entry<String, String> someVariable() {
    return System.getenv().entrySet().stream()
        .filter(e -> e.getKey().matches("[A-Z_]+") && e.getValue().matches("[!-~]{4,200}"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no environment variable to read a key from"));
  }

  @Test
  void theOptionsTurnTheJudgeOn() throws Exception {
    Map.Entry<String, String> key = someVariable();
    String url = "http://127.0.0.1:" + chat.getAddress().getPort() + "/v1";
    Served s =
        Served.tryStart(
            options(
                "--judge-url",
                url,
                "--judge-model",
                "small-model",
                "--judge-timeout",
                "1s",
                "--judge-api-key-env",
                key.getKey()));
    assertNotNull(s.running(), s.err());
    try (ServeCommand.Running running = s.running()) {
      assertTrue(
          s.out()
              .contains(
                  "judge: small-model at "
                      + url
                      + " (timeout 1000 ms, API key from "
                      + key.getKey()
                      + ")"),
          s.out());
      assertFalse(s.out().contains(key.getValue()), "the key is never printed");

      Decision d = decide(running.server.engine());

      assertEquals(Effect.ASK, d.effect(), d.toString());
      assertEquals("judge: not what was asked", d.reasons().getFirst().message());
      assertEquals(List.of("Bearer " + key.getValue()), authorizations);
    }
  }

  @Test
  void withoutTheOptionsThereIsNoJudge() throws Exception {
    Served s = Served.tryStart(options("--judge-api-key-env", "TOLLGATE_TEST_UNSET_VARIABLE"));
    assertNotNull(s.running(), s.err());
    try (ServeCommand.Running running = s.running()) {
      assertFalse(s.out().contains("judge:"), s.out());

      Decision d = decide(running.server.engine());

      assertEquals(Effect.DENY, d.effect());
      assertEquals("no judge is configured", d.reasons().getFirst().message());
      assertTrue(authorizations.isEmpty());
    }
  }

  @Test
  void aUrlWithoutAModelStopsServe() throws Exception {
    Served s = Served.tryStart(options("--judge-url", "http://127.0.0.1:1/v1"));

    assertNull(s.running());
    assertTrue(s.err().contains("--judge-url") && s.err().contains("--judge-model"), s.err());
  }

  @Test
  void aUrlThatIsNotHttpStopsServe() throws Exception {
    Served s = Served.tryStart(options("--judge-url", "file:///tmp/judge", "--judge-model", "m"));

    assertNull(s.running());
    assertTrue(s.err().contains("invalid value `file:///tmp/judge` for --judge-url"), s.err());
  }
}
