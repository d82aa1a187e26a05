package dev.tollgate.server;

import static dev.tollgate.server.Bodies.respond;
import static dev.tollgate.server.Bodies.respondText;

import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.PolicyDirectory;
import dev.tollgate.engine.Problem;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What operators call: reloading the policy directory (by {@code POST /v1/admin/reload}, the
 * watcher or {@link TollgateServer#reload}), the bundle in use as {@code /ready} and the console
 * show it, and {@code /metrics} with who may read it. Expired approvals are swept from here too.
 */
final class AdminApi {
  private static final System.Logger LOG = System.getLogger("dev.tollgate.server.reload");

  private final ServerContext ctx;
  private final Auth auth;
  private final Path policies;
  private final PolicyDirectory policyDirectory;
  private final ReloadAudit reloadAudit;
  private final TollgateServer.ReloadListener reloadListener;
  private final String metricsTokenHash;
  private final People people;
  private final IntSupplier connections;

  /**
   * How the latest reload went: {@code loaded}, {@code unchanged}, {@code held} or {@code refused}.
   */
  private record ReloadOutcome(java.time.Instant at, String outcome, String detail) {}

  private volatile ReloadOutcome lastReload;

  /**
   * @param policies the policy directory, or {@code null} when the server was given a bundle
   * @param metricsTokenHash the hash of the metrics token, or {@code null} when there is none
   * @param connections how many connections the main listener holds, for {@code /metrics}
   */
  AdminApi(
      ServerContext ctx,
      Auth auth,
      Path policies,
      PolicyDirectory policyDirectory,
      ReloadAudit reloadAudit,
      TollgateServer.ReloadListener reloadListener,
      String metricsTokenHash,
      People people,
      IntSupplier connections) {
    this.ctx = ctx;
    this.auth = auth;
    this.policies = policies;
    this.policyDirectory = policyDirectory;
    this.reloadAudit = reloadAudit;
    this.reloadListener = reloadListener;
    this.metricsTokenHash = metricsTokenHash;
    this.people = people;
    this.connections = connections;
  }

  // ---- reload ----

  /** {@code POST /v1/admin/reload}, once the admin is authenticated. */
  void reload(Exchange exchange) throws ApiError, IOException {
    ctx.bodies().readOptionalObject(exchange);
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

  /** A reload for the watcher, which only needs its outcome. */
  PolicyDirectory.Outcome reloadOutcome() {
    return reloadResult().outcome();
  }

  /** Reloads the policy directory: see {@link TollgateServer#reload}. */
  PolicyDirectory.Reload reloadResult() {
    if (policyDirectory == null) {
      return new PolicyDirectory.Reload(
          PolicyDirectory.Outcome.REFUSED,
          ctx.engine().bundle(),
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
      Bundle current = ctx.engine().bundle();
      PolicyDirectory.Reload r = policyDirectory.reload(current);
      String outcome = r.outcome().wireName();
      if (r.outcome() == PolicyDirectory.Outcome.LOADED) {
        ctx.engine().reload(r.bundle());
      }
      ctx.metrics().reload(outcome);
      lastReload = new ReloadOutcome(ctx.clock().instant(), outcome, r.detail());
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
      boolean recorded =
          reloadAudit.record(ctx.event(AuditEntry.Kind.RELOAD, null, null, null, null, details));
      if (!recorded) {
        ctx.metrics().rejected(503, "audit_unavailable");
      }
      reloadListener.reloaded(r, recorded);
      return r;
    }
  }

  /** The latest reload in one line, for the console; {@code null} before the first. */
  String lastReloadLine() {
    ReloadOutcome last = lastReload;
    return last == null
        ? null
        : last.outcome() + " at " + last.at() + (last.detail() == null ? "" : ": " + last.detail());
  }

  /** The bundle in use: digest, size, age, and how the last reload went. */
  Map<String, Object> bundleView() {
    Bundle b = ctx.engine().bundle();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("digest", b.digest());
    view.put("policies", b.policyNames().size());
    view.put("agents", b.agentNames().size());
    view.put("catalog", b.catalogSize());
    java.time.Instant loaded = ctx.engine().bundleLoadedAt();
    view.put("loadedAt", loaded.toString());
    view.put(
        "ageSeconds", Math.max(0, Duration.between(loaded, ctx.clock().instant()).toSeconds()));
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

  /** Marks approvals past their expiry; run by the server's sweeper, so it never throws. */
  void expireQuietly() {
    try {
      ctx.engine().approvals().expire();
    } catch (RuntimeException e) {
      ctx.metrics().rejected(503, "approval_expiry");
    }
  }

  // ---- metrics ----

  /** Whether a metrics token was set: the metrics listener then asks for it (or an admin's). */
  boolean metricsTokenSet() {
    return metricsTokenHash != null;
  }

  /**
   * {@code /metrics} names agents and policies: it needs the metrics token or an admin credential,
   * unless the server was told to serve it openly. Returns the admin, or {@code null} for the
   * metrics token.
   */
  String authorizeMetrics(Exchange exchange) throws ApiError {
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
    return auth.authenticateAdmin(exchange);
  }

  void respondMetrics(Exchange exchange) throws IOException {
    respondText(exchange, 200, "text/plain; version=0.0.4", metricsText());
  }

  /** The metrics as {@code /metrics} answers them. */
  String metricsText() {
    Bundle b = ctx.engine().bundle();
    return ctx.metrics()
        .render(
            new Metrics.Gauges(
                ctx.store().audit().pending(),
                b.digest(),
                ctx.engine().bundleLoadedAt().getEpochSecond(),
                connections.getAsInt(),
                ctx.store().readiness().ready(),
                reloadAudit.waiting(),
                reloadAudit.dropped(),
                people.limitedSignIns()));
  }
}
