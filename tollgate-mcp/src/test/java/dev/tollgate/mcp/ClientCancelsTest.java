package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Effect;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.engine.Tollgate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that cancels a call in flight, by ending its MCP session over Streamable HTTP (DELETE)
 * or with the protocol's {@code notifications/cancelled} over HTTP and over stdio: the gateway
 * stops waiting for the server behind, the call is answered at once instead of when the server
 * would have answered, the server is not taken for crashed, and the call's decision is in the
 * audit.
 */
class ClientCancelsTest {
  private static final String TOKEN = "tg_cancel-test-token-of-the-desk-agent";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @org.junit.jupiter.params.ParameterizedTest(name = "the server behind over {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"stdio", "http"})
  void aClientThatEndsItsSessionCancelsItsCallInFlight(String upstream) throws Exception {
    if (upstream.equals("http")) {
      Path errors = dir.resolve("server-errors.log");
      try (Gateways.Listening remote =
          Gateways.listening(
              ProcessBuilder.Redirect.to(errors.toFile()), "everything-server.mjs", "--http")) {
        cancelled("    url: " + remote.url() + "\n");
        // over HTTP too the server is told (a dropped request is no cancellation in the spec)
        awaitText(() -> Files.readString(errors), "wait cancelled");
      }
    } else {
      cancelled(
          "    command: [node, \""
              + Path.of("src/test/node/everything-server.mjs").toAbsolutePath()
              + "\"]\n");
    }
  }

  private void cancelled(String server) throws Exception {
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
    try (Gateways.HttpGateway gateway =
        Gateways.httpGateway(dir, TOKEN, "  everything:\n" + server, log)) {
      Tollgate tollgate = gateway.tollgate();
      URI uri = gateway.uri();
      String session = open(uri);
      long started = System.nanoTime();
      CompletableFuture<HttpResponse<String>> call =
          HTTP.sendAsync(
              post(uri, session, call(2, "everything.wait", "{\"ms\":60000}")),
              HttpResponse.BodyHandlers.ofString());
      awaitDecisions(tollgate, 1);
      assertThat(call).as("the call is in flight").isNotDone();

      HttpResponse<String> ended =
          HTTP.send(request(uri, session).DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ended.statusCode()).isBetween(200, 299);
      call.handle((r, e) -> r).get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("answered when the session ended, not when the server would have")
          .isLessThan(Duration.ofSeconds(15));
      assertThat(logged.toString(StandardCharsets.UTF_8))
          .contains("ended its session: 1 call(s) in flight cancelled")
          .doesNotContain("stopped answering");
      if (server.contains("command:")) {
        // a server over stdio says what it was told on its standard error, the gateway's log
        awaitLogged(logged, "[everything] wait cancelled");
      }

      // the protocol's own cancellation of one call: the call stops waiting, the session goes on
      String next = open(uri);
      long again = System.nanoTime();
      CompletableFuture<HttpResponse<String>> second =
          HTTP.sendAsync(
              post(uri, next, call(7, "everything.wait", "{\"ms\":60000}")),
              HttpResponse.BodyHandlers.ofString());
      awaitDecisions(tollgate, 2);
      assertThat(second).as("the second call is in flight").isNotDone();
      cancel(uri, next, "{\"requestId\":7,\"reason\":\"the user gave up\"}");
      assertThat(second.get(10, TimeUnit.SECONDS).body())
          .contains("The client cancelled this call to everything.wait");
      assertThat(Duration.ofNanos(System.nanoTime() - again)).isLessThan(Duration.ofSeconds(15));

      sameServerAnswers(uri, next, 3, logged);

      assertThat(waitDecisions(tollgate))
          .as("every call's decision, the cancelled ones' too")
          .isEqualTo(3);
    }
  }

  /**
   * A client over HTTP that goes away without a word (it crashed, its network dropped): its
   * connection closes while the call waits for the server behind, and the call is cancelled there
   * too, instead of running on for a client that is gone.
   */
  @Test
  void aClientWhoseConnectionDropsCancelsItsCall() throws Exception {
    Duration every = Heartbeat.every;
    Heartbeat.every = Duration.ofMillis(100);
    try {
      dropped();
    } finally {
      Heartbeat.every = every;
    }
  }

  private void dropped() throws Exception {
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
    try (Gateways.HttpGateway gateway = everythingGateway(log)) {
      URI uri = gateway.uri();
      String session = open(uri);
      byte[] body = call(5, "everything.wait", "{\"ms\":60000}").getBytes(StandardCharsets.UTF_8);
      try (java.net.Socket socket = rawPost(uri, session, body)) {
        awaitDecisions(gateway.tollgate(), 1);
        awaitLogged(logged, "[everything] wait started: 60000 ms");
      }
      awaitLogged(logged, "broke: the call is cancelled");
      awaitLogged(logged, "[everything] wait cancelled");
      assertThat(logged.toString(StandardCharsets.UTF_8)).doesNotContain("stopped answering");

      // the gateway goes on serving the same session
      sameServerAnswers(uri, session, 6, logged);
    }
  }

  /**
   * While a call runs, its stream carries a comment line at each beat, which clients read through:
   * the raw stream shows them before the answer, and the Java SDK's client gets its result.
   */
  @Test
  void aRunningCallsStreamCarriesHeartbeatsThatClientsReadThrough() throws Exception {
    Duration every = Heartbeat.every;
    Heartbeat.every = Duration.ofMillis(20);
    try (Gateways.HttpGateway gateway = everythingGateway(System.err)) {
      URI uri = gateway.uri();
      String session = open(uri);
      byte[] body = call(4, "everything.wait", "{\"ms\":400}").getBytes(StandardCharsets.UTF_8);
      String stream;
      try (java.net.Socket socket = rawPost(uri, session, body)) {
        socket.setSoTimeout(30_000);
        java.io.InputStream in = socket.getInputStream();
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[8192];
        while (!read.toString().contains("waited 400 ms")) {
          int n = in.read(buffer);
          assertThat(n).as("the stream ended before the answer: %s", read).isPositive();
          read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        stream = read.toString();
      }
      assertThat(stream).startsWith("HTTP/1.1 200").contains("text/event-stream");
      assertThat(stream.indexOf("\n:\n"))
          .as("a beat before the answer")
          .isPositive()
          .isLessThan(stream.indexOf("waited 400 ms"));

      try (io.modelcontextprotocol.client.McpSyncClient client =
          io.modelcontextprotocol.client.McpClient.sync(
                  io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
                      .builder("http://" + uri.getAuthority())
                      .endpoint(uri.getPath())
                      .httpRequestCustomizer(
                          (request, method, target, sent, context) ->
                              request.header("Authorization", "Bearer " + TOKEN))
                      .build())
              .build()) {
        client.initialize();
        var result =
            client.callTool(
                io.modelcontextprotocol.spec.McpSchema.CallToolRequest.builder("everything.wait")
                    .arguments(java.util.Map.of("ms", 300))
                    .build());
        assertThat(result.content().toString()).contains("waited 300 ms");
      }
    } finally {
      Heartbeat.every = every;
    }
  }

  /**
   * Two calls of one client in flight over stdio to the server behind; the client cancels one: the
   * server is told of that one (by the id the gateway's client gave it), and the other one answers.
   */
  @Test
  void cancellingOneOfTwoCallsLeavesTheOther() throws Exception {
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
    try (Gateways.HttpGateway gateway = everythingGateway(log)) {
      URI uri = gateway.uri();
      String session = open(uri);
      CompletableFuture<HttpResponse<String>> kept =
          HTTP.sendAsync(
              post(uri, session, call(8, "everything.wait", "{\"ms\":1500}")),
              HttpResponse.BodyHandlers.ofString());
      CompletableFuture<HttpResponse<String>> dropped =
          HTTP.sendAsync(
              post(uri, session, call(9, "everything.wait", "{\"ms\":60000}")),
              HttpResponse.BodyHandlers.ofString());
      awaitLogged(logged, "[everything] wait started: 60000 ms");
      awaitLogged(logged, "[everything] wait started: 1500 ms");
      cancel(uri, session, "{\"requestId\":9}");
      assertThat(dropped.get(30, TimeUnit.SECONDS).body())
          .contains("The client cancelled this call to everything.wait");
      awaitLogged(logged, "[everything] wait cancelled");
      assertThat(kept.get(30, TimeUnit.SECONDS).body()).contains("waited 1500 ms");
      assertThat(logged.toString(StandardCharsets.UTF_8).split("wait cancelled", -1))
          .as("one call cancelled at the server, the other left to answer")
          .hasSize(2);
    }
  }

  private Gateways.HttpGateway everythingGateway(PrintStream log) throws Exception {
    return Gateways.httpGateway(
        dir,
        TOKEN,
        "  everything:\n    command: [node, \""
            + Path.of("src/test/node/everything-server.mjs").toAbsolutePath()
            + "\"]\n",
        log);
  }

  @Test
  void aClientOnStdioCancelsOneCallAndTheSessionGoesOn() throws Exception {
    Path bundle = Gateways.openBundle(dir);
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: tester\nservers:\n  everything:\n    command: [node, \""
            + Path.of("src/test/node/everything-server.mjs").toAbsolutePath()
            + "\"]\n");
    Process gateway = new ProcessBuilder(Gateways.command(bundle, config)).start();
    java.util.concurrent.BlockingQueue<String> out = lines(gateway.getInputStream());
    // the gateway's log, where the server behind says when a call started
    java.util.concurrent.BlockingQueue<String> errors = lines(gateway.getErrorStream());
    try {
      java.io.OutputStream in = gateway.getOutputStream();
      send(
          in,
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
              + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
              + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
      assertThat(next(out)).contains("\"id\":1");
      send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      long started = System.nanoTime();
      send(in, call(2, "everything.wait", "{\"ms\":60000}"));
      String started60 = errors.poll(30, TimeUnit.SECONDS);
      while (started60 != null && !started60.contains("wait started: 60000 ms")) {
        started60 = errors.poll(30, TimeUnit.SECONDS);
      }
      assertThat(started60).as("the server behind started the call").isNotNull();
      assertThat(out).as("the call is in flight").isEmpty();
      send(
          in,
          "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
              + "\"params\":{\"requestId\":2}}");
      assertThat(next(out))
          .contains("\"id\":2")
          .contains("The client cancelled this call to everything.wait");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
      String stopped = errors.poll(30, TimeUnit.SECONDS);
      while (stopped != null && !stopped.contains("wait cancelled")) {
        stopped = errors.poll(30, TimeUnit.SECONDS);
      }
      assertThat(stopped)
          .as("the server behind was told of the cancellation, and stopped")
          .contains("[everything] wait cancelled");

      // the session goes on, with the same server behind
      send(in, call(3, "everything.wait", "{\"ms\":10}"));
      assertThat(next(out)).contains("\"id\":3").contains("waited 10 ms");
    } finally {
      gateway.destroyForcibly();
    }
  }

  /** Posts {@code body} on a connection of its own, the test's to read or to drop. */
  private static java.net.Socket rawPost(URI uri, String session, byte[] body) throws Exception {
    java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort());
    java.io.OutputStream out = socket.getOutputStream();
    out.write(
        ("POST "
                + uri.getPath()
                + " HTTP/1.1\r\nHost: "
                + uri.getAuthority()
                + "\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nAccept: application/json, text/event-stream\r\n"
                + "Content-Type: application/json\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                + "Mcp-Session-Id: "
                + session
                + "\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return socket;
  }

  /** The server behind is still the same one (not started again), and answers a call at once. */
  private static void sameServerAnswers(
      URI uri, String session, int id, ByteArrayOutputStream logged) throws Exception {
    HttpResponse<String> answered =
        HTTP.send(
            post(uri, session, call(id, "everything.wait", "{\"ms\":10}")),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answered.body()).contains("waited 10 ms");
    assertThat(logged.toString(StandardCharsets.UTF_8)).doesNotContain("was started again");
  }

  private static void awaitLogged(ByteArrayOutputStream logged, String text) throws Exception {
    awaitText(() -> logged.toString(StandardCharsets.UTF_8), text);
  }

  /** Waits up to 30 s for {@code text} to be written where {@code read} reads. */
  private static void awaitText(java.util.concurrent.Callable<String> read, String text)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!read.call().contains(text)) {
      assertThat(System.nanoTime()).as("within 30 s: %s", text).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** The lines of a process's stream as they come. */
  private static java.util.concurrent.BlockingQueue<String> lines(java.io.InputStream stream) {
    java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (java.io.BufferedReader r =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (Exception ignored) {
                // the process ended
              }
            });
    return lines;
  }

  /**
   * Waits until {@code n} calls of everything.wait were decided: each is then in flight (a call is
   * registered for cancellation before it is decided, and the server takes a minute to answer).
   */
  private static void awaitDecisions(Tollgate tollgate, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (waitDecisions(tollgate) < n) {
      assertThat(System.nanoTime()).as("%d calls decided within 30 s", n).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  private static int waitDecisions(Tollgate tollgate) {
    return tollgate
        .audit()
        .search(
            new AuditQuery(
                "desk",
                null,
                "everything.wait",
                Effect.ALLOW,
                AuditEntry.Kind.DECISION,
                null,
                null,
                null,
                0,
                10))
        .size();
  }

  private static void send(java.io.OutputStream in, String line) throws Exception {
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static String next(java.util.concurrent.BlockingQueue<String> out) throws Exception {
    String line = out.poll(30, TimeUnit.SECONDS);
    assertThat(line).as("an answer from the gateway").isNotNull();
    return line;
  }

  private static String open(URI uri) throws Exception {
    return Gateways.openSession(uri, TOKEN);
  }

  /** The client's {@code notifications/cancelled} of its call {@code requestId}. */
  private static void cancel(URI uri, String session, String params) throws Exception {
    HTTP.send(
        post(
            uri,
            session,
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":"
                + params
                + "}"),
        HttpResponse.BodyHandlers.discarding());
  }

  private static String call(int id, String tool, String arguments) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool
        + "\",\"arguments\":"
        + arguments
        + "}}";
  }

  private static HttpRequest post(URI uri, String session, String body) {
    return Gateways.post(uri, TOKEN, session, body);
  }

  private static HttpRequest.Builder request(URI uri, String session) {
    return Gateways.request(uri, TOKEN, session);
  }
}
