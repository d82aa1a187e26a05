package dev.tollgate.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Store;
import dev.tollgate.engine.Bundle;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A real server on a real store with the invoice example's bundle and one agent, {@value #AGENT},
 * whose token is {@link #token}; plus the HTTP calls the server tests make. Close it after each
 * test (closing twice is harmless, so a test may stop the server early).
 *
 * <pre>{@code
 * fixture = ServerFixture.sqlite(dir);                                     // the usual server
 * fixture = ServerFixture.on(config).options(b -> b.maxBodyBytes(1024)).start(); // with options
 * }</pre>
 */
final class ServerFixture implements AutoCloseable {
  static final Path INVOICE_EXAMPLE = Path.of("..", "examples", "invoice-vendor-mail");
  static final String AGENT = "invoice-bot";

  /** Long enough for a loaded machine; a request that hangs fails the test instead of the run. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The store itself, also when the server sees it through a decorator. */
  final JdbcStore store;

  final TollgateServer server;

  /** {@value #AGENT}'s bearer token. */
  final String token;

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private boolean closed;

  private ServerFixture(JdbcStore store, TollgateServer server, String token) {
    this.store = store;
    this.server = server;
    this.token = token;
  }

  /** The usual server: SQLite in {@code dir}, default options. */
  static ServerFixture sqlite(Path dir) throws Exception {
    return on(StoreConfig.sqlite(dir)).start();
  }

  /** A server on a store opened with {@code config}, once {@link Builder#start()} is called. */
  static Builder on(StoreConfig config) {
    return new Builder(config);
  }

  static final class Builder {
    private final StoreConfig config;
    private Consumer<TollgateServer.Builder> options = b -> {};
    private UnaryOperator<Store> seenByServer = UnaryOperator.identity();

    private Builder(StoreConfig config) {
      this.config = config;
    }

    /** Server options beyond the port, the store and the bundle. */
    Builder options(Consumer<TollgateServer.Builder> options) {
      this.options = options;
      return this;
    }

    /** What the server is given instead of the store itself (a decorator that injects faults). */
    Builder seenByServer(UnaryOperator<Store> seenByServer) {
      this.seenByServer = seenByServer;
      return this;
    }

    ServerFixture start() throws Exception {
      JdbcStore store = JdbcStore.open(config);
      try {
        String token = Tokens.newToken();
        store.credentials().add(AGENT, Tokens.hash(token), Instant.now());
        TollgateServer.Builder server =
            TollgateServer.builder()
                .port(0)
                .store(seenByServer.apply(store))
                .bundle(Bundle.load(INVOICE_EXAMPLE));
        options.accept(server);
        return new ServerFixture(store, server.start(), token);
      } catch (Exception | Error e) {
        store.close();
        throw e;
      }
    }
  }

  /** Adds an agent and returns its new bearer token. */
  String addAgent(String name) {
    String agentToken = Tokens.newToken();
    store.credentials().add(name, Tokens.hash(agentToken), Instant.now());
    return agentToken;
  }

  /** Adds an admin credential ({@code admin:name}) and returns its bearer token. */
  String addAdmin(String name) {
    return addAgent(TollgateServer.ADMIN_PREFIX + ":" + name);
  }

  /** A request to {@code path} on this server, with the fixture's timeout. */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.uri().resolve(path)).timeout(REQUEST_TIMEOUT);
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A JSON POST as {@value #AGENT}. */
  HttpResponse<String> post(String path, String body) throws Exception {
    return post(token, path, body);
  }

  /** A JSON POST with {@code bearer} as its token, or with no Authorization if it is null. */
  HttpResponse<String> post(String bearer, String path, String body) throws Exception {
    HttpRequest.Builder b =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    return send(authorized(b, bearer));
  }

  /** A GET without credentials. */
  HttpResponse<String> get(String path) throws Exception {
    return get(null, path);
  }

  /** A GET with {@code bearer} as its token, or with no Authorization if it is null. */
  HttpResponse<String> get(String bearer, String path) throws Exception {
    return send(authorized(request(path).GET(), bearer));
  }

  private static HttpRequest.Builder authorized(HttpRequest.Builder b, String bearer) {
    return bearer == null ? b : b.header("Authorization", "Bearer " + bearer);
  }

  /** The {@code error} object of an error answer (a missing node if there is none). */
  static JsonNode error(HttpResponse<String> r) throws Exception {
    return ApiJson.readTree(r.body()).path("error");
  }

  /** The audit as the store holds it, oldest first. */
  List<AuditRecord> audit() {
    return store.audit().search(AuditQuery.after(0, 100_000));
  }

  /** Stops the server, then closes the store; a second call does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.close();
    } finally {
      store.close();
    }
  }
}
