package dev.tollgate.server;

import static dev.tollgate.server.Bodies.query;
import static dev.tollgate.server.Bodies.requireMethod;
import static dev.tollgate.server.Bodies.requireRead;
import static dev.tollgate.server.Bodies.respond;
import static dev.tollgate.server.Bodies.respondError;
import static dev.tollgate.server.Bodies.respondText;

import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.server.console.Console;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every request's way in: the list of routes ({@link #ROUTES}), which part serves each, who the
 * caller is, and how errors become answers (a client's mistake a 4xx, a store that is down a 503 or
 * a deny, anything else a 500 through {@link Failures}). Serves {@code /health}, {@code /ready},
 * {@code /v1/openapi.json} and {@code /v1/noop} itself, and the console's pages through {@link
 * Console}.
 */
final class ApiRoutes {
  /**
   * Every route of the API, as {@code METHOD /path}, {@code {id}} standing for one path segment:
   * what {@link #route} serves, and what {@code openapi.json} documents ({@code OpenApiRoutesTest}
   * holds the three to each other). A path that matches none is answered 404 before anything else,
   * so that a route added to {@link #route} alone is unreachable until it is listed here too.
   */
  static final List<String> ROUTES =
      List.of(
          "GET /health",
          "GET /ready",
          "GET /metrics",
          "GET /v1/openapi.json",
          "POST /v1/admin/reload",
          "POST /v1/sessions",
          "POST /v1/decide",
          "POST /v1/noop",
          "POST /v1/observe",
          "GET /v1/decisions/{id}",
          "GET /v1/approvals",
          "GET /v1/approvals/{id}",
          "POST /v1/approvals/{id}/approve",
          "POST /v1/approvals/{id}/deny",
          "GET /v1/grants",
          "POST /v1/grants/requests",
          "POST /v1/grants/{id}/revoke",
          "GET /v1/pauses",
          "POST /v1/pauses",
          "POST /v1/pauses/resume",
          "POST /v1/pauses/end",
          "GET /v1/tools",
          "POST /v1/tools/accept");

  /** The paths of {@link #ROUTES} split into segments ({@code null} for an {@code {id}}). */
  private static final List<String[]> ROUTE_PATHS =
      ROUTES.stream()
          .map(r -> r.substring(r.indexOf(' ') + 1))
          .distinct()
          .map(
              p ->
                  java.util.Arrays.stream(p.substring(1).split("/"))
                      .map(segment -> segment.startsWith("{") ? null : segment)
                      .toArray(String[]::new))
          .toList();

  /** The paths of {@link #ROUTES} without an {@code {id}}: decide's is one set lookup. */
  private static final Set<String> FIXED_PATHS =
      ROUTES.stream()
          .map(r -> r.substring(r.indexOf(' ') + 1))
          .filter(p -> !p.contains("{"))
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private final ServerContext ctx;
  private final Auth auth;
  private final Failures failures;
  private final AgentApi agents;
  private final ApprovalsApi approvals;
  private final AdminApi admin;
  private final PausesApi pauses;
  private final ToolsApi tools;
  private final Console console;
  private final boolean metricsOpen;

  ApiRoutes(
      ServerContext ctx,
      Auth auth,
      Failures failures,
      AgentApi agents,
      ApprovalsApi approvals,
      AdminApi admin,
      PausesApi pauses,
      ToolsApi tools,
      Console console,
      boolean metricsOpen) {
    this.pauses = pauses;
    this.tools = tools;
    this.ctx = ctx;
    this.auth = auth;
    this.failures = failures;
    this.agents = agents;
    this.approvals = approvals;
    this.admin = admin;
    this.console = console;
    this.metricsOpen = metricsOpen;
  }

  /** Who made a request, once authentication has said so: errors are audited for them. */
  static final class Caller {
    String name;
  }

  /** The separate metrics listener: metrics, health and readiness only. */
  void handleMetrics(Exchange exchange) {
    String path = exchange.path();
    try {
      try {
        requireRead(exchange.method());
        switch (path) {
          case "/health" -> respond(exchange, 200, Map.of("status", "ok"));
          case "/ready" -> ready(exchange);
          case "/metrics" -> {
            if (admin.metricsTokenSet()) {
              admin.authorizeMetrics(exchange);
            }
            admin.respondMetrics(exchange);
          }
          default ->
              throw new ApiError(
                  404, "not_found", "this listener serves /metrics, /health and /ready only", null);
        }
      } catch (ApiError e) {
        ctx.metrics().rejected(e.status, e.code);
        respondError(exchange, e.status, e.code, e.getMessage(), e.field);
      }
    } catch (IOException | UncheckedIOException e) {
      ctx.metrics().rejected(499, "client_closed");
    } catch (RuntimeException e) {
      failures.internalError(exchange, null, path, exchange.method(), e);
    }
  }

