package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.PeopleStore.Person;
import dev.tollgate.engine.Bundle;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
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
 * per address and cost no hashing, a flood of sign-ins leaves decisions their latency, and an old
 * hash is upgraded at sign-in. Passwords checked are counted where hashing runs ({@link
 * Hashing#computed}).
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
   * fresh made-up names, each from a fresh client address (as a botnet would: no throttle stops
   * them, and each costs a wait but no hashing); the other half sign a real person in with the
   * right password, each loop a person and an address of its own (more than the free tries in
   * flight for one name are throttled, right or wrong), so that every one of those is hashed.
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
                answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
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
            + " bound %.1f ms; %d hashes during the flood; sign-in answers %s%n",
        quietP99 / 1e6,
        quiet.size(),
        floodedP99 / 1e6,
        flooded.size(),
        bound / 1e6,
        hashes,
        answers);
    assertThat(hashes).as("the flood had passwords checked").isGreaterThanOrEqualTo(4);
    assertThat(answers).containsKey(303).containsKey(401).doesNotContainKey(429);
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
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String status =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return Integer.parseInt(status.split(" ")[1]);
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
