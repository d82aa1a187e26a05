package dev.tollgate.server.console;

import static dev.tollgate.server.console.ConsoleHarness.csrf;
import static dev.tollgate.server.console.ConsoleHarness.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
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
    try (Socket socket = new Socket(h.server.uri().getHost(), h.server.uri().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /console/events HTTP/1.1\r\nHost: localhost\r\nCookie: "
                  + cookie
                  + "\r\nAccept: text/event-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).contains("200");
      String line;
      do {
        line = in.readLine();
      } while (line != null && !line.contains(": connected"));
      assertThat(line).as("the stream opened").isNotNull();
    }
    // Events after the drop are written into the closed connection, where the server notices.
    String session = h.session();
    for (int i = 0; i < 3; i++) {
      h.askToMail(session, "Invoice 4471 for Globex, try " + i);
      Thread.sleep(200);
    }
    String admin = Tokens.newToken();
    h.store
        .credentials()
        .add(TollgateServer.ADMIN_PREFIX + ":ops", Tokens.hash(admin), Instant.now());
    String metrics =
        h.http
            .send(
                HttpRequest.newBuilder(h.server.uri().resolve("/metrics"))
                    .header("Authorization", "Bearer " + admin)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics).doesNotContain("status=\"500\"");
    assertThat(metrics).doesNotContain("code=\"console\"");
  }
}
