package dev.tollgate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.client.TollgateClient;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.PolicyDirectory.Outcome;
import dev.tollgate.json.ApiJson;
import dev.tollgate.server.ReloadRecorder.Heard;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate never opens by accident while its policy directory changes under it: a real server on a
 * real directory, real SQLite, the real watcher.
 */
class BundleSafetyTest {
  @TempDir Path data;
  @TempDir Path root;
  private Path policies;
  private JdbcStore store;
  private TollgateServer server;
  private TollgateClient agent;
  private String agentToken;
  private String admin;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ReloadRecorder reloads = new ReloadRecorder();

  /**
   * Once armed, the next settle wait of a reload blocks until the test releases it, so that the
   * test acts while a reload is in its settle wait; otherwise the settle time passes at once (the
   * test controls time: what a settle wait protects against is staged with the hold).
   */
  private final AtomicBoolean holdNextSettle = new AtomicBoolean();

  private final CountDownLatch settling = new CountDownLatch(1);
  private final CountDownLatch settleEnds = new CountDownLatch(1);

  private void settle(Duration period) throws InterruptedException {
    if (holdNextSettle.compareAndSet(true, false)) {
      settling.countDown();
      settleEnds.await();
    }
  }

  private static final String AGENTS = "agents:\n  ops-bot: {tools: ['*']}\n";
  private static final String POLICIES =
      """
      policies:
        - {name: deny-shell, match: {tools: ["shell.*"]}, effect: deny}
        - {name: ask-payments, match: {tools: ["payments.*"]}, effect: ask}
        - {name: deny-deletes, match: {tools: ["*.delete"]}, effect: deny}
      """;

  @BeforeEach
  void start() throws Exception {
    policies = Files.createDirectories(root.resolve("policies"));
    Files.writeString(policies.resolve("agents.yaml"), AGENTS);
    Files.writeString(policies.resolve("policies.yaml"), POLICIES);
    store = JdbcStore.open(StoreConfig.sqlite(data));
    agentToken = Tokens.newToken();
    store.credentials().add("ops-bot", Tokens.hash(agentToken), Instant.now());
    store.credentials().add("stranger", Tokens.hash(agentToken + "-s"), Instant.now());
    admin = Tokens.newToken();
    store.credentials().add(TollgateServer.ADMIN_PREFIX, Tokens.hash(admin), Instant.now());
    server = serve();
    agent = TollgateClient.connect(server.uri(), "ops-bot", agentToken);
  }

