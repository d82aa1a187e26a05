package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s options for who reads {@code /metrics} and where, and for what a connection may
 * cost, reach the running server; wrong values stop {@code serve} with a message naming the option.
 */
class ServeMetricsAndLimitsTest {
  @TempDir Path data;

  /**
   * A variable of this test's own environment with a value fit for a bearer token: the token is
   * read from the variable {@code --metrics-token-env} names, as a container would set it.
   */
  private static Map.Entry<String, String> someVariable() {
    return System.getenv().entrySet().stream()
        .filter(e -> e.getKey().matches("[A-Z_]+") && e.getValue().matches("[!-~]{4,200}"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no environment variable to read a token from"));
  }

  @Test
  void theMetricsTokenFromTheEnvironmentAndASeparateListenerGuardMetrics() throws Exception {
    Map.Entry<String, String> variable = someVariable();
    String token = variable.getValue();
    Served s =
        Served.start(
            data, "--metrics-token-env", variable.getKey(), "--metrics-address", "127.0.0.1:0");
    try (ServeCommand.Running running = s.running()) {
      URI main = running.server.uri();
      URI side = running.server.metricsUri();
      assertNotNull(side, "the separate listener");
      assertNotEquals(main, side);
      assertTrue(
          s.out()
                  .contains(
                      "metrics: on the main port with the metrics token in " + variable.getKey())
              && s.out().contains("and on " + side),
          s.out());
      assertFalse(s.out().contains(token), "the token is never printed");

      HttpResponse<String> anonymous = Served.get(main, "/metrics", null);
      assertEquals(401, anonymous.statusCode());
      assertTrue(anonymous.body().contains("--metrics-token-env"), anonymous.body());
      int wrong = Served.get(main, "/metrics", token + "x").statusCode();
      assertTrue(wrong == 401 || wrong == 403, "a wrong token: " + wrong);
      HttpResponse<String> withToken = Served.get(main, "/metrics", token);
      assertEquals(200, withToken.statusCode(), withToken.body());
      assertTrue(withToken.body().contains("tollgate_"), withToken.body());

      assertEquals(401, Served.get(side, "/metrics", null).statusCode());
      assertEquals(200, Served.get(side, "/metrics", token).statusCode());
      assertEquals(200, Served.get(side, "/health", null).statusCode());
      assertEquals(200, Served.get(side, "/ready", null).statusCode());
      assertEquals(404, Served.get(side, "/v1/openapi.json", null).statusCode());
    }
  }

  @Test
  void metricsOpenServesMetricsWithoutAToken() throws Exception {
    Served s = Served.start(data, "--metrics-open");
    try (ServeCommand.Running running = s.running()) {
      assertTrue(s.out().contains("metrics: open to anyone on the main port"), s.out());
      assertEquals(200, Served.get(running.server.uri(), "/metrics", null).statusCode());
    }
  }

  /**
   * The header timeout given on the command line is the server's: a client that sends half a
   * request line is disconnected after about a second, not after the default ten.
   */
  @Test
  void theLimitsGivenReachTheServer() throws Exception {
    Served s =
        Served.start(
            data,
            "--header-timeout",
            "1s",
            "--idle-timeout",
            "PT5S",
            "--max-connections",
            "32",
            "--min-body-rate",
            "0",
            "--shutdown-grace",
            "500ms");
    try (ServeCommand.Running running = s.running();
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), running.server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long start = System.nanoTime();
      socket.setSoTimeout(8_000);
      InputStream in = socket.getInputStream();
      try {
        while (in.read() >= 0) {
          // an answer, if any: read on to the close
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("partial headers were held open past 8 s", e);
      } catch (IOException reset) {
        // a reset is a close too
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(
          took.compareTo(Duration.ofSeconds(5)) < 0,
          "closed after the 1 s header timeout: " + took);
      assertEquals(200, Served.get(running.server.uri(), "/health", null).statusCode());
    }
  }

  @Test
  void wrongValuesStopServeAndNameTheOption() {
    for (String[] bad :
        List.of(
            new String[] {"--header-timeout", "ten seconds"},
            new String[] {"--idle-timeout", "0s"},
            new String[] {"--shutdown-grace", "-PT5S"})) {
      CliTest.Run r = run(List.of(bad[0] + "=" + bad[1]));
      assertEquals(Exit.ERROR, r.code(), bad[0] + ": " + r.err());
      assertTrue(r.err().contains(bad[0]) && r.err().contains("duration"), r.err());
    }
    CliTest.Run cap = run(List.of("--max-connections", "none"));
    assertEquals(Exit.ERROR, cap.code());
    assertTrue(
        cap.err().contains("--max-connections") && cap.err().contains("TOLLGATE_MAX_CONNECTIONS"),
        cap.err());
    CliTest.Run address = run(List.of("--metrics-address", "9181"));
    assertEquals(Exit.ERROR, address.code());
    assertTrue(
        address.err().contains("--metrics-address") && address.err().contains("HOST:PORT"),
        address.err());
    CliTest.Run rate = run(List.of("--min-body-rate", "-1"));
    assertEquals(Exit.ERROR, rate.code());
    assertTrue(rate.err().contains("--min-body-rate"), rate.err());
  }

  private CliTest.Run run(List<String> more) {
    List<String> args = new ArrayList<>(List.of("serve"));
    args.addAll(Served.options(data, more.toArray(String[]::new)));
    return CliTest.run(args.toArray(String[]::new));
  }
}
