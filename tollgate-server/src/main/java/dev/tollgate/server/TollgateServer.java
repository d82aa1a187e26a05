package dev.tollgate.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalRef;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.Store;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.engine.Approvals;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.InputException;
import dev.tollgate.engine.Json;
import dev.tollgate.engine.Outcome;
import dev.tollgate.engine.PolicyDirectory;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.server.console.Console;
import dev.tollgate.server.http.Exchange;
import dev.tollgate.server.http.HttpListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Tollgate sidecar: the decision API over HTTP, for agents in any language (docs/server.md, and
 * {@code GET /v1/openapi.json} for every route).
 *
 * <pre>{@code
 * try (TollgateServer server = TollgateServer.builder().bundle(bundle).store(store).port(8181).start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Every request runs on its own virtual thread. The agent of a call is the one its bearer token
 * belongs to, never one named in the body. A decision is answered only once its audit record is
 * durable; when the audit cannot be written the answer is a deny that says so. Clients' mistakes
 * are 4xx answers with a JSON error naming the field and the fix, and are audited too.
 */
public final class TollgateServer implements AutoCloseable {
  private static final Set<String> SESSION_FIELDS = Set.of("id", "user", "request", "task");
  private static final Set<String> OBSERVE_FIELDS = Set.of("session", "tool", "decision", "result");
  private static final long MAX_DRAIN_BYTES = 16L * 1024 * 1024;

  /**
   * Credentials whose name starts with this are people's admin credentials, never agents: agent
   * names cannot contain it.
   */
  public static final String ADMIN_PREFIX = "@admin";

  private final HttpListener http;
  private final HttpListener metricsListener;
  private final Tollgate engine;
  private final Store store;
  private final InstantSource clock;
  private final int maxBodyBytes;
  private final Metrics metrics = new Metrics();
  private final Path policies;
  private final PolicyDirectory policyDirectory;
  private final PolicyWatcher watcher;
  private final ReloadAudit reloadAudit;
  private final ReloadListener reloadListener;
  private final People people;
  private final Console console;
  private final ReentrantLock approvalLock = new ReentrantLock();
  private final Condition approvalSignal = approvalLock.newCondition();
  private final String metricsTokenHash;
  private final boolean metricsOpen;
  private final ScheduledExecutorService sweeper;
  private final Notifier notifier;
  private static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private TollgateServer(Builder b) throws IOException {
    this.store = b.store;
    this.clock = b.clock;
    this.maxBodyBytes = b.maxBodyBytes;
    this.engine =
        Tollgate.builder()
            .bundle(b.bundle)
            .clock(b.clock)
            .store(b.store)
            .audit(new TimedAuditLog(b.store.audit(), metrics))
            .fingerprintKey(b.fingerprintKey)
            .build();
    this.people = new People(store, clock);
    this.console = new Console(engine, store, clock, people, b.auditVerifier);
    console.lastReload(
        () -> {
          ReloadOutcome last = lastReload;
          return last == null
              ? null
              : last.outcome()
                  + " at "
                  + last.at()
                  + (last.detail() == null ? "" : ": " + last.detail());
        });
    engine.approvals().subscribe(e -> approvalChanged());
    this.notifier = b.webhook == null ? null : new Notifier(b.webhook, this::uri, metrics);
    if (notifier != null) {
      engine.approvals().subscribe(notifier::on);
    }
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("tollgate-approval-expiry").daemon().factory());
    // Approvals past their expiry are marked (and audited) once, by whichever instance sees them
    // first; the status a caller reads is already "expired" before that.
    sweeper.scheduleWithFixedDelay(this::expireQuietly, 1, 1, TimeUnit.SECONDS);
    this.reloadListener = b.reloadListener;
    this.reloadAudit =
        new ReloadAudit(b.store.audit(), b.waitingReloadRecords, b.reloadListener::written);
    // Reload records that the store could not take wait for it; this writes them once it is back.
    sweeper.scheduleWithFixedDelay(reloadAudit::flush, 1, 1, TimeUnit.SECONDS);
    this.metricsTokenHash = b.metricsToken == null ? null : Tokens.hash(b.metricsToken);
    this.metricsOpen = b.metricsOpen;
    this.policies = b.policies;
    this.policyDirectory =
        b.policies == null
            ? null
            : new PolicyDirectory(b.policies, b.reloadSettle, b.reloadSleeper);
    this.watcher =
        b.policies != null && b.watch
            ? new PolicyWatcher(b.policies, b.watchPoll, b.reloadSettle, this::reloadOutcome)
            : null;
    HttpListener.Observer observer =
        new HttpListener.Observer() {
          @Override
          public void overloaded() {
            metrics.rejected(503, "overloaded");
          }

          @Override
          public void failed(Throwable error) {
            metrics.rejected(500, "internal");
          }
        };
    HttpListener main = null;
    HttpListener side = null;
    try {
      main = new HttpListener(b.host, b.port, b.limits, this::handle, observer);
      if (b.metricsHost != null) {
        side =
            new HttpListener(b.metricsHost, b.metricsPort, b.limits, this::handleMetrics, observer);
      }
    } catch (IOException | RuntimeException e) {
      if (main != null) {
        main.close();
      }
      closeParts();
      throw e;
    }
    this.http = main;
    this.metricsListener = side;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port the server listens on (the one chosen when it was asked for port 0). */
  public int port() {
    return http.port();
  }

  /** The base address, for example {@code http://127.0.0.1:8181}. */
  public URI uri() {
    return URI.create("http://" + hostForUri(http.host()) + ":" + port());
  }

  /**
   * The address of the separate metrics listener ({@link Builder#metricsAddress}), or {@code null}
   * when metrics are served on the main port.
   */
  public URI metricsUri() {
    return metricsListener == null
        ? null
        : URI.create("http://" + hostForUri(metricsListener.host()) + ":" + metricsListener.port());
  }

  private static String hostForUri(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** The engine behind the API: reload bundles through it. */
  public Tollgate engine() {
    return engine;
  }

  /**
   * Loads the policy directory again and uses it for every decision from now on, unless {@link
   * PolicyDirectory} holds or refuses it: then the bundle in use stays. Every outcome is counted in
   * {@code /metrics} and shown in {@code /ready}; loads, holds and refusals are audited and logged.
   * A record the store cannot take now waits for it ({@link ReloadAudit}): none is dropped
   * silently.
   *
   * @return the problems that kept the new bundle out, or an empty list
   */
  public List<Problem> reload() {
    return reloadResult().problems();
  }

  private PolicyDirectory.Outcome reloadOutcome() {
    return reloadResult().outcome();
  }

  private PolicyDirectory.Reload reloadResult() {
    if (policyDirectory == null) {
      return new PolicyDirectory.Reload(
          PolicyDirectory.Outcome.REFUSED,
          engine.bundle(),
          "the server was started with a bundle, not a policy directory",
          List.of(
              new Problem(
                  "(none)",
                  0,
                  0,
                  "the server was started with a bundle, not a policy directory",
                  null,
                  null)));
    }
    // One reload at a time: the watcher and an admin must not interleave a hold and a load.
    synchronized (policyDirectory) {
      Bundle current = engine.bundle();
      PolicyDirectory.Reload r = policyDirectory.reload(current);
      String outcome = r.outcome().wireName();
      if (r.outcome() == PolicyDirectory.Outcome.LOADED) {
        engine.reload(r.bundle());
      }
      metrics.reload(outcome);
      lastReload = new ReloadOutcome(clock.instant(), outcome, r.detail());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("outcome", outcome);
      switch (r.outcome()) {
        case LOADED -> {
          details.put("digest", r.bundle().digest());
          details.put("policies", r.bundle().policyNames().size());
          details.put("previous", current.digest());
          LOG.log(
              System.Logger.Level.INFO,
              "policies reloaded from {0}: {1} ({2} policies)",
              policies,
              r.bundle().digest(),
              r.bundle().policyNames().size());
        }
        case HELD, REFUSED -> {
          details.put(r.outcome() == PolicyDirectory.Outcome.HELD ? "held" : "refused", r.detail());
          details.put("kept", current.digest());
          LOG.log(
              System.Logger.Level.WARNING,
              "policy reload {0}, the bundle in use stays ({1}): {2}",
              outcome,
              current.digest(),
              r.detail());
        }
        case UNCHANGED -> {
          reloadListener.reloaded(r, true);
          return r;
        }
      }
      boolean recorded = reloadAudit.record(event("reload", null, null, null, null, details));
      if (!recorded) {
        metrics.rejected(503, "audit_unavailable");
      }
      reloadListener.reloaded(r, recorded);
      return r;
    }
  }

  /**
   * Hears every reload as it ends, in order, on the thread that ran it: tests wait on "the reload
   * with outcome X happened" rather than on time.
   */
  interface ReloadListener {
    ReloadListener NONE = (reload, recorded) -> {};

    /**
     * A reload ended; {@code recorded} is false when its audit record waits for the store. Called
     * after the bundle it loaded is in use and its record written or queued.
     */
    void reloaded(PolicyDirectory.Reload reload, boolean recorded);

    /** Reload records that had waited for the store were written ({@code records} of them). */
    default void written(int records) {}
  }

  private static final System.Logger LOG = System.getLogger("dev.tollgate.server.reload");

  private void expireQuietly() {
    try {
      engine.approvals().expire();
    } catch (RuntimeException e) {
      metrics.rejected(503, "approval_expiry");
    }
  }

  @Override
  /**
   * Stops: no new requests are taken, requests in flight get the shutdown grace to finish
   * (long-polls answer at once with the state they have), then the rest is closed.
   */
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    // Event streams never end by themselves: end them so that they do not hold up the grace.
    console.close();
    http.close();
    if (metricsListener != null) {
      metricsListener.close();
    }
    closeParts();
  }

  private void closeParts() {
    sweeper.shutdownNow();
    reloadAudit.close();
    if (notifier != null) {
      notifier.close();
    }
    console.close();
    if (watcher != null) {
      watcher.close();
    }
  }

  /** The separate metrics listener: metrics, health and readiness only. */
  private void handleMetrics(Exchange exchange) {
    String path = exchange.path();
    try {
      try {
        requireRead(exchange.method());
        switch (path) {
          case "/health" -> respond(exchange, 200, Map.of("status", "ok"));
          case "/ready" -> ready(exchange);
          case "/metrics" -> {
            if (metricsTokenHash != null) {
              authorizeMetrics(exchange);
            }
            respondMetrics(exchange);
          }
          default ->
              throw new ApiError(
                  404, "not_found", "this listener serves /metrics, /health and /ready only", null);
        }
      } catch (ApiError e) {
        metrics.rejected(e.status, e.code);
        respondError(exchange, e.status, e.code, e.getMessage(), e.field);
      }
    } catch (IOException | UncheckedIOException e) {
      metrics.rejected(499, "client_closed");
    } catch (RuntimeException e) {
      internalError(exchange, null, path, exchange.method(), e);
    }
  }

  private void handle(Exchange exchange) {
    String path = exchange.path();
    String method = exchange.method();
    if (path.equals("/console") || path.startsWith("/console/")) {
      try {
        console.handle(exchange);
      } catch (IOException | UncheckedIOException e) {
        metrics.rejected(499, "client_closed");
      } catch (RuntimeException | StackOverflowError | LinkageError e) {
        metrics.rejected(500, "console");
        auditRejected(exchange, null, 500, "internal", e.getClass().getName());
        console.internalError(exchange);
      }
      return;
    }
    Caller caller = new Caller();
    try {
      try {
        route(exchange, path, method, caller);
      } catch (ApiError e) {
        metrics.rejected(e.status, e.code);
        if (!e.audited) {
          auditRejected(exchange, caller.name, e.status, e.code, null);
        }
        respondError(exchange, e.status, e.code, e.getMessage(), e.field);
      } catch (StoreUnavailableException e) {
        if (path.equals("/v1/decide") && method.equals("POST")) {
          // INVARIANT: never allows on error. Decide always answers a decision: when the token
          // cannot be checked because the store is down, a deny that says so (not a 503).
          metrics.rejected(200, "store_unavailable");
          respond(exchange, 200, storeUnavailable(e));
          return;
        }
        metrics.rejected(503, "store_unavailable");
        respondError(
            exchange,
            503,
            "store_unavailable",
            "store unavailable: " + e.getMessage() + "; retry when /ready answers 200",
            null);
      }
    } catch (IOException | UncheckedIOException e) {
      clientFailed(exchange, caller.name, e);
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      internalError(exchange, caller.name, path, method, e);
    }
  }

  /** Who made a request, once authentication has said so: errors are audited for them. */
  private static final class Caller {
    String name;
  }

  /**
   * A request that failed on the connection: the body ended before its length, or arrived too
   * slowly (the client is told, when it still listens), or the client went away (the connection is
   * closed without an answer).
   */
  private void clientFailed(Exchange exchange, String agent, Exception e) {
    boolean timeout = timedOut(e);
    boolean cut = !timeout && endedEarly(e);
    if ((!timeout && !cut) || exchange.answered()) {
      metrics.rejected(499, "client_closed");
      exchange.abort(e);
      return;
    }
    int status = timeout ? 408 : 400;
    String code = timeout ? "request_timeout" : "bad_request";
    metrics.rejected(status, code);
    auditRejected(exchange, agent, status, code, null);
    try {
      exchange.closeConnection();
      respondError(
          exchange,
          status,
          code,
          timeout
              ? "the request body arrived too slowly: send it at once, within the server's"
                  + " timeouts"
              : "the request body ended before its Content-Length: send the whole body",
          null);
    } catch (IOException | RuntimeException ignored) {
      // The connection is gone as well; the metric above records the failure.
      exchange.abort(ignored);
    }
  }

  private static boolean endedEarly(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.EOFException) {
        return true;
      }
    }
    return false;
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException
          || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /**
   * An internal error: a JSON 500 (a deny for decide, which always answers a decision) and an audit
   * record, naming the error's type but never its message, which may quote the request.
   */
  private void internalError(
      Exchange exchange, String agent, String path, String method, Throwable e) {
    metrics.rejected(500, "internal");
    auditRejected(exchange, agent, 500, "internal", e.getClass().getName());
    if (exchange.answered()) {
      return;
    }
    try {
      if (path.equals("/v1/decide") && method.equals("POST")) {
        // INVARIANT: never allows on error.
        respond(
            exchange,
            200,
            engine.deny(
                "internal error in the server ("
                    + e.getClass().getSimpleName()
                    + "); denied to fail closed"));
        return;
      }
      respondError(
          exchange,
          500,
          "internal",
          "internal error ("
              + e.getClass().getSimpleName()
              + "); the request was not carried out. The audit log has a record of it",
          null);
    } catch (IOException | RuntimeException ignored) {
      // The connection is gone as well; the metric above records the failure.
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
          caller.name = authorizeMetrics(exchange);
        }
        respondMetrics(exchange);
      }
      case "/v1/openapi.json" -> {
        requireRead(method);
        respondText(exchange, 200, "application/json", openApi());
      }
      case "/v1/admin/reload" -> {
        requireMethod(method, "POST");
        caller.name = authenticateAdmin(exchange);
        readOptionalObject(exchange);
        PolicyDirectory.Reload result = reloadResult();
        List<Problem> problems = result.problems();
        if (result.outcome() == PolicyDirectory.Outcome.HELD) {
          throw new ApiError(
              409,
              "reload_held",
              result.detail() + ": try again once the directory has been quiet for a while",
              null);
        } else if (problems.isEmpty()) {
          respond(exchange, 200, bundleView());
        } else {
          throw new ApiError(
              422,
              "invalid_bundle",
              "the new policies were refused and the"
                  + " ones in use stay: "
                  + problems.get(0).file()
                  + ":"
                  + problems.get(0).line()
                  + ": "
                  + problems.get(0).message()
                  + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""),
              null);
        }
      }
      case "/v1/sessions" -> {
        requireMethod(method, "POST");
        String agent = caller.name = authenticate(exchange);
        openSession(exchange, agent);
      }
      case "/v1/decide" -> {
        requireMethod(method, "POST");
        String agent = caller.name = authenticate(exchange);
        decide(exchange, agent);
      }
      case "/v1/noop" -> {
        // The same authentication and body reading as decide, and nothing else: the
        // baseline that load tests measure beside decide.
        requireMethod(method, "POST");
        caller.name = authenticate(exchange);
        readObject(exchange);
        respond(exchange, 200, Map.of("ok", true));
      }
      case "/v1/observe" -> {
        requireMethod(method, "POST");
        String agent = caller.name = authenticate(exchange);
        observe(exchange, agent);
      }
      case "/v1/approvals" -> {
        requireRead(method);
        caller.name = authenticateAdmin(exchange);
        listApprovals(exchange, query);
      }
      case "/v1/grants" -> {
        requireRead(method);
        caller.name = authenticateAdmin(exchange);
        respond(
            exchange,
            200,
            Map.of(
                "grants",
                engine
                    .approvals()
                    .grants(!"false".equals(query.get("active")), limit(query))
                    .stream()
                    .map(this::grantView)
                    .toList()));
      }
      case "/v1/grants/requests" -> {
        requireMethod(method, "POST");
        String agent = caller.name = authenticate(exchange);
        requestGrant(exchange, agent);
      }
      default -> {
        String[] parts = segments(path);
        if (parts.length >= 3 && parts[1].equals("approvals")) {
          approvals(exchange, method, parts, query, caller);
        } else if (parts.length == 4 && parts[1].equals("grants") && parts[3].equals("revoke")) {
          requireMethod(method, "POST");
          String agent = caller.name = authenticateAdmin(exchange);
          String id = parts[2];
          readOptionalObject(exchange);
          String by = agent;
          respond(exchange, 200, grantView(person(() -> engine.approvals().revoke(id, by))));
        } else if (parts.length == 3 && parts[1].equals("decisions")) {
          requireRead(method);
          String agent = caller.name = authenticate(exchange);
          readDecision(exchange, agent, parts[2]);
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
          "POST /v1/grants/{id}/revoke");

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

  private void openSession(Exchange exchange, String agent) throws ApiError, IOException {
    JsonNode body = readObject(exchange);
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
      session = engine.openSession(agent, new SessionSpec(id, user, request, task));
    } catch (IllegalArgumentException e) {
      // The id is valid (checked above) and ids are per agent: only this agent's own open
      // session with that id conflicts, so the answer tells nothing of other agents' sessions.
      throw new ApiError(409, "conflict", e.getMessage(), "/id");
    }
    respond(exchange, 201, Map.of("id", session));
  }

  /** A 400 naming the rule when {@code id} cannot be a session id. */
  private static void requireSessionId(String id, String field) throws ApiError {
    String problem = Tollgate.sessionIdProblem(id);
    if (problem != null) {
      throw new ApiError(400, "invalid_session_id", problem, field);
    }
  }

  private void decide(Exchange exchange, String agent) throws ApiError, IOException {
    long start = System.nanoTime();
    Action action;
    try {
      action = Json.toAction(readObject(exchange), "");
    } catch (InputException e) {
      throw new ApiError(400, e.code(), e.getMessage(), e.field());
    }
    // The engine reads the session, decides, records the decision in the audit and appends the
    // history; here the outcome only becomes an HTTP answer.
    Outcome outcome = engine.outcome(agent, action);
    switch (outcome) {
      case Outcome.Refused r -> throw refused(r);
      case Outcome.FailedClosed f ->
          metrics.rejected(200, f.failure().name().toLowerCase(java.util.Locale.ROOT));
      case Outcome.Decided d -> {}
      case Outcome.Replayed r -> {}
    }
    metrics.decision(agent, outcome.decision(), System.nanoTime() - start);
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

  /** A deny for a decide whose caller could not be authenticated because the store is down. */
  private Decision storeUnavailable(StoreUnavailableException e) {
    return engine.deny(
        "store unavailable: the agent token could not be checked ("
            + e.getMessage()
            + "); denied to fail closed");
  }

  private void observe(Exchange exchange, String agent) throws ApiError, IOException {
    JsonNode body = readObject(exchange);
    unknownFields(body, OBSERVE_FIELDS, "an observation");
    String session = text(body, "session", true);
    requireSessionId(session, "/session");
    String tool = text(body, "tool", true);
    String decision = text(body, "decision", false);
    JsonNode result = body.get("result");
    ObservationResult observed;
    try {
      observed =
          engine.observe(
              agent,
              new Observation(
                  session, tool, decision, result == null ? null : Json.toJava(result)));
    } catch (IllegalArgumentException e) {
      // The engine has recorded the refusal.
      throw ApiError.audited(404, "unknown_session", e.getMessage(), "/session");
    }
    respond(exchange, 200, observed);
  }

  // ---- approvals and grants ----

  /** A call on the approvals side whose failure is a person's mistake: a 4xx, never a 500. */
  @FunctionalInterface
  private interface PersonCall<T> {
    T run() throws Approvals.ApprovalException;
  }

  private static <T> T person(PersonCall<T> call) throws ApiError {
    try {
      return call.run();
    } catch (Approvals.ApprovalException e) {
      throw new ApiError(e.status(), e.code(), e.getMessage(), null);
    }
  }

  /** {@code /v1/approvals/{id}}, {@code .../approve}, {@code .../deny}; returns the caller. */
  private void approvals(
      Exchange exchange, String method, String[] parts, Map<String, String> query, Caller caller)
      throws ApiError, IOException {
    if (parts.length == 4 && (parts[3].equals("approve") || parts[3].equals("deny"))) {
      requireMethod(method, "POST");
      String by = caller.name = authenticateAdmin(exchange);
      boolean approve = parts[3].equals("approve");
      String id = parts[2];
      JsonNode body = readOptionalObject(exchange);
      unknownFields(body, Set.of("note", "scope"), "an approval decision");
      String note = text(body, "note", false);
      ApprovalRecord done;
      if (approve) {
        Approvals.Scope scope = scope(body.get("scope"));
        done = person(() -> engine.approvals().approve(id, by, scope, note));
      } else {
        done = person(() -> engine.approvals().deny(id, by, note));
      }
      respond(exchange, 200, approvalView(done, true));
      return;
    }
    if (parts.length != 3) {
      throw new ApiError(
          404,
          "not_found",
          "no such endpoint: use /v1/approvals/{id}, /v1/approvals/{id}/approve or"
              + " /v1/approvals/{id}/deny",
          null);
    }
    requireRead(method);
    String rest = parts[2];
    String who = caller.name = credential(exchange);
    boolean admin = who.startsWith(ADMIN_PREFIX);
    Optional<ApprovalRecord> found = engine.approvals().get(rest);
    if (found.isEmpty() || (!admin && !found.get().agent().equals(who))) {
      throw new ApiError(
          404, "not_found", "no approval `" + Text.shown(rest) + "` for this caller", null);
    }
    Duration wait = waitParam(query.get("wait"));
    ApprovalRecord a = found.get();
    long deadline = System.nanoTime() + wait.toNanos();
    // Long-poll: woken by decisions taken on this instance, and re-read at least every 250 ms
    // for those taken on another instance sharing the store.
    while (a.status().equals("pending") && System.nanoTime() < deadline && !http.stopping()) {
      long left = deadline - System.nanoTime();
      approvalLock.lock();
      try {
        // A lock and condition rather than a monitor: a virtual thread waiting on a monitor
        // holds its carrier on JDK 21 to 23, and long-polls would starve every other request.
        approvalSignal.await(Math.max(1, Math.min(250, left / 1_000_000)), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        approvalLock.unlock();
      }
      a = engine.approvals().get(rest).orElse(a);
    }
    respond(exchange, 200, approvalView(a, admin));
  }

  private void approvalChanged() {
    approvalLock.lock();
    try {
      approvalSignal.signalAll();
    } finally {
      approvalLock.unlock();
    }
  }

  private static Duration waitParam(String text) throws ApiError {
    if (text == null) {
      return Duration.ZERO;
    }
    try {
      Duration d = Approvals.duration(text);
      return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
    } catch (Approvals.ApprovalException e) {
      throw new ApiError(
          400, "bad_request", "invalid `wait`: " + e.getMessage() + " (at most 60s)", "wait");
    }
  }

  private void listApprovals(Exchange exchange, Map<String, String> q)
      throws ApiError, IOException {
    String status = q.get("status");
    if (status != null && !Set.of("pending", "approved", "denied", "expired").contains(status)) {
      throw new ApiError(
          400,
          "bad_request",
          "unknown status `" + status + "`: use pending, approved, denied or expired",
          "status");
    }
    respond(
        exchange,
        200,
        Map.of(
            "approvals",
            engine.approvals().list(status, limit(q)).stream()
                .map(a -> approvalView(a, true))
                .toList()));
  }

  private void requestGrant(Exchange exchange, String agent) throws ApiError, IOException {
    JsonNode body = readObject(exchange);
    unknownFields(
        body, Set.of("tool", "constraint", "reason", "ttl", "uses", "session"), "a grant request");
    String tool = text(body, "tool", true);
    String reason = text(body, "reason", true);
    String constraint = text(body, "constraint", false);
    String ttl = text(body, "ttl", false);
    String session = text(body, "session", false);
    int uses = integer(body, "uses", 0);
    String user = null;
    if (session != null) {
      requireSessionId(session, "/session");
      user =
          engine
              .sessionUser(agent, session)
              .orElseThrow(
                  () ->
                      new ApiError(
                          404,
                          "unknown_session",
                          "unknown session `"
                              + Text.shown(session)
                              + "`: open one with POST /v1/sessions and use the id it returns",
                          "/session"));
    }
    String forUser = user;
    ApprovalRecord a =
        person(
            () ->
                engine
                    .approvals()
                    .requestGrant(
                        agent,
                        session,
                        forUser,
                        tool,
                        constraint,
                        ttl == null ? null : Approvals.duration(ttl),
                        uses,
                        reason));
    respond(exchange, 201, approvalView(a, false));
  }

  /** The scope of an approval; {@code null} when left out (see {@link Approvals#approve}). */
  private static Approvals.Scope scope(JsonNode node) throws ApiError {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new ApiError(400, "bad_request", "`scope` must be a JSON object", "/scope");
    }
    unknownFields(node, Set.of("subject", "tool", "ttl", "uses", "constraint"), "a scope");
    String ttl = text(node, "ttl", false);
    Duration d;
    try {
      d = ttl == null ? null : Approvals.duration(ttl);
    } catch (Approvals.ApprovalException e) {
      throw new ApiError(400, e.code(), e.getMessage(), "/scope/ttl");
    }
    String subject = text(node, "subject", false);
    return new Approvals.Scope(
        subject == null ? "session" : subject,
        text(node, "tool", false),
        d,
        integer(node, "uses", 0),
        text(node, "constraint", false));
  }

  private static int integer(JsonNode body, String field, int fallback) throws ApiError {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw new ApiError(
          400, "bad_request", "`" + field + "` must be a whole number, 0 or more", "/" + field);
    }
    return v.intValue();
  }

  /** What an approval shows: the whole record to people, its outcome only to its agent. */
  private static Map<String, Object> approvalView(ApprovalRecord a, boolean full) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("status", a.status());
    m.put("expiresAt", a.expiresAt().toString());
    if (a.note() != null) {
      m.put("note", a.note());
    }
    if (a.grant() != null) {
      m.put("grant", a.grant());
    }
    if (full) {
      m.put("kind", a.kind());
      m.put("agent", a.agent());
      if (a.user() != null) {
        m.put("user", a.user());
      }
      if (a.session() != null) {
        m.put("session", a.session());
      }
      m.put("tool", a.tool());
      m.put("args", a.args());
      m.put("reasons", a.reasons());
      m.put("findings", a.findings());
      m.put("provenance", a.provenance());
      m.put("request", a.request());
      m.put("fourEyes", a.fourEyes());
      m.put("fresh", a.fresh());
      m.put("approvalsNeeded", a.approvalsNeeded());
      List<Map<String, Object>> approvals = new ArrayList<>();
      for (ApprovalRecord.Approval step : a.approvals()) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("by", step.by());
        one.put("at", step.at().toString());
        if (step.note() != null) {
          one.put("note", step.note());
        }
        if (step.scope() != null) {
          one.put("scope", step.scope());
        }
        approvals.add(one);
      }
      m.put("approvals", approvals);
      m.put("created", a.created().toString());
      if (a.decidedBy() != null) {
        m.put("decidedBy", a.decidedBy());
        m.put("decidedAt", a.decidedAt().toString());
      }
    }
    return m;
  }

  private Map<String, Object> grantView(GrantRecord g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", g.id());
    m.put("status", g.status(clock.instant()));
    m.put("subject", g.subjectKind() + ":" + g.subject());
    m.put("agent", g.agent());
    m.put("tool", g.tool());
    m.put("exact", g.argsDigest() != null);
    if (g.constraint() != null) {
      m.put("constraint", g.constraint());
    }
    m.put("expiresAt", g.expiresAt().toString());
    m.put("uses", g.uses());
    m.put("usesLeft", g.usesLeft());
    m.put("issuer", g.issuer());
    m.put("reason", g.reason());
    if (g.approval() != null) {
      m.put("approval", g.approval());
    }
    if (g.revoked() != null) {
      m.put("revokedBy", g.revokedBy());
    }
    return m;
  }

  private static Map<String, String> query(Exchange exchange) throws ApiError {
    try {
      return QueryString.parse(exchange.rawQuery());
    } catch (QueryString.MalformedException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), e.parameter());
    }
  }

  private static int limit(Map<String, String> q) throws ApiError {
    String text = q.get("limit");
    if (text == null) {
      return 100;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= 1000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new ApiError(400, "bad_request", "`limit` must be between 1 and 1000", "limit");
  }

  /** A body that may be empty (no content at all) or a JSON object. */
  private JsonNode readOptionalObject(Exchange exchange) throws ApiError, IOException {
    String length = exchange.header("Content-Length");
    if (length == null || length.strip().equals("0")) {
      return Json.mapper().createObjectNode();
    }
    return readObject(exchange);
  }

  private void readDecision(Exchange exchange, String agent, String id)
      throws ApiError, IOException {
    // From the audit rather than this instance's memory: any instance sharing the store answers,
    // and a restart forgets nothing.
    List<AuditRecord> found = store.audit().search(AuditQuery.decision(id));
    if (found.isEmpty() || !agent.equals(found.getFirst().entry().agent())) {
      throw new ApiError(404, "not_found", "no decision `" + id + "` for this agent", null);
    }
    respond(exchange, 200, fromAudit(found.getFirst().entry()));
  }

  /** The decision an audit record holds, as decide answered it. */
  @SuppressWarnings("unchecked")
  private static Decision fromAudit(AuditEntry e) {
    List<ShadowOutcome> shadow = new ArrayList<>();
    if (e.detail().get("shadow") instanceof List<?> list) {
      for (Object o : list) {
        Map<String, Object> s = (Map<String, Object>) o;
        shadow.add(
            new ShadowOutcome(
                (String) s.get("policy"),
                Effect.parse((String) s.get("effect")),
                (String) s.get("message")));
      }
    }
    ApprovalRef approval = null;
    if (e.detail().get("approval") instanceof Map<?, ?> a) {
      approval =
          new ApprovalRef(
              (String) a.get("id"),
              (String) a.get("status"),
              java.time.Instant.parse((String) a.get("expiresAt")));
    }
    return new Decision(
        e.decision(),
        Effect.parse(e.effect()),
        null,
        e.reasons(),
        e.findings(),
        approval,
        (String) e.detail().get("grant"),
        shadow);
  }

  /** An audit entry for an event that is not a decision (no effect, reasons or arguments). */
  private AuditEntry event(
      String kind,
      String agent,
      String user,
      String session,
      String tool,
      Map<String, Object> detail) {
    return new AuditEntry(
        clock.instant(),
        kind,
        agent,
        user,
        session,
        tool,
        null,
        null,
        List.of(),
        List.of(),
        null,
        0,
        detail);
  }

  private void audit(AuditEntry entry) {
    long start = System.nanoTime();
    store.audit().append(List.of(entry));
    metrics.store(System.nanoTime() - start);
  }

  /**
   * Records a refused or failed request. {@code error} is an internal error's type, never its
   * message (which may quote the request).
   */
  private void auditRejected(
      Exchange exchange, String agent, int status, String code, String error) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("status", status);
    detail.put("code", code);
    detail.put("path", Text.shown(exchange.path()));
    detail.put("method", Text.shown(exchange.method()));
    if (error != null) {
      detail.put("error", error);
    }
    try {
      audit(event("rejected", agent, null, null, null, detail));
    } catch (RuntimeException ignored) {
      // The answer still goes out; the store's own metrics show it is down.
      metrics.rejected(503, "audit_unavailable");
    }
  }

  /** The name behind the request's bearer token: an agent, or an admin credential. */
  private String credential(Exchange exchange) throws ApiError {
    String header = exchange.header("Authorization");
    if (header == null || !header.startsWith("Bearer ") || header.length() <= 7) {
      throw new ApiError(
          401,
          "unauthorized",
          "missing token: send `Authorization: Bearer"
              + " <token>` with a token from `tollgate agents add NAME`",
          null);
    }
    return store
        .credentials()
        .agentFor(Tokens.hash(header.substring(7).strip()))
        .orElseThrow(
            () ->
                new ApiError(
                    401,
                    "unauthorized",
                    "unknown or revoked token: ask an"
                        + " admin for a new one (`tollgate agents add NAME`)",
                    null));
  }

  private String authenticate(Exchange exchange) throws ApiError {
    String agent = credential(exchange);
    if (agent.startsWith(ADMIN_PREFIX)) {
      throw new ApiError(
          403,
          "forbidden",
          "an admin credential cannot act as an agent: use the agent's own token",
          null);
    }
    return agent;
  }

  private String authenticateAdmin(Exchange exchange) throws ApiError {
    String who = credential(exchange);
    if (!who.startsWith(ADMIN_PREFIX)) {
      throw new ApiError(
          403, "forbidden", "this call needs an admin credential, not an agent's", null);
    }
    return who;
  }

  private JsonNode readObject(Exchange exchange) throws ApiError, IOException {
    String type = exchange.header("Content-Type");
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiError(
          415,
          "unsupported_media_type",
          "send the body as `application/json`, not `" + type + "`",
          null);
    }
    String length = exchange.header("Content-Length");
    long declared = -1;
    if (length != null) {
      try {
        declared = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw new ApiError(400, "bad_request", "invalid Content-Length `" + length + "`", null);
      }
      if (declared > maxBodyBytes) {
        drain(exchange);
        throw tooLarge();
      }
    }
    byte[] body;
    try (InputStream in = exchange.requestBody()) {
      // With a declared length, one exact read: no growing buffers to copy from.
      body = in.readNBytes(declared >= 0 ? (int) declared : maxBodyBytes + 1);
    }
    if (body.length > maxBodyBytes) {
      drain(exchange);
      throw tooLarge();
    }
    JsonNode node;
    try {
      node = Json.readTree(body);
    } catch (InputException e) {
      throw new ApiError(400, e.code(), e.getMessage(), e.field());
    }
    if (!node.isObject()) {
      throw new ApiError(400, "bad_request", "the body must be a JSON object", "/");
    }
    return node;
  }

  /**
   * Reads and drops the rest of an oversized body, up to a bound, so that a client still sending it
   * gets the 413 instead of a reset connection; past the bound the connection is simply closed.
   */
  private static void drain(Exchange exchange) {
    try (InputStream in = exchange.requestBody()) {
      long left = MAX_DRAIN_BYTES;
      byte[] buffer = new byte[64 * 1024];
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // The client gave up sending; the 413 still goes out if the connection allows.
      return;
    }
  }

  private ApiError tooLarge() {
    return new ApiError(
        413,
        "too_large",
        "body larger than "
            + maxBodyBytes
            + " bytes: send less (large results can be summarised before observing them)",
        null);
  }

  /** GET, or HEAD: the same answer without its body (the HTTP server drops it). */
  private static void requireRead(String method) throws ApiError {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      throw new ApiError(405, "method_not_allowed", "use GET here, not " + method, null);
    }
  }

  /**
   * Readiness: the store can take what decisions need, and which bundle decides. 503 while the
   * store cannot: every decision would be a deny then.
   */
  private void ready(Exchange exchange) throws IOException {
    Store.Readiness r = store.readiness();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", r.ready() ? "ready" : "not ready");
    body.put("store", Map.of("kind", store.kind(), "ready", r.ready(), "detail", r.detail()));
    body.put("bundle", bundleView());
    respond(exchange, r.ready() ? 200 : 503, body);
  }

  /** The bundle in use: digest, size, age, and how the last reload went. */
  private Map<String, Object> bundleView() {
    Bundle b = engine.bundle();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("digest", b.digest());
    view.put("policies", b.policyNames().size());
    view.put("agents", b.agentNames().size());
    view.put("catalog", b.catalogSize());
    java.time.Instant loaded = engine.bundleLoadedAt();
    view.put("loadedAt", loaded.toString());
    view.put("ageSeconds", Math.max(0, Duration.between(loaded, clock.instant()).toSeconds()));
    if (policies != null) {
      view.put("directory", policies.toString());
    }
    ReloadOutcome last = lastReload;
    if (last != null) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("at", last.at().toString());
      r.put("outcome", last.outcome());
      if (last.detail() != null) {
        r.put("detail", last.detail());
      }
      view.put("lastReload", r);
    }
    // Reload records the audit has not taken yet: they wait for the store, or were dropped.
    view.put(
        "reloadRecords",
        Map.of("waiting", reloadAudit.waiting(), "dropped", reloadAudit.dropped()));
    return view;
  }

  /**
   * How the latest reload went: {@code loaded}, {@code unchanged}, {@code held} or {@code refused}.
   */
  private record ReloadOutcome(java.time.Instant at, String outcome, String detail) {}

  private volatile ReloadOutcome lastReload;

  /**
   * {@code /metrics} names agents and policies: it needs the metrics token or an admin credential,
   * unless the server was told to serve it openly.
   */
  private String authorizeMetrics(Exchange exchange) throws ApiError {
    String header = exchange.header("Authorization");
    if (metricsTokenHash != null
        && header != null
        && header.startsWith("Bearer ")
        && java.security.MessageDigest.isEqual(
            Tokens.hash(header.substring(7).strip()).getBytes(StandardCharsets.UTF_8),
            metricsTokenHash.getBytes(StandardCharsets.UTF_8))) {
      return null;
    }
    if (header == null) {
      throw new ApiError(
          401,
          "unauthorized",
          "metrics name agents and policies: send `Authorization: Bearer <token>` with the metrics"
              + " token (serve --metrics-token-env) or an admin token, or serve them on a listener"
              + " of their own (serve --metrics-address)",
          null);
    }
    return authenticateAdmin(exchange);
  }

  private void respondMetrics(Exchange exchange) throws IOException {
    respondText(exchange, 200, "text/plain; version=0.0.4", metricsText());
  }

  /** The metrics as {@code /metrics} answers them. */
  String metricsText() {
    Bundle b = engine.bundle();
    return metrics.render(
        new Metrics.Gauges(
            store.audit().pending(),
            b.digest(),
            engine.bundleLoadedAt().getEpochSecond(),
            http.connections(),
            store.readiness().ready(),
            reloadAudit.waiting(),
            reloadAudit.dropped(),
            people.limitedSignIns()));
  }

  private static void requireMethod(String method, String expected) throws ApiError {
    if (!method.equals(expected)) {
      throw new ApiError(
          405, "method_not_allowed", "use " + expected + " here, not " + method, null);
    }
  }

  private static void unknownFields(JsonNode body, Set<String> allowed, String what)
      throws ApiError {
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ApiError(
            400,
            "bad_request",
            "unknown field `"
                + name
                + "` in "
                + what
                + ": expected "
                + String.join(", ", allowed.stream().sorted().toList()),
            "/" + name);
      }
    }
  }

  private static String text(JsonNode body, String field, boolean required) throws ApiError {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new ApiError(400, "bad_request", "missing field `" + field + "`", "/" + field);
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new ApiError(
          400, "bad_request", "`" + field + "` must be a string: quote it", "/" + field);
    }
    return v.textValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(JsonNode body, String field) throws ApiError {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new ApiError(400, "bad_request", "`" + field + "` must be a JSON object", "/" + field);
    }
    return (Map<String, Object>) Json.toJava(v);
  }

  private static void respond(Exchange exchange, int status, Object body) throws IOException {
    respondText(exchange, status, "application/json", Json.write(body));
  }

  private static void respondError(
      Exchange exchange, int status, String code, String message, String field) throws IOException {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    if (status == 413) {
      // The body was left unread: the JDK's server drops the connection after the answer, so
      // the client must not reuse it for its next request.
      exchange.setHeader("Connection", "close");
    }
    respond(exchange, status, Map.of("error", error));
  }

  private static void respondText(Exchange exchange, int status, String type, String text)
      throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.setHeader("Content-Type", type);
    exchange.setHeader("Cache-Control", "no-store");
    exchange.send(status, bytes.length);
    try (OutputStream out = exchange.responseBody()) {
      out.write(bytes);
    }
  }

  private static String openApi() throws IOException {
    try (InputStream in = TollgateServer.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IOException("openapi.json missing from the server jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Configures and starts a {@link TollgateServer}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8181;
    private Bundle bundle = Bundle.empty();
    private Store store;
    private InstantSource clock = InstantSource.system();
    private int maxBodyBytes = 1024 * 1024;
    private HttpListener.Limits limits = HttpListener.Limits.defaults();
    private String metricsToken;
    private boolean metricsOpen;
    private String metricsHost;
    private int metricsPort;
    private Path policies;
    private Duration reloadSettle = Duration.ofSeconds(1);
    private Duration watchPoll = Duration.ofSeconds(2);
    private boolean watch = true;
    private PolicyDirectory.Sleeper reloadSleeper = Thread::sleep;
    private ReloadListener reloadListener = ReloadListener.NONE;
    private int waitingReloadRecords = 1000;
    private URI webhook;
    private java.util.function.Supplier<String> auditVerifier;
    private byte[] fingerprintKey;

    private Builder() {}

    /**
     * Verifies the audit chain for the console's audit page and says how it went in one line
     * (starting with {@code ok} when intact); without one the page says how to verify.
     */
    public Builder auditVerifier(java.util.function.Supplier<String> auditVerifier) {
      this.auditVerifier = auditVerifier;
      return this;
    }

    /**
     * The policy directory: loaded now, and again whenever a file in it changes (unless {@link
     * #watch} is off) or an admin calls {@code POST /v1/admin/reload}.
     *
     * @throws BundleException when the directory does not hold a valid bundle
     */
    public Builder policies(Path directory) throws BundleException {
      this.bundle = new PolicyDirectory(directory, reloadSettle).load();
      this.policies = directory;
      return this;
    }

    /**
     * Where to announce new approvals: a Slack-compatible incoming webhook ({@code {"text": ...}}),
     * retried with backoff, never delaying a decision.
     */
    /**
     * The 16-byte secret that keys session fingerprints of observed results (default: random per
     * start). Servers sharing a store must share it, and a restarted server needs the same key to
     * see data flow from results its sessions observed before the restart.
     */
    public Builder fingerprintKey(byte[] key) {
      if (key == null || key.length != 16) {
        throw new IllegalArgumentException("the fingerprint key must be 16 bytes");
      }
      this.fingerprintKey = key.clone();
      return this;
    }

    public Builder webhook(URI url) {
      this.webhook = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * What one connection may cost: header timeout, idle timeout, minimum body rate, connection cap
     * and shutdown grace (default {@link HttpListener.Limits#defaults()}).
     */
    public Builder limits(HttpListener.Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * A token that may read {@code /metrics} (besides admin credentials). Without one, and without
     * {@link #metricsOpen}, only admin credentials may.
     */
    public Builder metricsToken(String token) {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("the metrics token must not be blank");
      }
      this.metricsToken = token.strip();
      return this;
    }

    /**
     * Serves {@code /metrics} to anyone who can reach the port (default false: metrics name agents
     * and policies). For a scraper on a private network, prefer {@link #metricsAddress}.
     */
    public Builder metricsOpen(boolean open) {
      this.metricsOpen = open;
      return this;
    }

    /**
     * Serves {@code /metrics}, {@code /health} and {@code /ready} on a listener of their own (for
     * example {@code 127.0.0.1:9181}, or a port only the monitoring network reaches), open unless a
     * {@link #metricsToken} is set. Port 0 picks a free one.
     */
    public Builder metricsAddress(String host, int port) {
      this.metricsHost = Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535");
      }
      this.metricsPort = port;
      return this;
    }

    /**
     * How long the policy directory must stay quiet before a reload that drops policies, agents or
     * catalog entries is loaded (default 1 s).
     */
    public Builder reloadSettle(Duration settle) {
      this.reloadSettle = settle;
      return this;
    }

    /**
     * How often the watcher compares the directory's file names, sizes and times, in case the file
     * system's change events miss something (default 2 s).
     */
    public Builder watchPoll(Duration poll) {
      this.watchPoll = poll;
      return this;
    }

    /** How a reload waits out the settle time (tests decide when a wait ends). */
    Builder reloadSleeper(PolicyDirectory.Sleeper sleeper) {
      this.reloadSleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Told of every reload as it ends (tests wait on it rather than on time). */
    Builder reloadListener(ReloadListener listener) {
      this.reloadListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * How many reload records may wait for a store that cannot take them (default 1000); past that
     * the oldest are dropped, counted and summed up in the audit.
     */
    Builder waitingReloadRecords(int capacity) {
      this.waitingReloadRecords = capacity;
      return this;
    }

    /** Whether to reload on file changes (default true). */
    public Builder watch(boolean watch) {
      this.watch = watch;
      return this;
    }

    /** The address to listen on (default 127.0.0.1: only this machine). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default 8181; 0 picks a free one). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder bundle(Bundle bundle) {
      this.bundle = Objects.requireNonNull(bundle, "bundle");
      return this;
    }

    /** Where sessions, credentials and the audit live. Required. */
    public Builder store(Store store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest request body accepted (default 1 MiB); larger ones get a 413. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    public TollgateServer start() throws IOException {
      if (store == null) {
        throw new IllegalStateException("a store is required: call store(...) before start()");
      }
      return new TollgateServer(this);
    }
  }
}
