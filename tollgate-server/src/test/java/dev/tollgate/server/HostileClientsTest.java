package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.server.http.HttpListener;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that hold connections without finishing requests, or open too many, cannot take the
 * server down: each limit of {@link HttpListener.Limits} is driven on a raw socket, and the server
 * keeps answering others. A stop lets requests in flight finish.
 */
class HostileClientsTest {
  @TempDir Path data;
  private JdbcStore store;
  private TollgateServer server;
  private String token;
  private final List<Socket> sockets = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private void start(HttpListener.Limits limits) throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(data));
    token = Tokens.newToken();
    store.credentials().add("invoice-bot", Tokens.hash(token), Instant.now());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .limits(limits)
            .bundle(Bundle.load(Path.of("..", "examples", "invoice-vendor-mail")))
            .start();
  }

  private static HttpListener.Limits limits(
      Duration header, Duration idle, long minRate, int maxConnections) {
    return new HttpListener.Limits(header, idle, minRate, maxConnections, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    sockets.add(s);
    return s;
  }

  /** Reads until the server closes the connection; the time it took. */
  private static Duration untilClosed(Socket s, Duration atMost) throws IOException {
    long start = System.nanoTime();
    s.setSoTimeout((int) atMost.toMillis());
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // the answer, if any: read on to the close
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server held the connection open for " + atMost, e);
    } catch (IOException reset) {
      // a reset is a close too
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** {@code GET /health}, sent again after a {@code 503 overloaded} as any client should. */
  private HttpResponse<String> health() throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(server.uri().resolve("/health"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 503 || System.nanoTime() > end) {
        return r;
      }
      System.out.println(
          "DEBUG connections: "
              + server
                  .metricsText()
                  .lines()
                  .filter(l -> l.startsWith("tollgate_http_connections"))
                  .toList());
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      Thread.sleep(250);
    }
  }

  @Test
  void headersDrippedSlowerThanTheHeaderTimeoutAreCut() throws Exception {
    start(limits(Duration.ofSeconds(1), Duration.ofSeconds(30), 1024, 1000));
    Socket s = connect();
    OutputStream out = RawHttp.send(s, "POST /v1/decide HTTP/1.1\r\nHost: x\r\n");
    // One header byte every 200 ms: each resets any idle timer, the header deadline still holds.
    CompletableFuture<Void> drip =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; i < 100; i++) {
                  out.write('X');
                  out.flush();
                  Thread.sleep(200);
                }
              } catch (IOException | InterruptedException closed) {
                // the server cut us off: what the test waits for
              }
            });
    Duration took = untilClosed(s, Duration.ofSeconds(10));
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    drip.cancel(true);
    assertEquals(200, health().statusCode());
  }

  @Test
  void aBodyDrippedBelowTheMinimumRateIsRefused() throws Exception {
    start(limits(Duration.ofSeconds(5), Duration.ofSeconds(30), 1024, 1000));
    Socket s = connect();
    OutputStream out =
        RawHttp.send(
            s,
            "POST /v1/decide HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + token
                + "\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{");
    CompletableFuture<Void> drip =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int i = 0; i < 200; i++) {
                  out.write(' ');
                  out.flush();
                  Thread.sleep(100);
                }
              } catch (IOException | InterruptedException closed) {
                // cut off
              }
            });
    String answer = readAnswer(s, Duration.ofSeconds(15));
    drip.cancel(true);
    // Either a 408 that says why, or the connection closed: never a decision after minutes.
    if (!answer.isEmpty()) {
      assertThat(answer).startsWith("HTTP/1.1 408");
      assertThat(answer).contains("\"code\":\"request_timeout\"");
    }
    assertEquals(200, health().statusCode());
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    start(limits(Duration.ofSeconds(10), Duration.ofSeconds(1), 1024, 1000));
    Socket silent = connect();
    assertThat(untilClosed(silent, Duration.ofSeconds(10))).isLessThan(Duration.ofSeconds(5));
    // and one kept alive after an answer
    Socket kept = connect();
    RawHttp.send(kept, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(untilClosed(kept, Duration.ofSeconds(10))).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void pastTheCapConnectionsAreRefusedWithAClearAnswerAndOthersGetIn() throws Exception {
    start(limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 1024, 20));
    for (int i = 0; i < 20; i++) {
      connect();
    }
    waitForConnections(20);
    Socket extra = connect();
    RawHttp.send(extra, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    String answer = readAnswer(extra, Duration.ofSeconds(10));
    assertThat(answer).startsWith("HTTP/1.1 503");
    assertThat(answer).contains("Retry-After").contains("\"code\":\"overloaded\"");
    for (Socket s : sockets) {
      s.close();
    }
    sockets.clear();
    waitForConnections(0);
    assertEquals(200, health().statusCode());
  }

  /**
   * Many more idle connections than the server will take (the outside test opened 1,100 under a
   * file limit of 1,024): once at the limit, idle ones are closed after a second, so that health
   * checks and decisions still get through within seconds.
   */
  @Test
  void aFloodOfIdleConnectionsDoesNotStopHealthChecksOrDecisions() throws Exception {
    start(limits(Duration.ofSeconds(10), Duration.ofSeconds(60), 1024, 50));
    for (int i = 0; i < 200; i++) {
      connect();
    }
    long start = System.nanoTime();
    assertEquals(200, health().statusCode());
    TollgateClient client =
        TollgateClient.connect(server.uri(), "invoice-bot", token)
            .withTimeout(Duration.ofSeconds(20));
    String session = client.openSession(SessionSpec.of("alice@acme.example", "find invoices"));
    Decision d =
        client.decide(Action.of(session, "alice@acme.example", "invoices.search", Map.of()));
    assertEquals(Effect.ALLOW, d.effect(), d.toString());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  /**
   * A stop does not cut requests in flight: a long-poll on an approval answers with the state it
   * has, and the connection is closed only after the answer.
   */
  @Test
  void aStopLetsRequestsInFlightFinish() throws Exception {
    start(limits(Duration.ofSeconds(10), Duration.ofSeconds(30), 1024, 1000));
    TollgateClient client = TollgateClient.connect(server.uri(), "invoice-bot", token);
    String session = client.openSession(SessionSpec.of("alice@acme.example", "mail the vendor"));
    Decision asked =
        client.decide(
            Action.of(
                session,
                "alice@acme.example",
                "email.send",
                Map.of("to", List.of("ap@globex.example"), "body", "Invoice 4471 is overdue")));
    assertEquals(Effect.ASK, asked.effect(), asked.toString());
    URI poll = server.uri().resolve("/v1/approvals/" + asked.approval().id() + "?wait=30s");
    CompletableFuture<HttpResponse<String>> waiting =
        http.sendAsync(
            HttpRequest.newBuilder(poll).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
    Thread.sleep(500);
    long start = System.nanoTime();
    server.close();
    HttpResponse<String> r = waiting.get();
    assertEquals(200, r.statusCode());
    JsonNode body = ApiJson.readTree(r.body());
    assertEquals("pending", body.path("status").asText());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    server = null;
  }

  @Test
  void headRequestsAreAnsweredWithoutABody() throws Exception {
    start(HttpListener.Limits.defaults());
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
  }

  private void waitForConnections(int n) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end) {
      String metrics = server.metricsText();
      if (metrics.contains("tollgate_http_connections " + n + "\n")) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the server never had " + n + " connections open");
  }

  private static String readAnswer(Socket s, Duration atMost) throws IOException {
    s.setSoTimeout((int) atMost.toMillis());
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    InputStream in = s.getInputStream();
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0 && text.contains("Content-Length: ")) {
          int length =
              Integer.parseInt(
                  text.substring(
                          text.indexOf("Content-Length: ") + 16,
                          text.indexOf("\r\n", text.indexOf("Content-Length: ")))
                      .strip());
          if (all.size() >= end + 4 + length) {
            break;
          }
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer within " + atMost, e);
    } catch (IOException reset) {
      // closed
    }
    return all.toString(StandardCharsets.UTF_8);
  }
}
