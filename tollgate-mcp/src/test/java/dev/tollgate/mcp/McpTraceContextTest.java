package dev.tollgate.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's trace context in a call's {@code _meta} ({@code traceparent}, as MCP reserves it): the
 * gateway decides the call in that trace, so that the decision's audit record names it, and a call
 * without one, or with a malformed one, is decided as before.
 */
class McpTraceContextTest {
  private static final String TOKEN = "tg_trace-test-token-of-the-desk-agent";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aCallIsDecidedInTheTraceItsMetaNames() throws Exception {
    try (Gateways.HttpGateway gateway =
        Gateways.httpGateway(
            dir,
            TOKEN,
            "  everything:\n    command: [node, \""
                + Path.of("src/test/node/everything-server.mjs").toAbsolutePath()
                + "\"]\n",
            new PrintStream(System.err, true))) {
      URI uri = gateway.uri();
      String session = open(uri);
      String trace = "4bf92f3577b34da6a3ce929d0e0e4736";

      String traced =
          decision(
              uri,
              session,
              2,
              ",\"_meta\":{\"traceparent\":\"00-"
                  + trace
                  + "-00f067aa0ba902b7-01\",\"tracestate\":\"vendor=1\"}");
      assertThat(detail(gateway, traced)).containsEntry("trace", trace);

      String untraced = decision(uri, session, 3, "");
      assertThat(detail(gateway, untraced)).doesNotContainKey("trace");

      String malformed = decision(uri, session, 4, ",\"_meta\":{\"traceparent\":\"not-a-trace\"}");
      assertThat(detail(gateway, malformed)).doesNotContainKey("trace");
    }
  }

  /** Calls everything.wait with {@code meta} in its params; the decision id the answer carries. */
  private static String decision(URI uri, String session, int id, String meta) throws Exception {
    HttpResponse<String> answer =
        HTTP.send(
            post(
                uri,
                session,
                "{\"jsonrpc\":\"2.0\",\"id\":"
                    + id
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"everything.wait\","
                    + "\"arguments\":{\"ms\":1}"
                    + meta
                    + "}}"),
            HttpResponse.BodyHandlers.ofString());
    String data =
        answer.body().lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
    JsonNode result = JSON.readTree(data.substring(6)).path("result");
    assertThat(result.toString()).contains("waited 1 ms");
    return result.path("_meta").path(McpGateway.DECISION_META).path("id").asText();
  }

  private static Map<String, Object> detail(Gateways.HttpGateway gateway, String decision) {
    List<AuditRecord> found = gateway.store().audit().search(AuditQuery.decision(decision));
    assertThat(found).hasSize(1);
    return found.getFirst().entry().detail();
  }

  private static String open(URI uri) throws Exception {
    return Gateways.openSession(uri, TOKEN);
  }

  private static HttpRequest post(URI uri, String session, String body) {
    return Gateways.post(uri, TOKEN, session, body);
  }
}
