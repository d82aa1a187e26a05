package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.Bundle;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scale-out: two servers, each with its own store instance, on one PostgreSQL database share
 * agents, sessions (request and labels) and one audit chain.
 */
class ScaleOutTest {
  static final String CATALOG =
      """
      tools:
        email.send: {kind: send, external: true, control: [to]}
        invoices.search: {kind: read, results: {labels: [financial], trust: trusted}}
      """;
  static final String POLICIES =
      """
      policies:
        - name: not-the-requested-vendor
          match: {tools: ["email.send"]}
          when: >
            !action.args.to.all(r, session.request.lowerAscii().contains(r.split("@")[1].split(".")[0]))
          effect: deny
          message: '"a recipient the request did not name"'
        - name: send-after-financial-read
          match: {tools: ["email.send"]}
          when: '"financial" in session.labels'
          effect: ask
          message: '"an external send after reading financial data"'
        - name: invoice-data-out
          match: {tools: ["email.send"]}
          when: '"financial" in flow.labels'
          effect: deny
          message: '"carries " + flow.labels.join(", ") + " from " + flow.sources.join(", ")'
        - name: recipient-made-up
          match: {tools: ["email.send"]}
          when: 'provenance.to.origin == "none"'
          effect: deny
          mode: shadow
          message: '"a recipient from nowhere"'
      """;
  static final byte[] KEY = "shared-16-bytes!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private EmbeddedPostgres postgres;
  private JdbcStore storeA;
  private JdbcStore storeB;
  private TollgateServer serverA;
  private TollgateServer serverB;
  private String token;

