package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.PeopleStore.Person;
import dev.tollgate.engine.Bundle;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's sign-in through the real server on a real SQLite store, as an attacker tries it:
 * parallel guesses get no more passwords checked than the free tries, made-up names are throttled
 * per address and server-wide and cost no hashing, a success clears its address's failures and a
 * day clears a name's, a flood of sign-ins leaves decisions their latency, and an old hash is
 * upgraded at sign-in. Passwords checked are counted where hashing runs ({@link Hashing#computed}).
 */
class SignInTest {
  private static final String PASSWORD = "correct horse battery staple";

  @TempDir Path data;

  /** The server's clock, for the throttle tests: it stands still unless a test moves it. */
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-01T09:00:00Z"));

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private JdbcStore store;
  private TollgateServer server;
  private String agentToken;

  private void start(InstantSource clock) throws Exception {
    store = JdbcStore.open(StoreConfig.sqlite(data));
    agentToken = Tokens.newToken();
    store.credentials().add("invoice-bot", Tokens.hash(agentToken), Instant.now());
    new People(store, clock).add("test", "dana", Set.of("approver"), PASSWORD.toCharArray());
    server =
        TollgateServer.builder()
            .port(0)
            .store(store)
            .clock(clock)
            .bundle(Bundle.load(Path.of("..", "examples", "invoice-vendor-mail")))
            .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private HttpResponse<String> signIn(String name, String password) throws Exception {
    String form =
        "name="
            + URLEncoder.encode(name, StandardCharsets.UTF_8)
            + "&password="
            + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return http.send(
        HttpRequest.newBuilder(server.uri().resolve("/console/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** One decision over HTTP; its latency in nanoseconds. */
  private long decide() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/v1/decide"))
                .header("Authorization", "Bearer " + agentToken)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"user\":\"alice\",\"tool\":\"invoices.search\",\"args\":{}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    long nanos = System.nanoTime() - start;
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"effect\":\"allow\"");
    return nanos;
  }

  /**
   * 31 people-at-once each try a wrong password and then the right one, for one name. The check and
   * the count are one step: exactly the free tries get a password checked, every other try is
   * refused before any hashing, and the right password waits like a wrong one while the name is
   * throttled. Once the wait is over, the right password gets in.
   */
  @Test
  void parallelGuessesGetNoMorePasswordsCheckedThanTheFreeTries() throws Exception {
    start(now::get);
    long before = Hashing.computed();
    int tries = 31;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<int[]>> answers = new ArrayList<>();
    List<String> retryAfter = Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < tries; i++) {
        String guess = "wrong guess number " + i;
        answers.add(
            clients.submit(
                () -> {
                  go.await();
                  int wrong = signIn("dana", guess).statusCode();
                  HttpResponse<String> right = signIn("dana", PASSWORD);
                  right.headers().firstValue("Retry-After").ifPresent(retryAfter::add);
                  return new int[] {wrong, right.statusCode()};
                }));
      }
      go.countDown();
    }
    List<Integer> wrong = new ArrayList<>();
    List<Integer> right = new ArrayList<>();
    for (Future<int[]> f : answers) {
      wrong.add(f.get()[0]);
      right.add(f.get()[1]);
    }
    long checked = Hashing.computed() - before;
    System.out.printf(
        "sign-in: %d parallel wrong-then-right tries, %d passwords checked%n", tries, checked);
    assertThat(checked)
        .as("passwords checked for %d parallel tries", tries)
        .isEqualTo(Backoff.FREE_FAILURES);
    assertThat(wrong.stream().filter(s -> s == 401)).hasSize(Backoff.FREE_FAILURES);
    assertThat(wrong.stream().filter(s -> s == 429)).hasSize(tries - Backoff.FREE_FAILURES);
    assertThat(right).as("the right password while the name is throttled").containsOnly(429);
    assertThat(retryAfter).hasSize(tries).allMatch(s -> Integer.parseInt(s) >= 1);

    long wait = retryAfter.stream().mapToLong(Long::parseLong).max().orElseThrow();
    now.updateAndGet(t -> t.plusSeconds(wait));
    assertThat(signIn("dana", PASSWORD).statusCode()).isEqualTo(303);
    assertThat(Hashing.computed() - before).isEqualTo(Backoff.FREE_FAILURES + 1);
  }

  /**
   * Made-up names from one address: each costs no hashing (the answer only waits as long as a hash
   * would), and past {@link People#FREE_FAILURES_PER_ADDRESS} failures, tried in parallel, the
   * address must wait, also for a real name with its right password.
   */
  @Test
  void unknownNamesAreThrottledPerAddressAndNeverHashed() throws Exception {
    start(now::get);
    // A first sign-in measures how long a hash takes (and clears nothing that matters here).
    assertThat(signIn("dana", PASSWORD).statusCode()).isEqualTo(303);
    long before = Hashing.computed();
    int tries = People.FREE_FAILURES_PER_ADDRESS + 5;
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < tries; i++) {
        String name = "nobody-" + i;
        answers.add(
            clients.submit(
                () -> {
                  go.await();
                  return signIn(name, "a password someone typed");
                }));
      }
      go.countDown();
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<HttpResponse<String>> f : answers) {
      statuses.add(f.get().statusCode());
    }
    assertThat(statuses.stream().filter(s -> s == 401)).hasSize(People.FREE_FAILURES_PER_ADDRESS);
    assertThat(statuses.stream().filter(s -> s == 429)).hasSize(5);
    assertThat(answers.stream().map(SignInTest::body).filter(b -> b.contains("this address")))
        .hasSize(5);

    HttpResponse<String> real = signIn("dana", PASSWORD);
    assertThat(real.statusCode()).as("a real name from a throttled address").isEqualTo(429);
    assertThat(real.body()).contains("Too many failed sign-ins from this address");
    assertThat(Hashing.computed() - before).as("hashes computed for unknown names").isZero();

    long wait = Long.parseLong(real.headers().firstValue("Retry-After").orElseThrow());
    now.updateAndGet(t -> t.plusSeconds(wait));
    assertThat(signIn("dana", PASSWORD).statusCode()).isEqualTo(303);
  }

  /**
   * A botnet sprays made-up names, each from an address of its own, so that no per-address throttle
   * stops it: past the server-wide budget ({@link People#UNKNOWN_NAMES_BURST}) the next made-up
   * name is refused with 429 and Retry-After, and counted in /metrics. While the budget is spent, a
   * real name with a wrong password gets the same refusal (the refusal must not tell which names
   * exist), the right password still signs its person in, and the flood is one audit record a
   * minute, not one a try. Once the wait is over, a made-up name is answered 401 again.
   */
  @Test
  void unknownNamesFromManyAddressesDrawOnOneServerWideBudget() throws Exception {
    start(now::get);
    assertThat(signIn("dana", PASSWORD).statusCode()).isEqualTo(303);
    List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger client = new AtomicInteger();
    for (int batch = 0; batch < People.UNKNOWN_NAMES_BURST / 25; batch++) {
      try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 25; i++) {
          clients.submit(
              () -> {
                int n = client.incrementAndGet();
                statuses.add(signInFrom(address(3, n), "sprayed-" + n, "a password"));
                return null;
              });
        }
      }
    }
    assertThat(statuses).hasSize(People.UNKNOWN_NAMES_BURST).containsOnly(401);

    Answer sprayed = answerFrom(address(3, client.incrementAndGet()), "sprayed-more", "a password");
    assertThat(sprayed.status()).as(sprayed.body()).isEqualTo(429);
    assertThat(sprayed.body()).contains("Too many failed sign-ins on this server");
    long wait = Long.parseLong(sprayed.headers().get("retry-after"));
    assertThat(wait).isBetween(1L, People.UNKNOWN_NAMES_REFILL.toSeconds());

    Answer wrong = answerFrom(address(3, client.incrementAndGet()), "dana", "not dana's password");
    assertThat(wrong.status()).as("a real name with a wrong password").isEqualTo(429);
    assertThat(wrong.body()).contains("Too many failed sign-ins on this server");
    assertThat(wrong.headers().get("retry-after")).isEqualTo(Long.toString(wait));

    assertThat(signInFrom(address(3, client.incrementAndGet()), "dana", PASSWORD))
        .as("the right password while the budget is spent")
        .isEqualTo(303);
    assertThat(server.metricsText()).contains("\ntollgate_signins_limited_total 2\n");
    List<Map<String, Object>> limitedRecords =
        store.audit().search(dev.tollgate.api.store.AuditQuery.after(0, 10_000)).stream()
            .map(r -> r.entry().detail())
            .filter(d -> "throttled (unknown names, server-wide)".equals(d.get("reason")))
            .toList();
    assertThat(limitedRecords).as("audit records of the refused flood").hasSize(1);
    assertThat(limitedRecords.getFirst().toString()).doesNotContain("sprayed");

    now.updateAndGet(t -> t.plusSeconds(wait));
    assertThat(signInFrom(address(3, client.incrementAndGet()), "sprayed-later", "a password"))
        .isEqualTo(401);
  }

  /**
   * A success from an address clears that address's failures: people behind one proxy who mistype
   * now and then, and sign in in between, never reach the per-address wait. 19 made-up names, a
   * success, then 20 more made-up names are all answered 401; only the 21st after the success
   * waits.
   */
  @Test
  void aSuccessClearsTheAddressFailures() throws Exception {
    start(now::get);
    String proxy = address(4, 1);
    assertThat(unknownNamesFrom(proxy, People.FREE_FAILURES_PER_ADDRESS - 1)).containsOnly(401);
    assertThat(signInFrom(proxy, "dana", PASSWORD)).isEqualTo(303);
    assertThat(unknownNamesFrom(proxy, People.FREE_FAILURES_PER_ADDRESS)).containsOnly(401);
    Answer next = answerFrom(proxy, "typo-after-twenty", "a password");
    assertThat(next.status()).isEqualTo(429);
    assertThat(next.body()).contains("Too many failed sign-ins from this address");
  }

  /** {@code count} made-up names from {@code source}, in parallel; their statuses. */
  private List<Integer> unknownNamesFrom(String source, int count) throws Exception {
    List<Future<Integer>> answers = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        String name = "typo-" + UUID.randomUUID();
        answers.add(clients.submit(() -> signInFrom(source, name, "a password")));
      }
    }
    List<Integer> statuses = new ArrayList<>();
    for (Future<Integer> f : answers) {
      statuses.add(f.get());
    }
    return statuses;
  }

  /**
   * Failures are forgotten a day after the last one ({@link Backoff#FORGET_AFTER}): yesterday's
   * three typos do not make today's first one wait. Before the day is over the fourth try waits.
   */
  @Test
  void aNamesFailuresAreForgottenADayAfterTheLast() throws Exception {
    start(now::get);
    for (int i = 0; i < Backoff.FREE_FAILURES; i++) {
      assertThat(signIn("dana", "typo number " + i).statusCode()).isEqualTo(401);
    }
    assertThat(signIn("dana", "one typo too many").statusCode()).isEqualTo(429);

    now.updateAndGet(t -> t.plus(Backoff.FORGET_AFTER));
    for (int i = 0; i < Backoff.FREE_FAILURES; i++) {
      assertThat(signIn("dana", "a new day's typo " + i).statusCode())
          .as("typo %d of the next day", i + 1)
          .isEqualTo(401);
    }
    assertThat(signIn("dana", "one typo too many").statusCode()).isEqualTo(429);
  }

  private static String body(Future<HttpResponse<String>> f) {
    try {
      return f.get().body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A person stored with a 210,000-iteration hash (the figure before OWASP's 600,000 for
   * PBKDF2-HMAC-SHA256) signs in with it, and the stored hash is then a 600,000-iteration one for
   * the same password.
   */
  @Test
  void anOldHashIsUpgradedAtSignIn() throws Exception {
    start(now::get);
    String old = pbkdf2Sha256(PASSWORD, 210_000);
    store.people().add(new Person("erin", old, Set.of("auditor"), Instant.now(), false));
    assertThat(Passwords.outdated(old)).isTrue();

    assertThat(signIn("erin", PASSWORD).statusCode()).isEqualTo(303);

    String stored = store.people().get("erin").orElseThrow().passwordHash();
    assertThat(stored).isNotEqualTo(old).startsWith("pbkdf2-sha256$600000$");
    assertThat(Passwords.outdated(stored)).isFalse();
    assertThat(Passwords.matches(PASSWORD.toCharArray(), stored)).isTrue();
    assertThat(signIn("erin", PASSWORD).statusCode()).isEqualTo(303);
    assertThat(signIn("erin", "not erin's password").statusCode()).isEqualTo(401);
  }

  /** A hash in the stored form with the given iterations, computed here as an older server did. */
  private static String pbkdf2Sha256(String password, int iterations) throws Exception {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    byte[] hash =
        SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
            .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
            .getEncoded();
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$"
        + iterations
        + "$"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(hash);
  }

  /**
   * 16 loops of sign-ins while one loop decides: decisions keep their latency. Half the loops try
   * fresh made-up names, each from a fresh client address (as a botnet would: no per-address
   * throttle stops them, and each costs a wait but no hashing, until the server-wide budget of
   * unknown names refuses them); the other half sign a real person in with the right password, each
   * loop a person and an address of its own (more than the free tries in flight for one name are
   * throttled, right or wrong), so that every one of those is hashed.
   *
   * <p>The bound: the flood's decide p99 under the larger of 250 ms and 5 times the p99 measured
   * without the flood in this same run. The second term keeps the test robust on a loaded 2-core
   * machine (other builds running beside it slow both phases alike). With hashing on the request
   * threads, each 600,000-iteration PBKDF2 holds a carrier for its whole length (hundreds of
   * milliseconds to seconds, on a machine with one carrier per core), and eight of them at once
   * hold every carrier: decisions then wait for whole hashes, and the p99 reaches seconds (17.1 s
   * measured in issue 12), far above either term.
   */
  @Test
  void decisionsKeepTheirLatencyUnderASignInFlood() throws Exception {
    start(InstantSource.system());
    People people = new People(store, InstantSource.system());
    for (int i = 1; i < 16; i += 2) {
      people.add("test", "person-" + i, Set.of("approver"), PASSWORD.toCharArray());
    }
    for (int i = 0; i < 200; i++) {
      decide();
    }
    List<Long> quiet = decideFor(Duration.ofSeconds(3));

    AtomicBoolean flooding = new AtomicBoolean(true);
    Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
    long hashesBefore = Hashing.computed();
    CountDownLatch started = new CountDownLatch(16);
    List<Long> flooded;
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      AtomicInteger fresh = new AtomicInteger();
      for (int i = 0; i < 16; i++) {
        boolean known = i % 2 == 1;
        int loop = i;
        clients.submit(
            () -> {
              started.countDown();
              while (flooding.get()) {
                int status =
                    known
                        ? signInFrom(address(1, loop), "person-" + loop, PASSWORD)
                        : signInFrom(
                            address(2, fresh.incrementAndGet()),
                            "made-up-" + UUID.randomUUID(),
                            "a password someone typed");
                answers
                    .computeIfAbsent(known ? status : -status, s -> new AtomicInteger())
                    .incrementAndGet();
              }
              return null;
            });
      }
      started.await();
      try {
        flooded = decideFor(Duration.ofSeconds(6));
      } finally {
        flooding.set(false);
      }
    }
    long hashes = Hashing.computed() - hashesBefore;
    long quietP99 = p99(quiet);
    long floodedP99 = p99(flooded);
    long bound = Math.max(Duration.ofMillis(250).toNanos(), 5 * quietP99);
    System.out.printf(
        "sign-in flood: decide p99 %.1f ms quiet (%d decisions), %.1f ms flooded (%d decisions);"
            + " bound %.1f ms; %d hashes during the flood; sign-in answers %s (negative:"
            + " made-up names)%n",
        quietP99 / 1e6,
        quiet.size(),
        floodedP99 / 1e6,
        flooded.size(),
        bound / 1e6,
        hashes,
        answers);
    assertThat(hashes).as("the flood had passwords checked").isGreaterThanOrEqualTo(4);
    // Real people sign in throughout; made-up names are answered 401, or 429 once they have spent
    // the server-wide budget of unknown names (the botnet is stopped there, not by an address).
    assertThat(answers.keySet()).contains(303, -401).isSubsetOf(303, -401, -429);
    assertThat(floodedP99)
        .as("decide p99 under the flood, in ns (quiet p99 %d ns)", quietP99)
        .isLessThan(bound);
  }

  /** A loopback address {@code 127.block.x.y} for the n-th client of a block. */
  private static String address(int block, int n) {
    return "127." + block + "." + (n / 250 % 250 + 1) + "." + (n % 250 + 1);
  }

  /**
   * Signs in over a socket bound to {@code source}, a loopback address, so that the server sees the
   * sign-in come from there; the status of the answer.
   */
  private int signInFrom(String source, String name, String password) throws Exception {
    return answerFrom(source, name, password).status();
  }

  /** An answer read off the socket: status, headers (names in lower case) and body. */
  private record Answer(int status, Map<String, String> headers, String body) {}

  /** Like {@link #signInFrom}, with the whole answer. */
  private Answer answerFrom(String source, String name, String password) throws Exception {
    byte[] body =
        ("name="
                + URLEncoder.encode(name, StandardCharsets.UTF_8)
                + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
      socket.setSoTimeout(60_000);
      OutputStream out =
          RawHttp.send(
              socket,
              "POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n");
      out.write(body);
      out.flush();
      BufferedReader in = RawHttp.lines(socket);
      int status = Integer.parseInt(in.readLine().split(" ")[1]);
      Map<String, String> headers = new java.util.HashMap<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
            line.substring(colon + 1).strip());
      }
      StringBuilder text = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        text.append(line).append('\n');
      }
      return new Answer(status, headers, text.toString());
    }
  }

  private List<Long> decideFor(Duration length) throws Exception {
    List<Long> out = new ArrayList<>();
    long end = System.nanoTime() + length.toNanos();
    while (System.nanoTime() < end) {
      out.add(decide());
    }
    return out;
  }

  private static long p99(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
  }
}
