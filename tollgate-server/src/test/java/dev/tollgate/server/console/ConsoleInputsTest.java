package dev.tollgate.server.console;

import static dev.tollgate.server.console.ConsoleHarness.csrf;
import static dev.tollgate.server.console.ConsoleHarness.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.RawHttp;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.BufferedReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed grant ids on revoke, and event streams that the browser drops. */
class ConsoleInputsTest {
  @TempDir Path data;
  private ConsoleHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new ConsoleHarness(StoreConfig.sqlite(data));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void revokingAMalformedOrUnknownGrantIs404OnBothSides() throws Exception {
    String cookie = h.signIn("admin-1");
    String token = csrf(h.get("/console/grants", cookie).body());
    for (String path : new String[] {"/console/grants/revoke", "/console/grants/grt_nope/revoke"}) {
      HttpResponse<String> r = h.post(path, cookie, form("csrf", token), Map.of());
      assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(404);
      assertThat(r.body()).as(path).contains("<html");
    }
    String admin = Tokens.newToken();
    h.store
        .credentials()
        .add(TollgateServer.ADMIN_PREFIX + ":ops", Tokens.hash(admin), Instant.now());
    for (String path : new String[] {"/v1/grants/revoke", "/v1/grants/grt_nope/revoke"}) {
      HttpResponse<String> r =
          h.http.send(
              HttpRequest.newBuilder(h.server.uri().resolve(path))
                  .header("Authorization", "Bearer " + admin)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(404);
      assertThat(r.body()).as(path).contains("\"error\"");
    }
  }

  @Test
  void aDroppedEventStreamIsANormalEndNotAnError() throws Exception {
    String cookie = h.signIn("approver-1");
    String admin = Tokens.newToken();
    h.store
        .credentials()
        .add(TollgateServer.ADMIN_PREFIX + ":ops", Tokens.hash(admin), Instant.now());
    long streaming;
    try (Socket socket = new Socket(h.server.uri().getHost(), h.server.uri().getPort())) {
      RawHttp.send(
          socket,
          "GET /console/events HTTP/1.1\r\nHost: localhost\r\nCookie: "
              + cookie
              + "\r\nAccept: text/event-stream\r\n\r\n");
      BufferedReader in = RawHttp.lines(socket);
      assertThat(in.readLine()).contains("200");
      String line;
      do {
        line = in.readLine();
      } while (line != null && !line.contains(": connected"));
      assertThat(line).as("the stream opened").isNotNull();
      streaming = openConnections(admin);
    }
    // Events after the drop are written into the closed connection, where the server notices and
    // closes it: publish until it has (the connection count falls), instead of sleeping and hoping.
    String session = h.session();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int i = 0;
    do {
      h.askToMail(session, "Invoice 4471 for Globex, try " + i++);
    } while (openConnections(admin) >= streaming && System.nanoTime() < deadline);
    assertThat(openConnections(admin))
        .as("the server closed the dropped stream's connection after %d events", i)
        .isLessThan(streaming);
    String metrics = metrics(admin);
    assertThat(metrics).doesNotContain("status=\"500\"");
    assertThat(metrics).doesNotContain("code=\"console\"");
  }

  private String metrics(String admin) throws Exception {
    return h.http
        .send(
            HttpRequest.newBuilder(h.server.uri().resolve("/metrics"))
                .header("Authorization", "Bearer " + admin)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static final Pattern CONNECTIONS =
      Pattern.compile("^tollgate_http_connections (\\d+)$", Pattern.MULTILINE);

  /** The server's open HTTP connections, as /metrics counts them (this scrape's included). */
  private long openConnections(String admin) throws Exception {
    String metrics = metrics(admin);
    Matcher m = CONNECTIONS.matcher(metrics);
    assertThat(m.find()).as(metrics).isTrue();
    return Long.parseLong(m.group(1));
  }
}
