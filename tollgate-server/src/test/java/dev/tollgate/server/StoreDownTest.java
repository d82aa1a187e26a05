package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import dev.tollgate.store.jdbc.TcpProxy;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fail closed: with PostgreSQL cut off or stalled behind a proxy, decisions (in a session and
 * without one) are denies that say "store unavailable", /ready is 503; when the store is back the
 * same server instance answers normally again, and the audit chain still verifies.
 */
class StoreDownTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final Duration DEADLINE = Duration.ofMillis(500);
  private static EmbeddedPostgres postgres;

  private TcpProxy proxy;
  private ServerFixture fixture;
  private JdbcStore store;
  private String session;

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  private void start() throws Exception {
    String database = "tollgate_down_" + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    proxy = new TcpProxy(postgres.getPort());
    fixture =
        ServerFixture.on(
                StoreConfig.postgres(
                        "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database,
                        "postgres",
                        "postgres")
                    .withDeadline(DEADLINE))
            .start();
    store = fixture.store;
    HttpResponse<String> opened =
        post("/v1/sessions", "{\"user\":\"alice\",\"request\":\"Tell Globex we need the W-9\"}");
    assertEquals(201, opened.statusCode(), opened.body());
    session = ApiJson.readTree(opened.body()).path("id").asText();
  }

  @AfterEach
  void stop() throws IOException {
    if (fixture != null) {
      fixture.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return fixture.post(path, body);
  }

  private int ready() throws Exception {
    return fixture.get("/ready").statusCode();
  }

  private String inSession() {
    return "{\"session\":\"" + session + "\",\"user\":\"alice\",\"tool\":\"invoices.search\"}";
  }

  private static final String NO_SESSION = "{\"user\":\"alice\",\"tool\":\"invoices.search\"}";

  /** Decides both calls with the store down: each must be a 200 deny for "store unavailable". */
  private void bothDeny(String what) throws Exception {
    for (String body : List.of(inSession(), NO_SESSION)) {
      long start = System.nanoTime();
      HttpResponse<String> r = post("/v1/decide", body);
      long ms = (System.nanoTime() - start) / 1_000_000;
      String label = what + (body.contains("session") ? ", in a session" : ", no session");
      assertEquals(200, r.statusCode(), label + ": " + r.body());
      JsonNode d = ApiJson.readTree(r.body());
      assertEquals("deny", d.path("effect").asText(), label + ": " + r.body());
      assertTrue(
          d.path("reasons").path(0).path("message").asText().startsWith("store unavailable"),
          label + ": " + r.body());
      System.out.printf("store down: %s answered a store-unavailable deny in %d ms%n", label, ms);
      // Each store call gives up at the deadline (in milliseconds, not whole seconds); the one that
      // fails first ends the decision.
      assertTrue(
          ms < 4 * DEADLINE.toMillis(),
          label + ": the deny took " + ms + " ms, more than 4x the deadline");
    }
    assertEquals(503, ready(), what + ": /ready");
  }

  /** The same calls once the store is back: allowed, recorded, /ready is 200. */
  private Set<String> bothAllowed(String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (ready() != 200) {
      assertTrue(System.nanoTime() < deadline, what + ": /ready not 200 within 30 s");
    }
    String inSession = null;
    String noSession = null;
    for (String body : List.of(inSession(), NO_SESSION)) {
      HttpResponse<String> r = post("/v1/decide", body);
      assertEquals(200, r.statusCode(), what + ": " + r.body());
      JsonNode d = ApiJson.readTree(r.body());
      assertEquals("allow", d.path("effect").asText(), what + ": " + r.body());
      if (body.contains("session")) {
        inSession = d.path("id").asText();
      } else {
        noSession = d.path("id").asText();
      }
    }
    return Set.of(inSession, noSession);
  }

  private void auditHas(Set<String> decisions) {
    List<AuditRecord> records = store.audit().search(AuditQuery.after(0, 10_000));
    Set<String> audited =
        records.stream()
            .filter(r -> "decision".equals(r.entry().kind().wireName()))
            .map(r -> r.entry().decision())
            .collect(java.util.stream.Collectors.toSet());
    assertTrue(audited.containsAll(decisions), audited + " lacks some of " + decisions);
    AuditSigner signer = AuditSigner.generate();
    AuditRecord head = store.audit().head().orElseThrow();
    store.audit().addCheckpoint(signer.sign(head.seq(), head.hash(), Instant.now()));
    AuditVerifier.Result result = AuditVerifier.verify(store.audit(), signer.publicKey());
    assertTrue(result.ok(), result.toString());
    System.out.printf("store down: after recovery %s%n", result.message());
  }

  @Test
  void aCutStoreDeniesAndTheSameServerRecoversWhenItIsBack() throws Exception {
    start();
    Set<String> before = bothAllowed("before the cut");
    proxy.cut();
    bothDeny("cut");
    proxy.resume();
    Set<String> after = bothAllowed("after the cut");
    auditHas(union(before, after));
  }

  @Test
  void aStoreSlowerThanTheDeadlineDeniesAndTheSameServerRecovers() throws Exception {
    start();
    Set<String> before = bothAllowed("before the stall");
    proxy.stall();
    bothDeny("stalled");
    proxy.release();
    Set<String> after = bothAllowed("after the stall");
    auditHas(union(before, after));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream())
        .collect(java.util.stream.Collectors.toSet());
  }
}