  @BeforeEach
  void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE tollgate");
    }
    StoreConfig config =
        StoreConfig.postgres(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/tollgate",
                "postgres",
                "postgres")
            .withDeadline(Duration.ofSeconds(10));
    storeA = JdbcStore.open(config);
    storeB = JdbcStore.open(config);
    Bundle bundle =
        Bundle.fromFiles(
            Map.of(
                "catalog.yaml",
                CATALOG,
                "policies.yaml",
                POLICIES,
                "agents.yaml",
                "defaults: {unprofiled: allow}\n"));
    serverA =
        TollgateServer.builder().port(0).store(storeA).bundle(bundle).fingerprintKey(KEY).start();
    serverB =
        TollgateServer.builder().port(0).store(storeB).bundle(bundle).fingerprintKey(KEY).start();
    token = Tokens.newToken();
    // Registered through A only: B must know the agent from the shared database.
    storeA.credentials().add("mail-bot", Tokens.hash(token), Instant.now());
  }

  @AfterEach
  void stop() throws Exception {
    serverA.close();
    serverB.close();
    storeA.close();
    storeB.close();
    postgres.close();
  }

  private TollgateClient a() {
    return TollgateClient.connect(serverA.uri(), "mail-bot", token);
  }

  private TollgateClient b() {
    return TollgateClient.connect(serverB.uri(), "mail-bot", token);
  }

  private static Action send(String session, String user, String to) {
    return Action.of(session, user, "email.send", Map.of("to", List.of(to), "body", "hello"));
  }

  @Test
  void aSessionOpenedOnOneServerIsDecidedOnTheOtherAndTheAuditIsOneChain() throws Exception {
    assertNotEquals(serverA.port(), serverB.port());
    List<String> answered = new ArrayList<>();

    // Opened and observed on A, decided on B: B sees A's request and the label A's observation
    // added.
    String globex = a().openSession(SessionSpec.of("via-a", "Tell Globex we need the W-9"));
    Decision fresh = b().decide(send(globex, "via-b", "ap@globex.example"));
    assertEquals(Effect.ALLOW, fresh.effect(), fresh.toString());
    Decision offRequest = b().decide(send(globex, "via-b", "ap@initech.example"));
    assertEquals(Effect.DENY, offRequest.effect(), offRequest.toString());
    assertEquals(List.of("not-the-requested-vendor"), offRequest.policies());
    a().observe(new Observation(globex, "invoices.search", null, "invoice 4471"));
    Decision afterRead = b().decide(send(globex, "via-b", "ap@globex.example"));
    assertEquals(Effect.ASK, afterRead.effect(), afterRead.toString());
    assertEquals(List.of("send-after-financial-read"), afterRead.policies());
    // And the other way round: opened on B, decided on A.
    String initech = b().openSession(SessionSpec.of("via-b", "Ask Initech for the contract"));
    Decision onA = a().decide(send(initech, "via-a", "legal@initech.example"));
    assertEquals(Effect.ALLOW, onA.effect(), onA.toString());
    for (Decision d : List.of(fresh, offRequest, afterRead, onA)) {
      answered.add(d.id());
    }
    // Either server reads back a decision the other gave, from the shared audit.
    assertEquals(Optional.of(afterRead), a().decision(afterRead.id()));
    assertEquals(Optional.of(onA), b().decision(onA.id()));
    assertEquals(Optional.empty(), b().decision("dec_nope"));

    // Both servers at once: four callers on each, sessions opened on one and decided on the
    // other.
    int perCaller = 25;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    ConcurrentLinkedQueue<String> concurrent = new ConcurrentLinkedQueue<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      boolean onAFirst = t % 2 == 0;
      int caller = t;
      futures.add(
          pool.submit(
              () -> {
                TollgateClient opener = onAFirst ? a() : b();
                TollgateClient decider = onAFirst ? b() : a();
                String user = onAFirst ? "via-b" : "via-a";
                String session =
                    opener.openSession(
                        SessionSpec.of("caller-" + caller, "Tell Globex about order " + caller));
                for (int i = 0; i < perCaller; i++) {
                  Decision d =
                      decider.decide(
                          send(
                              session,
                              user,
                              i % 5 == 0 ? "x@initech.example" : "ap@globex.example"));
                  Effect expected = i % 5 == 0 ? Effect.DENY : Effect.ALLOW;
                  if (d.effect() != expected) {
                    throw new AssertionError(caller + "/" + i + ": " + d);
                  }
                  concurrent.add(d.id());
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    answered.addAll(concurrent);
    assertEquals(4 + 8 * perCaller, new HashSet<>(answered).size());

    // One chain, read through either store, holding every decision from both servers.
    AuditSigner signer = AuditSigner.generate();
    AuditRecord head = storeA.audit().head().orElseThrow();
    storeA.audit().addCheckpoint(signer.sign(head.seq(), head.hash(), Instant.now()));
    List<AuditRecord> records = storeB.audit().search(AuditQuery.after(0, 10_000));
    Map<String, Integer> byUser = new HashMap<>();
    Set<String> audited = new HashSet<>();
    for (AuditRecord r : records) {
      if ("decision".equals(r.entry().kind().wireName())) {
        audited.add(r.entry().decision());
        byUser.merge(r.entry().user(), 1, Integer::sum);
      }
    }
    assertTrue(audited.containsAll(answered), "every answered decision is audited");
    assertEquals(answered.size(), audited.size());
    assertEquals(Map.of("via-a", 1 + 4 * perCaller, "via-b", 3 + 4 * perCaller), byUser);
    assertEquals(
        8 + 2 + 1 + 1,
        records.stream()
            .filter(r -> !Set.of("decision", "approval").contains(r.entry().kind().wireName()))
            .count(),
        "10 session openings, 1 observation and 1 read of an unknown decision (rejected)");
    AuditVerifier.Result result = AuditVerifier.verify(storeB.audit(), signer.publicKey());
    assertTrue(result.ok(), result.toString());
    assertEquals(records.size(), result.records());
    assertEquals(1, result.checkpoints());
    System.out.printf(
        "scale-out: %d decisions (%s by the server that decided), %d records verified: %s%n",
        audited.size(), byUser, result.records(), result.message());
  }

  /**
   * An approval opened on A and approved through B's engine issues a one-use grant that exactly one
   * of 100 concurrent decisions, spread over both servers, gets.
   */
  @Test
  void aOneUseGrantIsTakenOnceAcrossTwoServers() throws Exception {
    String s = a().openSession(SessionSpec.of("via-a", "Tell Globex we need the W-9"));
    a().observe(new Observation(s, "invoices.search", null, "invoice 4471"));
    Action send = send(s, "via-a", "ap@globex.example");
    Decision asked = a().decide(send);
    assertEquals(Effect.ASK, asked.effect(), asked.toString());
    assertEquals(asked.approval().id(), b().decide(send).approval().id(), "one approval, shared");
    serverB.engine().approvals().approve(asked.approval().id(), "carol", null, null);
    List<java.util.concurrent.Future<Decision>> results = new ArrayList<>();
    try (java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 100; i++) {
        TollgateClient client = i % 2 == 0 ? a() : b();
        results.add(pool.submit(() -> client.decide(send)));
      }
    }
    int allowed = 0;
    for (java.util.concurrent.Future<Decision> f : results) {
      Decision d = f.get();
      assertNotEquals(Effect.DENY, d.effect(), d.toString());
      allowed += d.effect() == Effect.ALLOW ? 1 : 0;
    }
    assertEquals(1, allowed, "exactly one decision used the one-use grant");
    System.out.printf("scale-out: 100 concurrent decisions on two servers, %d allowed%n", allowed);
  }

  @Test
  void aRetryWithTheSameRequestIdSentToTheOtherServerGetsTheSameDecision() throws Exception {
    String s = a().openSession(SessionSpec.of("via-a", "Tell Globex we need the W-9"));
    a().observe(new Observation(s, "invoices.search", null, "invoice 4471"));
    Action send = send(s, "via-a", "ap@globex.example");
    String approval = a().decide(send).approval().id();
    serverA.engine().approvals().approve(approval, "carol", null, null);
    Action once =
        new Action(send.session(), send.user(), send.tool(), send.args(), null, "r-scale-1");
    Decision first = a().decide(once);
    assertEquals(Effect.ALLOW, first.effect(), first.toString());
    assertEquals(first, b().decide(once), "B answers A's decision for the same request id");

    // Twenty duplicates at once, spread over both servers: one decision, the same for all.
    Action racing =
        new Action(send.session(), send.user(), send.tool(), send.args(), null, "r-scale-2");
    List<java.util.concurrent.Future<Decision>> results = new ArrayList<>();
    try (java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 20; i++) {
        TollgateClient client = i % 2 == 0 ? a() : b();
        results.add(pool.submit(() -> client.decide(racing)));
      }
    }
    Set<Decision> answers = new HashSet<>();
    for (java.util.concurrent.Future<Decision> f : results) {
      answers.add(f.get());
    }
    assertEquals(1, answers.size(), answers.toString());
    assertEquals(Effect.ASK, answers.iterator().next().effect(), "the grant's one use went to r1");
    List<AuditRecord> records = storeB.audit().search(AuditQuery.after(0, 1000));
    long decisions =
        records.stream()
            .filter(r -> r.entry().kind().wireName().equals("decision"))
            .filter(r -> r.entry().detail().get("requestId") != null)
            .count();
    long retries =
        records.stream().filter(r -> r.entry().kind().wireName().equals("retry")).count();
    assertEquals(2, decisions, "one decision record per request id");
    assertEquals(20, retries, "one retry record per answer given again");
  }

  /** POSTs an approval as {@code bearer} to {@code server}; the status and body. */
  private static java.net.http.HttpResponse<String> approveOn(
      TollgateServer server, String id, String bearer) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    server.uri().resolve("/v1/approvals/" + id + "/approve"))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twoPeopleApprovingFourEyesAtOnceOnTwoServersMakeExactlyOneGrant() throws Exception {
    Bundle fourEyes =
        Bundle.fromFiles(
            Map.of(
                "agents.yaml",
                "defaults: {unprofiled: allow}\n",
                "policies.yaml",
                """
                policies:
                  - name: payments-need-four-eyes
                    match: {tools: ["payments.send"]}
                    effect: ask
                    approval: {fourEyes: true}
                """));
    serverA.engine().reload(fourEyes);
    serverB.engine().reload(fourEyes);
    String carol = Tokens.newToken();
    String dave = Tokens.newToken();
    storeA.credentials().add("@admin-carol", Tokens.hash(carol), Instant.now());
    storeA.credentials().add("@admin-dave", Tokens.hash(dave), Instant.now());
    String s = a().openSession(SessionSpec.of("alice@acme.example", "Pay the invoices"));
    for (int round = 0; round < 8; round++) {
      Action pay = Action.of(s, "alice@acme.example", "payments.send", Map.of("invoice", round));
      String id = a().decide(pay).approval().id();
      // Round by round: two different people at once, or the same person on both servers.
      boolean samePerson = round % 4 == 3;
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
      List<java.util.concurrent.Future<java.net.http.HttpResponse<String>>> answers =
          new ArrayList<>();
      try (java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        for (TollgateServer server : List.of(serverA, serverB)) {
          String bearer = server == serverA || samePerson ? carol : dave;
          answers.add(
              pool.submit(
                  () -> {
                    together.await();
                    return approveOn(server, id, bearer);
                  }));
        }
      }
      List<Integer> statuses = new ArrayList<>();
      for (var f : answers) {
        statuses.add(f.get().statusCode());
      }
      long grants =
          serverA.engine().approvals().grants(false, 1000).stream()
              .filter(g -> id.equals(g.approval()))
              .count();
      var approval = serverB.engine().approvals().get(id).orElseThrow();
      if (samePerson) {
        assertTrue(statuses.contains(200) && statuses.contains(409), statuses.toString());
        assertEquals(0, grants, "one person is not four eyes");
        assertEquals(ApprovalStatus.PENDING, approval.status());
        assertEquals(1, approval.approvals().size());
      } else {
        assertEquals(List.of(200, 200), statuses);
        assertEquals(1, grants, "exactly one grant for two approvals at once");
        assertEquals(ApprovalStatus.APPROVED, approval.status());
        assertEquals(
            Set.of("@admin-carol", "@admin-dave"),
            Set.copyOf(approval.approvals().stream().map(x -> x.by()).toList()));
        assertEquals(Effect.ALLOW, b().decide(pay).effect());
      }
    }
  }

  @Test
  void dataFlowAndProvenanceAreSeenByTheOtherServer() {
    String s = a().openSession(SessionSpec.of("via-a", "Tell Globex we need the W-9"));
    // B decides first, so its index of the session exists before A observes: it must catch up.
    assertEquals(Effect.ALLOW, b().decide(send(s, "via-b", "ap@globex.example")).effect());
    a().observe(
            new Observation(
                s,
                "invoices.search",
                null,
                Map.of(
                    "hits",
                    List.of("Invoice INV-4471, Globex GmbH, 12,400.00 EUR, ap@globex.example"))));
    Decision pasted =
        b().decide(
                Action.of(
                    s,
                    "via-b",
                    "email.send",
                    Map.of("to", List.of("ap@globex.example"), "body", "re inv 4471 (12400 EUR)")));
    assertEquals(Effect.DENY, pasted.effect(), pasted.toString());
    assertEquals(List.of("invoice-data-out"), pasted.policies());
    assertEquals("carries financial from invoices.search", pasted.reasons().getFirst().message());

    // the request named Globex, not this address, and no result held it
    Decision madeUp = a().decide(send(s, "via-a", "billing@globex.example"));
    assertEquals(
        List.of("recipient-made-up"),
        madeUp.shadow().stream().map(o -> o.policy()).toList(),
        madeUp.toString());
    Decision fromResult = a().decide(send(s, "via-a", "ap@globex.example"));
    assertEquals(List.of(), fromResult.shadow(), fromResult.toString());
  }
}
