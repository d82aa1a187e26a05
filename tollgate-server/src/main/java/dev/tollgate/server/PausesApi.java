package dev.tollgate.server;

import static dev.tollgate.server.Bodies.respond;
import static dev.tollgate.server.Bodies.text;
import static dev.tollgate.server.Bodies.unknownFields;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.PauseRecord;
import dev.tollgate.engine.Pauses;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The kill switch over HTTP, for admins: {@code GET /v1/pauses}, {@code POST /v1/pauses} (pause),
 * {@code POST /v1/pauses/resume} and {@code POST /v1/pauses/end} (a session, for good). Every
 * change is audited by the engine and holds on every server sharing the store within a second.
 */
final class PausesApi {
  private static final Set<String> PAUSE_FIELDS =
      Set.of("scope", "agent", "user", "session", "reason");
  private static final Set<String> RESUME_FIELDS = Set.of("scope", "agent", "user", "session");
  private static final Set<String> END_FIELDS = Set.of("agent", "session", "reason");

  private final ServerContext ctx;

  PausesApi(ServerContext ctx) {
    this.ctx = ctx;
  }

  /** {@code GET /v1/pauses}. */
  void list(Exchange exchange) throws IOException {
    respond(
        exchange,
        200,
        Map.of("pauses", ctx.engine().pauses().list().stream().map(PausesApi::view).toList()));
  }

  /** {@code POST /v1/pauses}. */
  void pause(Exchange exchange, String by) throws ApiError, IOException {
    JsonNode body = ctx.bodies().readObject(exchange);
    unknownFields(body, PAUSE_FIELDS, "a pause");
    PauseRecord.Scope scope = scope(body);
    String reason = text(body, "reason", false);
    try {
      PauseRecord p =
          ctx.engine()
              .pauses()
              .pause(
                  scope,
                  text(body, "agent", false),
                  text(body, "user", false),
                  text(body, "session", false),
                  reason,
                  by);
      respond(exchange, 201, view(p));
    } catch (Pauses.PauseException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), null);
    }
  }

  /** {@code POST /v1/pauses/resume}. */
  void resume(Exchange exchange, String by) throws ApiError, IOException {
    JsonNode body = ctx.bodies().readObject(exchange);
    unknownFields(body, RESUME_FIELDS, "a resume");
    PauseRecord.Scope scope = scope(body);
    try {
      boolean resumed =
          ctx.engine()
              .pauses()
              .resume(
                  scope,
                  text(body, "agent", false),
                  text(body, "user", false),
                  text(body, "session", false),
                  by);
      if (!resumed) {
        throw new ApiError(
            404,
            "not_found",
            "nothing of that scope and subject is paused: see GET /v1/pauses",
            null);
      }
      respond(exchange, 200, Map.of("resumed", true));
    } catch (Pauses.PauseException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), null);
    }
  }

  /** {@code POST /v1/pauses/end}. */
  void end(Exchange exchange, String by) throws ApiError, IOException {
    JsonNode body = ctx.bodies().readObject(exchange);
    unknownFields(body, END_FIELDS, "an end");
    try {
      PauseRecord p =
          ctx.engine()
              .pauses()
              .end(
                  text(body, "agent", true),
                  text(body, "session", true),
                  text(body, "reason", false),
                  by);
      respond(exchange, 200, view(p));
    } catch (Pauses.PauseException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), null);
    }
  }

  private static PauseRecord.Scope scope(JsonNode body) throws ApiError {
    String text = text(body, "scope", true);
    try {
      return PauseRecord.Scope.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), "/scope");
    }
  }

  /** A pause as the API shows it: the subject split back into agent, user and session. */
  static Map<String, Object> view(PauseRecord p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scope", p.scope().wireName());
    switch (p.scope()) {
      case ALL -> {}
      case AGENT -> out.put("agent", p.subject());
      case USER -> out.put("user", p.subject());
      case SESSION -> {
        int slash = p.subject().indexOf('/');
        out.put("agent", p.subject().substring(0, slash));
        out.put("session", p.subject().substring(slash + 1));
      }
    }
    out.put("reason", p.reason());
    out.put("by", p.by());
    out.put("at", p.at().toString());
    out.put("ended", p.ended());
    out.put("quarantine", p.by().startsWith("policy:"));
    return out;
  }
}
