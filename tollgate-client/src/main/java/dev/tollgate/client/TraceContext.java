package dev.tollgate.client;

import java.net.http.HttpRequest;

/**
 * The caller's trace, carried to the server as W3C trace context ({@code traceparent}, {@code
 * tracestate}), so that its decisions are spans of the caller's trace and their audit records name
 * it. Only when OpenTelemetry's API is on the class path (an optional dependency) and a span is
 * current; without it nothing of OpenTelemetry is loaded and no header is sent.
 */
final class TraceContext {
  private static final boolean PRESENT = present();

  private TraceContext() {}

  static void propagate(HttpRequest.Builder request) {
    if (PRESENT) {
      Otel.inject(request);
    }
  }

  private static boolean present() {
    try {
      Class.forName(
          "io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator",
          false,
          TraceContext.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** A class of its own, so that its references to OpenTelemetry load only when it is there. */
  private static final class Otel {
    static void inject(HttpRequest.Builder request) {
      io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()
          .inject(
              io.opentelemetry.context.Context.current(),
              request,
              (carrier, key, value) -> carrier.header(key, value));
    }
  }
}