  /** The main listener: the API and the console. */
  void handle(Exchange exchange) {
    String path = exchange.path();
    String method = exchange.method();
    if (path.equals("/console") || path.startsWith("/console/")) {
      try {
        console.handle(exchange);
      } catch (IOException | UncheckedIOException e) {
        ctx.metrics().rejected(499, "client_closed");
      } catch (RuntimeException | StackOverflowError | LinkageError e) {
        ctx.metrics().rejected(500, "console");
        failures.auditRejected(exchange, null, 500, "internal", e.getClass().getName());
        console.internalError(exchange);
      }
      return;
    }
    Caller caller = new Caller();
    try {
      try {
        route(exchange, path, method, caller);
      } catch (ApiError e) {
        ctx.metrics().rejected(e.status, e.code);
        if (!e.audited) {
          failures.auditRejected(exchange, caller.name, e.status, e.code, null);
        }
        respondError(exchange, e.status, e.code, e.getMessage(), e.field);
      } catch (StoreUnavailableException e) {
        if (path.equals("/v1/decide") && method.equals("POST")) {
          // INVARIANT: never allows on error. Decide always answers a decision: when the token
          // cannot be checked because the store is down, a deny that says so (not a 503).
          ctx.metrics().rejected(200, "store_unavailable");
          respond(exchange, 200, failures.storeUnavailable(e));
          return;
        }
        ctx.metrics().rejected(503, "store_unavailable");
        respondError(
            exchange,
            503,
            "store_unavailable",
            "store unavailable: " + e.getMessage() + "; retry when /ready answers 200",
            null);
      }
    } catch (IOException | UncheckedIOException e) {
      failures.clientFailed(exchange, caller.name, e);
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      failures.internalError(exchange, caller.name, path, method, e);
    }
  }

