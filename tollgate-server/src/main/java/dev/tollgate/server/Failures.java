package dev.tollgate.server;

import static dev.tollgate.server.Bodies.respond;
import static dev.tollgate.server.Bodies.respondError;

import dev.tollgate.api.Decision;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests that went wrong, answered and recorded: a client's mistake or a broken connection, an
 * internal error, a store that is down. These are the only audit writes left in the server (the
 * engine records decisions, observations and their refusals itself); an error's type is recorded,
 * never its message, which may quote the request.
 */
final class Failures {
  private final ServerContext ctx;

  Failures(ServerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * A request that failed on the connection: the body ended before its length, or arrived too
   * slowly (the client is told, when it still listens), or the client went away (the connection is
   * closed without an answer).
   */
  void clientFailed(Exchange exchange, String agent, Exception e) {
    boolean timeout = timedOut(e);
    boolean cut = !timeout && endedEarly(e);
    if ((!timeout && !cut) || exchange.answered()) {
      ctx.metrics().rejected(499, "client_closed");
      exchange.abort(e);
      return;
    }
    int status = timeout ? 408 : 400;
    String code = timeout ? "request_timeout" : "bad_request";
    ctx.metrics().rejected(status, code);
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
  void internalError(Exchange exchange, String agent, String path, String method, Throwable e) {
    ctx.metrics().rejected(500, "internal");
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
            ctx.engine()
                .deny(
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

  /** A deny for a decide whose caller could not be authenticated because the store is down. */
  Decision storeUnavailable(StoreUnavailableException e) {
    return ctx.engine()
        .deny(
            "store unavailable: the agent token could not be checked ("
                + e.getMessage()
                + "); denied to fail closed");
  }

  /**
   * Records a refused or failed request. {@code error} is an internal error's type, never its
   * message (which may quote the request).
   */
  void auditRejected(Exchange exchange, String agent, int status, String code, String error) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("status", status);
    detail.put("code", code);
    detail.put("path", Text.shown(exchange.path()));
    detail.put("method", Text.shown(exchange.method()));
    if (error != null) {
      detail.put("error", error);
    }
    try {
      audit(ctx.event(AuditEntry.Kind.REJECTED, agent, null, null, null, detail));
    } catch (RuntimeException ignored) {
      // The answer still goes out; the store's own metrics show it is down.
      ctx.metrics().rejected(503, "audit_unavailable");
    }
  }

  private void audit(AuditEntry entry) {
    long start = System.nanoTime();
    ctx.store().audit().append(List.of(entry));
    ctx.metrics().store(System.nanoTime() - start);
  }
}
