package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that sends what is not JSON-RPC gets an error naming the problem for each such line, and
 * the session goes on (the SDK alone stops reading at the first bad line); a client that goes away
 * ends the gateway and its servers.
 */
class MalformedClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void badLinesAreAnsweredWithErrorsAndTheSessionGoesOnThenDisconnectingEndsTheGateway()
      throws Exception {
    Path bundle = Gateways.openBundle(dir);
    Path config = dir.resolve("mcp.yaml");
    Files.writeString(
        config,
        "agent: tester\nservers:\n  flaky:\n    command: [node, "
            + ServerCrashTest.FLAKY.toAbsolutePath()
            + "]\n");
    Process gateway =
        new ProcessBuilder(Gateways.command(bundle, config))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  out.add(line);
                }
              } catch (Exception ignored) {
                // the process ended
              }
            });
    try {
      OutputStream in = gateway.getOutputStream();
      send(
          in,
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
              + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
      assertThat(next(out).path("id").asInt()).isEqualTo(1);
      send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
      send(in, "{not json");
      JsonNode parse = next(out);
      assertThat(parse.path("error").path("code").asInt()).isEqualTo(-32700);
      assertThat(parse.path("id").isNull()).isTrue();
      assertThat(parse.path("error").path("message").asText()).contains("Parse error: not JSON");
      send(in, "{\"id\":7,\"foo\":1}");
      JsonNode invalid = next(out);
      assertThat(invalid.path("error").path("code").asInt()).isEqualTo(-32600);
      assertThat(invalid.path("id").asInt()).isEqualTo(7);
      assertThat(invalid.path("error").path("message").asText()).contains("`jsonrpc`");
      // JSON-RPC in shape, but an error that is not an object: the SDK's reader would stop here
      send(in, "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":\"x\"}");
      JsonNode unreadable = next(out);
      assertThat(unreadable.path("error").path("code").asInt()).isEqualTo(-32600);
      assertThat(unreadable.path("id").asInt()).isEqualTo(9);
      send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
      JsonNode tools = next(out);
      assertThat(tools.path("id").asInt()).isEqualTo(2);
      List<String> names = new ArrayList<>();
      tools.path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
      assertThat(names).contains("flaky.echo", "flaky.crash");
      in.close();
      assertThat(gateway.waitFor(20, TimeUnit.SECONDS))
          .as("the gateway ends when its client goes away")
          .isTrue();
    } finally {
      gateway.destroyForcibly();
    }
  }

  private static void send(OutputStream in, String line) throws Exception {
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static JsonNode next(BlockingQueue<String> out) throws Exception {
    String line = out.poll(30, TimeUnit.SECONDS);
    assertThat(line).as("an answer from the gateway").isNotNull();
    return JSON.readTree(line);
  }
}