  /** Routes an API request, naming the caller in {@code caller} once authenticated. */
  private void route(Exchange exchange, String path, String method, Caller caller)
      throws ApiError, IOException {
    // Read once, before anything else: a malformed query is the client's mistake (400) on
    // every endpoint, whether or not it takes parameters.
    Map<String, String> query = query(exchange);
    if (!routed(path)) {
      throw new ApiError(
          404,
          "not_found",
          "no such endpoint `" + Text.shown(path) + "`: see /v1/openapi.json for the API",
          null);
    }
    switch (path) {
      case "/health" -> {
        requireRead(method);
        respond(exchange, 200, Map.of("status", "ok"));
      }
      case "/ready" -> {
        requireRead(method);
        ready(exchange);
      }
      case "/metrics" -> {
        requireRead(method);
        if (!metricsOpen) {
          caller.name = admin.authorizeMetrics(exchange);
        }
        admin.respondMetrics(exchange);
      }
      case "/v1/openapi.json" -> {
        requireRead(method);
        respondText(exchange, 200, "application/json", openApi());
      }
      case "/v1/admin/reload" -> {
        requireMethod(method, "POST");
        caller.name = auth.authenticateAdmin(exchange);
        admin.reload(exchange);
      }
      case "/v1/sessions" -> {
        requireMethod(method, "POST");
        String agent = caller.name = auth.authenticate(exchange);
        agents.openSession(exchange, agent);
      }
      case "/v1/decide" -> {
        requireMethod(method, "POST");
        String agent = caller.name = auth.authenticate(exchange);
        agents.decide(exchange, agent);
      }
      case "/v1/noop" -> {
        // The same authentication and body reading as decide, and nothing else: the
        // baseline that load tests measure beside decide.
        requireMethod(method, "POST");
        caller.name = auth.authenticate(exchange);
        ctx.bodies().readAction(exchange);
        respond(exchange, 200, Map.of("ok", true));
      }
      case "/v1/observe" -> {
        requireMethod(method, "POST");
        String agent = caller.name = auth.authenticate(exchange);
        agents.observe(exchange, agent);
      }
      case "/v1/approvals" -> {
        requireRead(method);
        caller.name = auth.authenticateAdmin(exchange);
        approvals.listApprovals(exchange, query);
      }
      case "/v1/grants" -> {
        requireRead(method);
        caller.name = auth.authenticateAdmin(exchange);
        approvals.listGrants(exchange, query);
      }
      case "/v1/pauses" -> {
        if (method.equals("GET") || method.equals("HEAD")) {
          caller.name = auth.authenticateAdmin(exchange);
          pauses.list(exchange);
        } else {
          requireMethod(method, "POST");
          String by = caller.name = auth.authenticateAdmin(exchange);
          pauses.pause(exchange, by);
        }
      }
      case "/v1/pauses/resume" -> {
        requireMethod(method, "POST");
        String by = caller.name = auth.authenticateAdmin(exchange);
        pauses.resume(exchange, by);
      }
      case "/v1/pauses/end" -> {
        requireMethod(method, "POST");
        String by = caller.name = auth.authenticateAdmin(exchange);
        pauses.end(exchange, by);
      }
      case "/v1/tools" -> {
        requireRead(method);
        caller.name = auth.authenticateAdmin(exchange);
        tools.list(exchange, query);
      }
      case "/v1/tools/accept" -> {
        requireMethod(method, "POST");
        String by = caller.name = auth.authenticateAdmin(exchange);
        tools.accept(exchange, by);
      }
      case "/v1/grants/requests" -> {
        requireMethod(method, "POST");
        String agent = caller.name = auth.authenticate(exchange);
        approvals.requestGrant(exchange, agent);
      }
      default -> {
        String[] parts = segments(path);
        if (parts.length >= 3 && parts[1].equals("approvals")) {
          approvals.approvals(exchange, method, parts, query, caller);
        } else if (parts.length == 4 && parts[1].equals("grants") && parts[3].equals("revoke")) {
          requireMethod(method, "POST");
          String by = caller.name = auth.authenticateAdmin(exchange);
          approvals.revokeGrant(exchange, parts[2], by);
        } else if (parts.length == 3 && parts[1].equals("decisions")) {
          requireRead(method);
          String agent = caller.name = auth.authenticate(exchange);
          agents.readDecision(exchange, agent, parts[2]);
        } else {
          throw new ApiError(
              404,
              "not_found",
              "no such endpoint `" + Text.shown(path) + "`: see /v1/openapi.json for the API",
              null);
        }
      }
    }
  }

  /** Whether {@code path} is one of {@link #ROUTES}' paths, whatever the method. */
  static boolean routed(String path) {
    if (FIXED_PATHS.contains(path)) {
      return true;
    }
    if (!path.startsWith("/") || path.endsWith("/")) {
      return false;
    }
    String[] parts = path.substring(1).split("/", -1);
    for (String[] route : ROUTE_PATHS) {
      if (route.length == parts.length && matches(route, parts)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String[] route, String[] parts) {
    for (int i = 0; i < route.length; i++) {
      if (parts[i].isEmpty() || (route[i] != null && !route[i].equals(parts[i]))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The segments of an API path under {@code /v1}: {@code /v1/grants/grt_1/revoke} is {@code [v1,
   * grants, grt_1, revoke]}. Empty segments (a doubled or trailing slash) make it no route.
   */
  private static String[] segments(String path) {
    if (!path.startsWith("/v1/")) {
      return new String[0];
    }
    String[] parts = path.substring(1).split("/", -1);
    for (String p : parts) {
      if (p.isEmpty()) {
        return new String[0];
      }
    }
    return parts;
  }

  /**
   * Readiness: the store can take what decisions need, and which bundle decides. 503 while the
   * store cannot: every decision would be a deny then.
   */
  private void ready(Exchange exchange) throws IOException {
    Store store = ctx.store();
    Store.Readiness r = store.readiness();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", r.ready() ? "ready" : "not ready");
    body.put("store", Map.of("kind", store.kind(), "ready", r.ready(), "detail", r.detail()));
    body.put("bundle", admin.bundleView());
    respond(exchange, r.ready() ? 200 : 503, body);
  }

  private static String openApi() throws IOException {
    try (InputStream in = ApiRoutes.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IOException("openapi.json missing from the server jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
