package dev.tollgate.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.DecisionTracing;
import dev.tollgate.engine.Tollgate;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenTelemetryTracingTest {
  static final Path BUNDLE = Path.of("../examples/invoice-vendor-mail");
  static final String USER = "alice@acme.example";
  static final String SECRET_BODY = "Invoice 4471 is overdue; IBAN DE89370400440532013000";

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .build();

  @AfterEach
  void close() {
    otel.close();
  }

  private static Tollgate engine(DecisionTracing tracing) throws Exception {
    return Tollgate.builder().bundle(Bundle.load(BUNDLE)).tracing(tracing).build();
  }

  private static Decision mailVendor(Tollgate tollgate) {
    var gate = tollgate.gate("invoice-bot");
    String session =
        gate.openSession(SessionSpec.of(USER, "Notify the vendor we need tax documents"));
    return gate.decide(
        Action.of(
            session,
            USER,
            "email.send",
            Map.of("to", List.of("ap@globex.example"), "body", SECRET_BODY)));
  }

  private static Map<String, Object> detailOf(Tollgate tollgate, String decision) {
    List<AuditRecord> found = tollgate.audit().search(AuditQuery.decision(decision));
    assertThat(found).as("the decision's audit record").hasSize(1);
    return found.getFirst().entry().detail();
  }

  @Test
  void aDecisionIsASpanInTheCallersTraceAndItsAuditRecordNamesTheTrace() throws Exception {
    Tollgate tollgate = engine(OpenTelemetryTracing.of(otel));
    Span parent = otel.getTracer("agent").spanBuilder("agent step").startSpan();
    Decision d;
    try (Scope ignored = parent.makeCurrent()) {
      d = mailVendor(tollgate);
    } finally {
      parent.end();
    }
    assertThat(d.effect()).isEqualTo(Effect.ASK);

    SpanData span =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getName().equals(OpenTelemetryTracing.SPAN))
            .findFirst()
            .orElseThrow();
    assertThat(span.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(span.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
    assertThat(span.getAttributes().get(OpenTelemetryTracing.AGENT)).isEqualTo("invoice-bot");
    assertThat(span.getAttributes().get(OpenTelemetryTracing.TOOL)).isEqualTo("email.send");
    assertThat(span.getAttributes().get(OpenTelemetryTracing.EFFECT)).isEqualTo("ask");
    assertThat(span.getAttributes().get(OpenTelemetryTracing.POLICIES))
        .containsExactlyElementsOf(d.policies());
    // no argument value is an attribute
    assertThat(span.getAttributes().asMap().values().toString())
        .doesNotContain("globex")
        .doesNotContain("DE89")
        .doesNotContain("4471");

    // from the trace to the audit (by the span's decision id) and back (by the record's trace)
    String decision = span.getAttributes().get(OpenTelemetryTracing.DECISION);
    assertThat(decision).isEqualTo(d.id());
    assertThat(detailOf(tollgate, decision)).containsEntry("trace", span.getTraceId());
  }

  @Test
  void theGlobalInstanceIsTheOneInstalledEvenLaterAndNeverLockedToANoOp() throws Exception {
    io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
    try {
      Tollgate tollgate = engine(OpenTelemetryTracing.global());
      assertThat(detailOf(tollgate, mailVendor(tollgate).id())).doesNotContainKey("trace");
      // the application installs its SDK after the engine decided: allowed, and used from now on
      io.opentelemetry.api.GlobalOpenTelemetry.set(otel);
      Span parent = otel.getTracer("agent").spanBuilder("agent step").startSpan();
      Decision d;
      try (Scope ignored = parent.makeCurrent()) {
        d = mailVendor(tollgate);
      } finally {
        parent.end();
      }
      assertThat(detailOf(tollgate, d.id()))
          .containsEntry("trace", parent.getSpanContext().getTraceId());
      assertThat(spans.getFinishedSpanItems())
          .anySatisfy(s -> assertThat(s.getName()).isEqualTo(OpenTelemetryTracing.SPAN));
    } finally {
      io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
    }
  }

  @Test
  void withTheApiAloneTheCallersTraceparentStillReachesTheAudit() throws Exception {
    Tollgate tollgate = engine(OpenTelemetryTracing.of(OpenTelemetry.noop()));
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    Decision d =
        OpenTelemetryTracing.withTraceparent(
            "00-" + trace + "-00f067aa0ba902b7-01", null, () -> mailVendor(tollgate));
    assertThat(detailOf(tollgate, d.id())).containsEntry("trace", trace);
  }

  @Test
  void aMalformedOrMissingTraceparentIsNoParentAndTheDecisionStands() throws Exception {
    Tollgate tollgate = engine(OpenTelemetryTracing.of(OpenTelemetry.noop()));
    for (String header : new String[] {"not a traceparent", "00-zz-00-01", null}) {
      Decision d = OpenTelemetryTracing.withTraceparent(header, "x=y", () -> mailVendor(tollgate));
      assertThat(d.effect()).isEqualTo(Effect.ASK);
      assertThat(detailOf(tollgate, d.id())).doesNotContainKey("trace");
    }
  }

  @Test
  void tracingThatFailsNeverChangesADecision() throws Exception {
    Decision untraced = mailVendor(engine(DecisionTracing.NONE));
    DecisionTracing throwsOnStart =
        (agent, tool) -> {
          throw new IllegalStateException("exporter down");
        };
    DecisionTracing throwsOnEnd =
        (agent, tool) ->
            new DecisionTracing.Span() {
              @Override
              public String traceId() {
                return "0af7651916cd43dd8448eb211c80319c";
              }

              @Override
              public void end(Decision decision) {
                throw new IllegalStateException("exporter down");
              }
            };
    for (DecisionTracing failing : List.of(throwsOnStart, throwsOnEnd)) {
      Decision d = mailVendor(engine(failing));
      assertThat(d.effect()).isEqualTo(untraced.effect());
      assertThat(d.policies()).isEqualTo(untraced.policies());
    }
  }
}
