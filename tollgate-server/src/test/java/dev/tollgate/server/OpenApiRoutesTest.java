package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API document and the server agree, through the real server: every route the server serves
 * ({@link TollgateServer#ROUTES}, the only paths it routes) is in {@code /v1/openapi.json} with its
 * method, and every operation there is a route; each is answered by a handler (not 404 "no such
 * endpoint", not 405) with the method documented, and 405 with any other.
 */
class OpenApiRoutesTest {
  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");

  @TempDir Path data;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private JdbcStore store;
  private TollgateServer server;

  @BeforeEach
  void start() throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(data));
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .bundle(Bundle.load(Path.of("..", "examples", "invoice-vendor-mail")))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    HttpRequest.BodyPublisher body =
        method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : ofJson("{}");
    return http.send(
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .method(method, body)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.BodyPublisher ofJson(String json) {
    return HttpRequest.BodyPublishers.ofString(json);
  }

  /** The operations of the served document, as {@code METHOD /path}. */
  private Set<String> documented() throws Exception {
    HttpResponse<String> r = call("GET", "/v1/openapi.json");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode paths = ApiJson.readTree(r.body()).path("paths");
    Set<String> out = new TreeSet<>();
    for (Iterator<String> p = paths.fieldNames(); p.hasNext(); ) {
      String path = p.next();
      for (Iterator<String> m = paths.path(path).fieldNames(); m.hasNext(); ) {
        out.add(m.next().toUpperCase(Locale.ROOT) + " " + path);
      }
    }
    return out;
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws Exception {
    assertThat(documented()).isEqualTo(new TreeSet<>(TollgateServer.ROUTES));
  }

  @Test
  void everyDocumentedOperationReachesItsHandlerAndOtherMethodsAre405() throws Exception {
    for (String operation : documented()) {
      String method = operation.substring(0, operation.indexOf(' '));
      String path = operation.substring(operation.indexOf(' ') + 1).replace("{id}", "x1");
      HttpResponse<String> served = call(method, path);
      assertThat(served.statusCode()).as(operation + ": " + served.body()).isNotEqualTo(405);
      assertThat(served.body()).as(operation).doesNotContain("no such endpoint");
      for (String other : METHODS) {
        // a path may document several methods (GET and POST /v1/pauses): those are served
        if (!documented().contains(other + " " + operation.substring(operation.indexOf(' ') + 1))) {
          HttpResponse<String> refused = call(other, path);
          assertThat(refused.statusCode())
              .as(other + " " + path + ": " + refused.body())
              .isEqualTo(405);
        }
      }
    }
  }

  /** Paths beside the documented ones are no route: 404 before any handler or credential. */
  @Test
  void pathsThatAreNoRouteAre404() throws Exception {
    for (String path :
        List.of(
            "/v1/grants/x1",
            "/v1/grants/x1/revoke/again",
            "/v1/grants/x1/approve",
            "/v1/approvals/x1/revoke",
            "/v1/approvals/x1/approve/x2",
            "/v1/decisions",
            "/v1/admin",
            "/v1/admin/reload/now",
            "/v1/decide/",
            "/v2/decide")) {
      HttpResponse<String> r = call("POST", path);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(404);
      assertThat(r.body()).as(path).contains("no such endpoint");
      assertThat(TollgateServer.routed(path)).as(path).isFalse();
    }
    // Jetty answers an empty segment 400 itself; the route table would not match it either.
    assertThat(TollgateServer.routed("/v1//decide")).isFalse();
    assertThat(TollgateServer.routed("/v1/grants//revoke")).isFalse();
  }
}