  private TollgateServer serve() throws Exception {
    return TollgateServer.builder()
        .port(0)
        .store(store)
        .policies(policies)
        .reloadSettle(Duration.ofMillis(400))
        .watchPoll(Duration.ofMillis(200))
        .reloadListener(reloads)
        .reloadSleeper(this::settle)
        .start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private Effect shell() {
    return agent.decide(Action.of(null, "u", "shell.exec", Map.of("cmd", "rm -rf /"))).effect();
  }

  private static Predicate<Heard> loaded(int policies) {
    return r -> r.outcome() == Outcome.LOADED && r.policies() == policies;
  }

  private static boolean refused(Heard r) {
    return r.outcome() == Outcome.REFUSED;
  }

  private long audited(String key) {
    return store.audit().search(AuditQuery.after(0, 1000)).stream()
        .filter(r -> r.entry().kind().wireName().equals("reload"))
        .filter(r -> r.entry().detail().containsKey(key))
        .count();
  }

  private JsonNode ready() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(server.uri().resolve("/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      return ApiJson.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private String metrics() throws Exception {
    return http.send(
            HttpRequest.newBuilder(server.uri().resolve("/metrics"))
                .header("Authorization", "Bearer " + admin)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private String lastOutcome() {
    return ready().path("bundle").path("lastReload").path("outcome").asText("");
  }

  @Test
  void anEmptiedDirectoryDuringADeployKeepsTheOldBundle() throws Exception {
    assertEquals(Effect.DENY, shell());
    String digest = server.engine().bundle().digest();
    Path away = Files.createDirectories(root.resolve("away"));
    int mark = reloads.seen();
    try (Stream<Path> files = Files.list(policies)) {
      for (Path f : files.toList()) {
        Files.move(f, away.resolve(f.getFileName()));
      }
    }
    reloads.await(
        mark,
        r -> refused(r) && r.reload().detail().contains("no bundle files"),
        "the emptied directory is refused");
    assertTrue(audited("refused") >= 1, "the refused reload is audited");
    assertEquals(Effect.DENY, shell(), "shell.exec stays denied");
    assertEquals(digest, server.engine().bundle().digest());
    assertEquals("refused", lastOutcome());
    assertTrue(metrics().contains("tollgate_reloads_total{outcome=\"refused\"}"), metrics());
  }

  @Test
  void aDeletedPolicyFileIsNotLoadedAsZeroPolicies() throws Exception {
    int mark = reloads.seen();
    Files.delete(policies.resolve("policies.yaml"));
    reloads.await(mark, BundleSafetyTest::refused, "the bundle without policies is refused");
    assertTrue(audited("refused") >= 1, "the refused reload is audited");
    assertEquals(3, server.engine().bundle().policyNames().size());
    assertEquals(Effect.DENY, shell());
    assertTrue(
        ready().path("bundle").path("lastReload").path("detail").asText().contains("no policies"),
        ready().toString());
  }

  @Test
  void aPolicyFileWrittenInTwoPartsNeverLoadsItsPrefix() throws Exception {
    String prefix =
        "policies:\n  - {name: ask-payments, match: {tools: [\"payments.*\"]}, effect: ask}\n";
    String whole = POLICIES + "  - {name: ask-mail, match: {tools: [\"email.*\"]}, effect: ask}\n";
    int mark = reloads.seen();
    holdNextSettle.set(true);
    Files.writeString(policies.resolve("policies.yaml"), prefix);
    // The prefix drops two policies: its reload waits out the settle time, and the rest of the
    // file is written meanwhile.
    assertTrue(settling.await(20, TimeUnit.SECONDS), "the prefix's reload never waited to settle");
    assertEquals(3, server.engine().bundle().policyNames().size(), "the prefix was loaded");
    assertEquals(Effect.DENY, shell());
    Files.writeString(policies.resolve("policies.yaml"), whole);
    settleEnds.countDown();
    reloads.await(mark, loaded(4), "the whole file is loaded");
    assertEquals(
        List.of(),
        reloads.since(mark).stream().filter(loaded(1)).toList(),
        "the one-policy prefix was loaded");
    assertEquals(4, server.engine().bundle().policyNames().size());
    assertEquals(Effect.DENY, shell());
  }

  @Test
  void theWatcherSurvivesRemovalRecreationAndRenameOfTheDirectory() throws Exception {
    String first = server.engine().bundle().digest();
    // Removed and re-created with new content.
    try (Stream<Path> files = Files.list(policies)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    int mark = reloads.seen();
    Files.delete(policies);
    reloads.await(mark, BundleSafetyTest::refused, "the missing directory is refused");
    assertTrue(audited("refused") >= 1, "the refused reload is audited");
    assertEquals(first, server.engine().bundle().digest());
    mark = reloads.seen();
    Files.createDirectories(policies);
    Files.writeString(policies.resolve("agents.yaml"), AGENTS);
    Files.writeString(
        policies.resolve("policies.yaml"),
        POLICIES + "  - {name: ask-mail, match: {tools: [\"email.*\"]}, effect: ask}\n");
    reloads.await(mark, loaded(4), "the re-created one is loaded");
    String second = server.engine().bundle().digest();
    assertNotEquals(first, second);
    assertEquals(second, ready().path("bundle").path("digest").asText());
    assertTrue(metrics().contains("tollgate_bundle_info{digest=\"" + second + "\"} 1"));
    assertEquals("loaded", lastOutcome());

    // Renamed away and back, edited meanwhile.
    Path aside = root.resolve("aside");
    mark = reloads.seen();
    Files.move(policies, aside, StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(
        aside.resolve("policies.yaml"),
        POLICIES
            + "  - {name: ask-mail, match: {tools: [\"email.*\"]}, effect: ask}\n"
            + "  - {name: ask-crm, match: {tools: [\"crm.*\"]}, effect: ask}\n");
    reloads.await(
        mark,
        r -> refused(r) && r.reload().detail().contains("no such directory"),
        "the directory renamed away is refused");
    mark = reloads.seen();
    Files.move(aside, policies, StandardCopyOption.ATOMIC_MOVE);
    reloads.await(mark, loaded(5), "the directory renamed back is loaded");
    assertEquals(server.engine().bundle().digest(), ready().path("bundle").path("digest").asText());
    mark = reloads.seen();
    Files.writeString(
        policies.resolve("policies.yaml"),
        POLICIES
            + "  - {name: ask-mail, match: {tools: [\"email.*\"]}, effect: ask}\n  - {name: ask-crm, match: {tools: [\"crm.*\"]}, effect: ask}\n  - {name: ask-db, match: {tools: [\"db.*\"]}, effect: ask}\n");
    reloads.await(mark, loaded(6), "edits after the rename are still seen");
  }

  /**
   * A parent directory that never stays quiet (as /tmp never does) must not keep a change from
   * being reloaded: only events about the policy directory extend the wait for a burst to settle.
   */
  @Test
  void aBusyParentDirectoryDoesNotStallTheWatcher() throws Exception {
    ScheduledExecutorService neighbour = Executors.newSingleThreadScheduledExecutor();
    try {
      AtomicInteger n = new AtomicInteger();
      // Another program's file beside the policy directory, rewritten far more often than the
      // settle time.
      neighbour.scheduleAtFixedRate(
          () -> {
            try {
              Files.writeString(root.resolve("neighbour.log"), "x".repeat(n.incrementAndGet()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
      int mark = reloads.seen();
      Files.writeString(
          policies.resolve("policies.yaml"),
          POLICIES + "  - {name: ask-mail, match: {tools: [\"email.*\"]}, effect: ask}\n");
      reloads.await(mark, loaded(4), "the edit is loaded while the parent stays busy");
      assertTrue(n.get() > 0, "the neighbour wrote nothing");
    } finally {
      neighbour.shutdownNow();
    }
  }

  @Test
  void anUnprofiledAgentIsDeniedByDefault() throws Exception {
    TollgateClient stranger = TollgateClient.connect(server.uri(), "stranger", agentToken + "-s");
    assertEquals(Effect.DENY, stranger.decide(Action.of(null, "u", "crm.read", Map.of())).effect());
    int mark = reloads.seen();
    Files.writeString(policies.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n" + AGENTS);
    reloads.await(mark, loaded(3), "the explicit default is loaded");
    assertEquals(
        Effect.ALLOW, stranger.decide(Action.of(null, "u", "crm.read", Map.of())).effect());
    assertEquals(
        Effect.DENY, stranger.decide(Action.of(null, "u", "shell.exec", Map.of())).effect());
  }

  @Test
  void serveRefusesAnEmptyDirectory() throws Exception {
    Path empty = Files.createDirectories(root.resolve("empty"));
    BundleException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            BundleException.class,
            () -> TollgateServer.builder().port(0).store(store).policies(empty));
    assertTrue(e.render().contains("no bundle files"), e.render());
  }
}
