package dev.tollgate.mcp;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The W3C trace context a client sends in a request's {@code _meta} ({@code traceparent} and {@code
 * tracestate}, unprefixed, as the protocol reserves them; over stdio the only channel there is):
 * the call is decided in that trace, so that its decision is a span of the client's trace where
 * OpenTelemetry is installed, and the decision's audit record names the trace either way. The same
 * {@code _meta} goes on to the server behind, so its spans join the trace too.
 */
final class TraceContext {
  private static final TextMapGetter<Map<String, Object>> META =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, Object> meta) {
          return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Map<String, Object> meta, String key) {
          return meta != null && meta.get(key) instanceof String value ? value : null;
        }
      };

  private TraceContext() {}

  /**
   * Runs {@code body} in the trace {@code meta} names; without a {@code traceparent}, or with a
   * malformed one, in the current context, as it would without.
   */
  static <T> T within(Map<String, Object> meta, Supplier<T> body) {
    if (meta == null || !(meta.get("traceparent") instanceof String)) {
      return body.get();
    }
    Context parent = W3CTraceContextPropagator.getInstance().extract(Context.current(), meta, META);
    try (Scope ignored = parent.makeCurrent()) {
      return body.get();
    }
  }
}
