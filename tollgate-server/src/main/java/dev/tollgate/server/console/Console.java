package dev.tollgate.server.console;

import com.sun.net.httpserver.HttpExchange;
import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Tollgate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;

/**
 * The web console for people, under {@code /console}: sign-in, the approvals inbox, grants, the
 * audit and an overview.
 */
public final class Console {
  private final Tollgate engine;
  private final Store store;
  private final InstantSource clock;

  public Console(Tollgate engine, Store store, InstantSource clock) {
    this.engine = engine;
    this.store = store;
    this.clock = clock;
  }

  /** Answers a request whose path is {@code /console} or under it. */
  public void handle(HttpExchange exchange) throws IOException {
    byte[] body =
        ("<!doctype html><title>Tollgate</title><p>The console is not built yet ("
                + engine.bundle().policyNames().size()
                + " policies, store "
                + store.kind()
                + ", "
                + clock.instant()
                + ").")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.sendResponseHeaders(501, body.length);
    exchange.getResponseBody().write(body);
  }
}
