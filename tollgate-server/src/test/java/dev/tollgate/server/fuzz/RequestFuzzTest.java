package dev.tollgate.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import dev.tollgate.server.RawHttp;
import dev.tollgate.server.Tokens;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Fuzzes request parsing through a real server (in this JVM, on SQLite): fuzzed bodies, fuzzed
 * Content-Length and Content-Type headers, on every POST endpoint, sent on a raw socket so that any
 * bytes and header values get through. The answer is never a 5xx, and every 4xx is a JSON error
 * with a code and a message.
 *
 * <p>Runs its seeds on every build; the {@code fuzz-requests} surefire execution fuzzes it for a
 * bounded time (JAZZER_FUZZ=1).
 */
class RequestFuzzTest {
  private static final List<String> PATHS =
      List.of("/v1/decide", "/v1/sessions", "/v1/observe", "/v1/noop");
  private static final List<String> TYPES =
      List.of("application/json", "application/json; charset=utf-8", "text/plain", "");
  private static final String TOKEN = Tokens.newToken();
  private static final TollgateServer SERVER = start();

  private static TollgateServer start() {
    try {
      Path data = Files.createTempDirectory("tollgate-fuzz");
      JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data));
      store.credentials().add("invoice-bot", Tokens.hash(TOKEN), Instant.now());
      return TollgateServer.builder()
          .port(0)
          .store(store)
          .bundle(Bundle.load(Path.of("..", "examples", "invoice-vendor-mail")))
          .maxBodyBytes(16 * 1024)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (BundleException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Printable ASCII only: header values with line breaks are another request, not a value. */
  private static String headerValue(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      }
    }
    return b.toString().strip();
  }

  @FuzzTest(maxDuration = "20s")
  void requests(FuzzedDataProvider in) throws IOException {
    String path = in.pickValue(PATHS);
    int typeChoice = in.consumeInt(0, TYPES.size());
    String type =
        typeChoice < TYPES.size() ? TYPES.get(typeChoice) : headerValue(in.consumeString(40));
    int lengthChoice = in.consumeInt(0, 3);
    long declared = in.consumeLong(-2, 40_000);
    boolean authenticated = in.consumeBoolean();
    byte[] body = in.consumeRemainingAsBytes();

    StringBuilder head = new StringBuilder();
    head.append("POST ").append(path).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\n");
    head.append("Connection: close\r\n");
    if (authenticated) {
      head.append("Authorization: Bearer ").append(TOKEN).append("\r\n");
    }
    if (!type.isEmpty()) {
      head.append("Content-Type: ").append(type).append("\r\n");
    }
    // 0: the true length; 1: a fuzzed number; 2: no header (the body ends with the connection);
    // 3: the true length, padded with zeros.
    boolean framed = lengthChoice == 0 || lengthChoice == 3 || declared == body.length;
    switch (lengthChoice) {
      case 0 -> head.append("Content-Length: ").append(body.length).append("\r\n");
      case 1 -> head.append("Content-Length: ").append(declared).append("\r\n");
      case 3 -> head.append("Content-Length: 00").append(body.length).append("\r\n");
      default -> {}
    }
    head.append("\r\n");

    String answer;
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), SERVER.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = RawHttp.send(s, head.toString());
      if (lengthChoice != 2) {
        out.write(body);
        out.flush();
      }
      s.shutdownOutput();
      answer = readAll(s.getInputStream());
    }
    String request =
        path
            + " type=`"
            + type
            + "` length="
            + lengthChoice
            + "/"
            + declared
            + " body="
            + body.length
            + "B";
    if (answer.isEmpty()) {
      // A connection whose body is shorter than its Content-Length, or that has no length at
      // all, may be dropped: no answer, but no crash either. A well-framed request must always
      // be answered.
      if (framed && lengthChoice != 2) {
        throw new AssertionError("no answer to a well-framed request: " + request);
      }
      return;
    }
    int status = Integer.parseInt(answer.substring(9, 12));
    if (status >= 500) {
      throw new AssertionError("a " + status + " for " + request + "\n" + answer);
    }
    if (status >= 400) {
      int start = answer.indexOf("\r\n\r\n");
      JsonNode error;
      try {
        error = ApiJson.readTree(answer.substring(start + 4)).path("error");
      } catch (InputException | RuntimeException e) {
        throw new AssertionError("a " + status + " without a JSON error: " + answer, e);
      }
      if (!error.path("code").isTextual()
          || error.path("code").asText().isEmpty()
          || !error.path("message").isTextual()
          || error.path("message").asText().isEmpty()) {
        throw new AssertionError("a " + status + " without code and message: " + answer);
      }
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      // reset after the answer: keep what came
    }
    return all.toString(StandardCharsets.UTF_8);
  }
}
