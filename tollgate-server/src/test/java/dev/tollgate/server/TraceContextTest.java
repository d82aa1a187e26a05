package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.opentelemetry.OpenTelemetryTracing;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller's trace through the sidecar: the Java client carries the current trace context, the
 * server makes the decision a span of that trace, and the decision's audit record names the trace
 * (so an auditor goes from the span's decision id to the record and from the record's trace id to
 * the trace). A caller in any language that sends {@code traceparent} gets the same.
 */
class TraceContextTest {
  @TempDir Path dir;
  final InMemorySpanExporter serverSpans = InMemorySpanExporter.create();
  final OpenTelemetrySdk serverOtel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(serverSpans))
                  .build())
          .build();
  final OpenTelemetrySdk agentOtel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create()))
                  .build())
          .build();
  JdbcStore store;
  TollgateServer server;
  String token;

  @BeforeEach
  void start() throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(dir));
    token = Tokens.newToken();
    store.credentials().add(ServerFixture.AGENT, Tokens.hash(token), Instant.now());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .bundle(Bundle.load(ServerFixture.INVOICE_EXAMPLE))
            .tracing(OpenTelemetryTracing.of(serverOtel))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
    serverOtel.close();
    agentOtel.close();
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  private Map<String, Object> auditDetail(String decision) {
    List<AuditRecord> found = store.audit().search(AuditQuery.decision(decision));
    assertThat(found).hasSize(1);
    return found.getFirst().entry().detail();
  }

  @Test
  void theClientCarriesTheAgentsTraceAndTheDecisionIsASpanOfIt() {
    TollgateClient client = TollgateClient.connect(base(), ServerFixture.AGENT, token);
    String session = client.openSession(SessionSpec.of("alice@acme.example", "Pay the invoice"));
    Span step = agentOtel.getTracer("agent").spanBuilder("tool call").startSpan();
    Decision d;
    try (Scope ignored = step.makeCurrent()) {
      d =
          client.decide(
              Action.of(
                  session,
                  "alice@acme.example",
                  "email.send",
                  Map.of("to", List.of("ap@globex.example"), "body", "Invoice 4471 is overdue")));
    } finally {
      step.end();
    }
    SpanData span =
        serverSpans.getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals(OpenTelemetryTracing.SPAN))
            .findFirst()
            .orElseThrow();
    String trace = step.getSpanContext().getTraceId();
    assertThat(span.getTraceId()).isEqualTo(trace);
    assertThat(span.getParentSpanId()).isEqualTo(step.getSpanContext().getSpanId());
    assertThat(span.getAttributes().asMap().values().toString())
        .contains(d.id())
        .doesNotContain("globex");
    assertThat(auditDetail(d.id())).containsEntry("trace", trace);
  }

  @Test
  void anyCallerThatSendsTraceparentGetsItsTraceInTheAudit() throws Exception {
    String trace = "0af7651916cd43dd8448eb211c80319c";
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(base().resolve("/v1/decide"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .header("traceparent", "00-" + trace + "-b7ad6b7169203331-01")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"tool\":\"email.send\",\"args\":{\"to\":[\"ap@globex.example\"]}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    String id = r.body().replaceAll(".*\"id\":\"(dec_[^\"]+)\".*", "$1");
    assertThat(auditDetail(id)).containsEntry("trace", trace);
    assertThat(serverSpans.getFinishedSpanItems())
        .anySatisfy(s -> assertThat(s.getTraceId()).isEqualTo(trace));
  }
}
