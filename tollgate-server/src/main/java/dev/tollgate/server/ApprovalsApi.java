package dev.tollgate.server;

import static dev.tollgate.server.Bodies.integer;
import static dev.tollgate.server.Bodies.limit;
import static dev.tollgate.server.Bodies.requireMethod;
import static dev.tollgate.server.Bodies.requireRead;
import static dev.tollgate.server.Bodies.respond;
import static dev.tollgate.server.Bodies.text;
import static dev.tollgate.server.Bodies.unknownFields;
import static dev.tollgate.server.TollgateServer.ADMIN_PREFIX;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.engine.Approvals;
import dev.tollgate.json.Names;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Approvals and grants over HTTP: people list, approve and deny approvals and list and revoke
 * grants; agents read their own approvals (long-polling until decided) and ask for grants. What an
 * approval or a grant shows, and to whom, is decided here ({@link #approvalView}, {@link
 * #grantView}).
 */
final class ApprovalsApi {
  private static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final ServerContext ctx;
  private final Auth auth;
  private final BooleanSupplier stopping;
  private final ReentrantLock approvalLock = new ReentrantLock();
  private final Condition approvalSignal = approvalLock.newCondition();

  /**
   * @param stopping whether the server is shutting down: long-polls then answer at once with the
   *     state they have
   */
  ApprovalsApi(ServerContext ctx, Auth auth, BooleanSupplier stopping) {
    this.ctx = ctx;
    this.auth = auth;
    this.stopping = stopping;
    ctx.engine().approvals().subscribe(e -> approvalChanged());
  }

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

  /** {@code /v1/approvals/{id}}, {@code .../approve}, {@code .../deny}; names the caller. */
  void approvals(
      Exchange exchange,
      String method,
      String[] parts,
      Map<String, String> query,
      ApiRoutes.Caller caller)
      throws ApiError, IOException {
    if (parts.length == 4 && (parts[3].equals("approve") || parts[3].equals("deny"))) {
      requireMethod(method, "POST");
      String by = caller.name = auth.authenticateAdmin(exchange);
      boolean approve = parts[3].equals("approve");
      String id = parts[2];
      JsonNode body = ctx.bodies().readOptionalObject(exchange);
      unknownFields(body, Set.of("note", "scope"), "an approval decision");
      String note = text(body, "note", false);
      ApprovalRecord done;
      if (approve) {
        Approvals.Scope scope = scope(body.get("scope"));
        done = person(() -> ctx.engine().approvals().approve(id, by, scope, note));
      } else {
        done = person(() -> ctx.engine().approvals().deny(id, by, note));
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
    String who = caller.name = auth.credential(exchange);
    boolean admin = who.startsWith(ADMIN_PREFIX);
    Optional<ApprovalRecord> found = ctx.engine().approvals().get(rest);
    if (found.isEmpty() || (!admin && !found.get().agent().equals(who))) {
      throw new ApiError(
          404, "not_found", "no approval `" + Text.shown(rest) + "` for this caller", null);
    }
    Duration wait = waitParam(query.get("wait"));
    ApprovalRecord a = found.get();
    long deadline = System.nanoTime() + wait.toNanos();
    // Long-poll: woken by decisions taken on this instance, and re-read at least every 250 ms
    // for those taken on another instance sharing the store.
    while (a.status() == ApprovalStatus.PENDING
        && System.nanoTime() < deadline
        && !stopping.getAsBoolean()) {
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
      a = ctx.engine().approvals().get(rest).orElse(a);
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

  /** {@code GET /v1/approvals}. */
  void listApprovals(Exchange exchange, Map<String, String> q) throws ApiError, IOException {
    ApprovalStatus status;
    try {
      status =
          q.get("status") == null
              ? null
              : Names.wire(
                  q.get("status"), ApprovalStatus.values(), ApprovalStatus::wireName, "status");
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "bad_request", e.getMessage(), "status");
    }
    respond(
        exchange,
        200,
        Map.of(
            "approvals",
            ctx.engine().approvals().list(status, limit(q)).stream()
                .map(a -> approvalView(a, true))
                .toList()));
  }

  /** {@code GET /v1/grants}. */
  void listGrants(Exchange exchange, Map<String, String> query) throws ApiError, IOException {
    respond(
        exchange,
        200,
        Map.of(
            "grants",
            ctx
                .engine()
                .approvals()
                .grants(!"false".equals(query.get("active")), limit(query))
                .stream()
                .map(this::grantView)
                .toList()));
  }

  /** {@code POST /v1/grants/{id}/revoke}, by the admin credential {@code by}. */
  void revokeGrant(Exchange exchange, String id, String by) throws ApiError, IOException {
    ctx.bodies().readOptionalObject(exchange);
    respond(exchange, 200, grantView(person(() -> ctx.engine().approvals().revoke(id, by))));
  }

  /** {@code POST /v1/grants/requests}. */
  void requestGrant(Exchange exchange, String agent) throws ApiError, IOException {
    JsonNode body = ctx.bodies().readObject(exchange);
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
      AgentApi.requireSessionId(session, "/session");
      user =
          ctx.engine()
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
                ctx.engine()
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
    GrantRecord.SubjectKind kind;
    try {
      kind =
          subject == null
              ? GrantRecord.SubjectKind.SESSION
              : Names.wire(
                  subject,
                  GrantRecord.SubjectKind.values(),
                  GrantRecord.SubjectKind::wireName,
                  "grant subject");
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "invalid_scope", e.getMessage(), "/scope/subject");
    }
    return new Approvals.Scope(
        kind,
        text(node, "tool", false),
        d,
        integer(node, "uses", 0),
        text(node, "constraint", false));
  }

  /** What an approval shows: the whole record to people, its outcome only to its agent. */
  private static Map<String, Object> approvalView(ApprovalRecord a, boolean full) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("status", a.status().wireName());
    m.put("expiresAt", a.expiresAt().toString());
    if (a.note() != null) {
      m.put("note", a.note());
    }
    if (a.grant() != null) {
      m.put("grant", a.grant());
    }
    if (full) {
      m.put("kind", a.kind().wireName());
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

  /** What a grant shows to people: who and what it covers, how long and how often, and by whom. */
  private Map<String, Object> grantView(GrantRecord g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", g.id());
    m.put("status", g.status(ctx.clock().instant()).wireName());
    m.put("subject", g.subjectKind().wireName() + ":" + g.subject());
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
}
