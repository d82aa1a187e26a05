package dev.tollgate.opentelemetry;

import dev.tollgate.api.Decision;
import dev.tollgate.engine.DecisionTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Each decision as an OpenTelemetry span named {@value #SPAN}, a child of the current context: its
 * attributes are the agent, the tool, the effect, the policies that decided and the decision id,
 * never an argument value. Give it to {@code Tollgate.builder().tracing(...)}.
 *
 * <p>With the OpenTelemetry API alone (no SDK, no agent) no span is recorded, but a caller's trace
 * still reaches the audit: the decision inside a {@link #withTraceparent} call records the caller's
 * trace id.
 */
public final class OpenTelemetryTracing implements DecisionTracing {
  /** The span's name. */
  public static final String SPAN = "tollgate.decide";

  static final AttributeKey<String> AGENT = AttributeKey.stringKey("tollgate.agent");
  static final AttributeKey<String> TOOL = AttributeKey.stringKey("tollgate.tool");
  static final AttributeKey<String> EFFECT = AttributeKey.stringKey("tollgate.effect");
  static final AttributeKey<String> DECISION = AttributeKey.stringKey("tollgate.decision.id");
  static final AttributeKey<List<String>> POLICIES =
      AttributeKey.stringArrayKey("tollgate.policies");

  private static final TextMapGetter<String[]> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String[] carrier) {
          return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(String[] carrier, String key) {
          if (carrier == null) {
            return null;
          }
          return switch (key) {
            case "traceparent" -> carrier[0];
            case "tracestate" -> carrier[1];
            default -> null;
          };
        }
      };

  private final Tracer tracer;

  private OpenTelemetryTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Spans through {@code openTelemetry}'s tracer provider. */
  public static OpenTelemetryTracing of(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new OpenTelemetryTracing(openTelemetry.getTracer("dev.tollgate", "0.1.0"));
  }

  /**
   * Spans through OpenTelemetry's global instance as it is when each decision is made: the one the
   * Java agent or the application installs, even after this was built, and until then none. Unlike
   * {@code GlobalOpenTelemetry.get()}, it never installs a no-op global itself, which would make
   * the application's own later {@code GlobalOpenTelemetry.set} fail.
   */
  public static DecisionTracing global() {
    return new Global();
  }

  private static final class Global implements DecisionTracing {
    private volatile OpenTelemetry source;
    private volatile OpenTelemetryTracing tracing;

    @Override
    public DecisionTracing.Span start(String agent, String tool) {
      OpenTelemetry now = io.opentelemetry.api.GlobalOpenTelemetry.getOrNoop();
      OpenTelemetryTracing t = tracing;
      if (t == null || now != source) {
        // once per change of the global instance; two threads racing here build the same thing
        t = of(now);
        tracing = t;
        source = now;
      }
      return t.start(agent, tool);
    }
  }

  @Override
  public DecisionTracing.Span start(String agent, String tool) {
    io.opentelemetry.api.trace.Span span =
        tracer
            .spanBuilder(SPAN)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(AGENT, agent)
            .setAttribute(TOOL, tool)
            .startSpan();
    SpanContext context = span.getSpanContext();
    String trace = context.isValid() ? context.getTraceId() : null;
    return new DecisionTracing.Span() {
      @Override
      public String traceId() {
        return trace;
      }

      @Override
      public void end(Decision decision) {
        span.setAttribute(DECISION, decision.id());
        span.setAttribute(EFFECT, decision.effect().wireName());
        span.setAttribute(POLICIES, decision.policies());
        span.end();
      }
    };
  }

  /**
   * Runs {@code body} in the trace a caller named in W3C trace context headers, so that the
   * decisions it makes are that trace's children (and record its id). A missing or malformed {@code
   * traceparent} is no parent: the body runs in the current context, as it would without one.
   *
   * @param traceparent the {@code traceparent} header's value, or {@code null}
   * @param tracestate the {@code tracestate} header's value, or {@code null}
   */
  public static <T> T withTraceparent(String traceparent, String tracestate, Supplier<T> body) {
    if (traceparent == null) {
      return body.get();
    }
    Context parent =
        W3CTraceContextPropagator.getInstance()
            .extract(Context.current(), new String[] {traceparent, tracestate}, HEADERS);
    try (Scope ignored = parent.makeCurrent()) {
      return body.get();
    }
  }
}
