package dev.tollgate.engine;

import dev.tollgate.api.Decision;

/**
 * Where the engine reports each decision to a tracing system, so that a platform team sees
 * Tollgate's decisions inside the traces it already collects, and an auditor can go from a trace to
 * the audit (the span names the decision id) and back (the decision's audit record holds the trace
 * id in {@code detail.trace}).
 *
 * <p>The engine depends on no tracing library: the module {@code tollgate-opentelemetry} implements
 * this with OpenTelemetry, and {@link #NONE} (the default) costs nothing. An implementation must be
 * thread-safe and quick; whatever it throws is ignored, since tracing never changes a decision.
 */
public interface DecisionTracing {

  /** No tracing: no span, no trace id in the audit. */
  DecisionTracing NONE = (agent, tool) -> Span.NONE;

  /**
   * A decision starts: the span it is reported in, a child of whatever trace the caller is in (for
   * OpenTelemetry, its current context).
   *
   * @param agent the deciding agent
   * @param tool the tool the action calls
   */
  Span start(String agent, String tool);

  /** One decision's span. */
  interface Span {
    /** Nothing to report to. */
    Span NONE =
        new Span() {
          @Override
          public String traceId() {
            return null;
          }

          @Override
          public void end(Decision decision) {}
        };

    /**
     * The id of the trace this decision belongs to (32 lower-case hex digits for W3C trace
     * context), recorded in its audit record; {@code null} when there is none.
     */
    String traceId();

    /** The decision was made (whatever its effect, failing closed included). */
    void end(Decision decision);
  }
}
