package dev.tollgate.server;

import static dev.tollgate.server.Bodies.respond;
import static dev.tollgate.server.Bodies.text;
import static dev.tollgate.server.Bodies.unknownFields;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.ToolPinRecord;
import dev.tollgate.engine.ToolPins;
import dev.tollgate.json.Names;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The MCP tool definitions gateways have pinned, over HTTP, for admins: {@code GET /v1/tools} (with
 * what a changed definition changes) and {@code POST /v1/tools/accept}. A definition a gateway
 * hides (changed since it was accepted, flagged at first sight, or superseded) is shown to clients
 * again only once a person accepts it here, in the console or with {@code tollgate tools accept};
 * the engine audits the acceptance and wakes the gateways sharing the store.
 */
final class ToolsApi {
  private static final Set<String> ACCEPT_FIELDS = Set.of("agent", "server", "tool", "fingerprint");

  private final ServerContext ctx;

  ToolsApi(ServerContext ctx) {
    this.ctx = ctx;
  }

  /** {@code GET /v1/tools[?status=pending|accepted|superseded]}. */
  void list(Exchange exchange, Map<String, String> query) throws ApiError, IOException {
    ToolPinRecord.Status wanted = status(query.get("status"));
    ToolPins pins = ctx.engine().toolPins();
    List<ToolPinRecord> all = pins.list();
    respond(
        exchange,
        200,
        Map.of(
            "tools",
            all.stream()
                .filter(p -> wanted == null || p.status() == wanted)
                .map(p -> view(p, pins.acceptedBeside(p, all)))
                .toList()));
  }

  /** {@code POST /v1/tools/accept}. */
  void accept(Exchange exchange, String by) throws ApiError, IOException {
    JsonNode body = ctx.bodies().readObject(exchange);
    unknownFields(body, ACCEPT_FIELDS, "an acceptance");
    String agent = text(body, "agent", true);
    String server = text(body, "server", true);
    String tool = text(body, "tool", true);
    String fingerprint = text(body, "fingerprint", true);
    ToolPinRecord accepted =
        ctx.engine()
            .toolPins()
            .accept(agent, server, tool, fingerprint, by)
            .orElseThrow(
                () ->
                    new ApiError(
                        404,
                        "not_found",
                        "no definition `"
                            + Text.shown(fingerprint)
                            + "` of `"
                            + Text.shown(server + "." + tool)
                            + "` recorded for agent `"
                            + Text.shown(agent)
                            + "`: see GET /v1/tools for the recorded ones",
                        "/fingerprint"));
    respond(exchange, 200, view(accepted, Optional.empty()));
  }

  private static ToolPinRecord.Status status(String text) throws ApiError {
    if (text == null) {
      return null;
    }
    try {
      return Names.wire(
          text, ToolPinRecord.Status.values(), ToolPinRecord.Status::wireName, "status");
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), "status");
    }
  }

  /**
   * A definition as the API shows it; with {@code accepted}, the tool's accepted definition when it
   * is another one, its fingerprint and the diff from it to this one.
   */
  static Map<String, Object> view(ToolPinRecord p, Optional<ToolPinRecord> accepted) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent", p.agent());
    out.put("server", p.server());
    out.put("tool", p.tool());
    out.put("name", p.shownName());
    out.put("fingerprint", p.fingerprint());
    out.put("status", p.status().wireName());
    out.put("concerns", p.concerns());
    out.put("seenAt", p.seenAt().toString());
    out.put("decidedBy", p.decidedBy());
    out.put("decidedAt", p.decidedAt() == null ? null : p.decidedAt().toString());
    out.put("definition", p.definition());
    accepted.ifPresent(
        a -> {
          out.put("accepted", a.fingerprint());
          out.put("diff", ToolPins.diff(a.definition(), p.definition()));
        });
    return out;
  }
}
