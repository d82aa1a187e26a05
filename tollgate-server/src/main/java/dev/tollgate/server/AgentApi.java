package dev.tollgate.server;

import static dev.tollgate.server.Bodies.object;
import static dev.tollgate.server.Bodies.respond;
import static dev.tollgate.server.Bodies.text;
import static dev.tollgate.server.Bodies.unknownFields;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.engine.Outcome;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.ApiRecords;
import dev.tollgate.opentelemetry.OpenTelemetryTracing;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What agents call: open a session, decide, observe a result, and read a decision back from the
 * audit. The engine decides and records; this turns the request into its call and the outcome into
 * an HTTP answer, a refusal into the client's 4xx.
 */
final class AgentApi {
  private static final Set<String> SESSION_FIELDS = Set.of("id", "user", "request", "task");
  private static final Set<String> OBSERVE_FIELDS = Set.of("session", "tool", "decision", "result");

  private final ServerContext ctx;

  AgentApi(ServerContext ctx) {
    this.ctx = ctx;
  }

  /** {@code POST /v1/sessions}. */
  void openSession(Exchange exchange, String agent) throws ApiError, IOException {
    JsonNode body = ctx.bodies().readObject(exchange);
    unknownFields(body, SESSION_FIELDS, "a session");
    String user = text(body, "user", true);
    String request = text(body, "request", false);
    String id = text(body, "id", false);
    if (id != null) {
      requireSessionId(id, "/id");
    }
    Map<String, Object> task = object(body, "task");
    String session;
    try {
      session = ctx.engine().openSession(agent, new SessionSpec(id, user, request, task));
    } catch (IllegalArgumentException e) {
      // The id is valid (checked above) and ids are per agent: only this agent's own open
      // session with that id conflicts, so the answer tells nothing of other agents' sessions.
      throw new ApiError(409, "conflict", e.getMessage(), "/id");
    }
    respond(exchange, 201, Map.of("id", session));
  }

  /** A 400 naming the rule when {@code id} cannot be a session id. */
  static void requireSessionId(String id, String field) throws ApiError {
    String problem = Tollgate.sessionIdProblem(id);
    if (problem != null) {
      throw new ApiError(400, "invalid_session_id", problem, field);
    }
  }

  /** {@code POST /v1/decide}. */
  void decide(Exchange exchange, String agent) throws ApiError, IOException {
    long start = System.nanoTime();
    Action action = ctx.bodies().readAction(exchange);
    // The engine reads the session, decides, records the decision in the audit and appends the
    // history; here the outcome only becomes an HTTP answer. A caller's W3C trace context makes
    // the decision a span of its trace, and its audit record names that trace.
    Outcome outcome =
        OpenTelemetryTracing.withTraceparent(
            exchange.header("traceparent"),
            exchange.header("tracestate"),
            () -> ctx.engine().outcome(agent, action));
    switch (outcome) {
      case Outcome.Refused r -> throw refused(r);
      case Outcome.FailedClosed f ->
          ctx.metrics().rejected(200, f.failure().name().toLowerCase(java.util.Locale.ROOT));
      case Outcome.Decided d -> {}
      case Outcome.Replayed r -> {}
      case Outcome.Paused p -> {} // a deny like a policy's: the agent learns why from the reason
    }
    ctx.metrics().decision(agent, outcome.decision(), System.nanoTime() - start);
    respond(exchange, 200, outcome.decision());
  }

  /**
   * A refused decide as the client's mistake rather than a policy outcome: a 4xx, so that the
   * caller fixes the call instead of taking the deny for a policy's. The engine has audited it.
   */
  private static ApiError refused(Outcome.Refused r) {
    return switch (r.refusal()) {
      case UNKNOWN_SESSION -> ApiError.audited(404, "unknown_session", r.message(), r.field());
      case INVALID_SESSION_ID ->
          ApiError.audited(400, "invalid_session_id", r.message(), r.field());
      case REQUEST_ID_REUSED -> ApiError.audited(409, "conflict", r.message(), r.field());
      case INVALID_REQUEST_ID, NO_AGENT, NO_ACTION ->
          ApiError.audited(400, "bad_request", r.message(), r.field());
    };
  }

  /** {@code POST /v1/observe}. */
  void observe(Exchange exchange, String agent) throws ApiError, IOException {
    JsonNode body = ctx.bodies().readObject(exchange);
    unknownFields(body, OBSERVE_FIELDS, "an observation");
    String session = text(body, "session", true);
    requireSessionId(session, "/session");
    String tool = text(body, "tool", true);
    String decision = text(body, "decision", false);
    JsonNode result = body.get("result");
    ObservationResult observed;
    try {
      observed =
          ctx.engine()
              .observe(
                  agent,
                  new Observation(
                      session, tool, decision, result == null ? null : ApiJson.toJava(result)));
    } catch (IllegalArgumentException e) {
      // The engine has recorded the refusal.
      throw ApiError.audited(404, "unknown_session", e.getMessage(), "/session");
    }
    respond(exchange, 200, observed);
  }

  /** {@code GET /v1/decisions/{id}}: the decision as decide answered it, for its own agent only. */
  void readDecision(Exchange exchange, String agent, String id) throws ApiError, IOException {
    // From the audit rather than this instance's memory: any instance sharing the store answers,
    // and a restart forgets nothing.
    List<AuditRecord> found = ctx.store().audit().search(AuditQuery.decision(id));
    if (found.isEmpty() || !agent.equals(found.getFirst().entry().agent())) {
      throw new ApiError(404, "not_found", "no decision `" + id + "` for this agent", null);
    }
    respond(exchange, 200, ApiRecords.decision(found.getFirst().entry()));
  }
}
