package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.json.ApiJson;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety: the packaged server ({@code target/tollgate.jar}) is killed with SIGKILL while
 * several agents' threads are deciding, then restarted on the same data directory. Every decision
 * that was answered with 200 must be in the audit, and the chain must verify.
 */
class CrashIT {
  private static final Path JAR = Path.of("target", "tollgate.jar");
  private static final Path POLICIES = Path.of("..", "examples", "invoice-vendor-mail");
  private static final Pattern LISTENING =
      Pattern.compile("tollgate listening on (http://[^ ]+) \\(");
  private static final int THREADS = 8;
  private static final int BEFORE_KILL = 400;

  @TempDir Path data;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A started server: its address and, on a fresh data directory, the first agent's token. */
  private record Started(Process process, URI uri, String token) {}

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Started serve(boolean expectToken) throws Exception {
    assertTrue(
        Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is missing: run `mvn package` first");
    String java = ProcessHandle.current().info().command().orElse("java");
    Path stderr = Path.of("target", "crash-it-serve-" + processes.size() + ".stderr.txt");
    Process p =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                JAR.toString(),
                "serve",
                "--port",
                "0",
                "--data",
                data.toString(),
                "--policies",
                POLICIES.toString())
            .redirectError(stderr.toFile())
            .start();
    processes.add(p);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread.ofPlatform()
        .daemon()
        .name("serve-stdout")
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process is gone
              }
              lines.add("<eof>");
            });
    URI uri = null;
    String token = null;
    boolean tokenNext = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (uri == null || (expectToken && token == null)) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null || line.equals("<eof>")) {
        fail(
            "the server did not print its address"
                + (expectToken ? " and token" : "")
                + " (stderr: "
                + Files.readString(stderr)
                + ")");
      }
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        uri = URI.create(m.group(1));
      } else if (line.startsWith("first agent `invoice-bot`, token")) {
        tokenNext = true;
      } else if (tokenNext) {
        token = line.strip();
        assertTrue(token.startsWith("tg_"), line);
        tokenNext = false;
      }
    }
    assertEquals(!expectToken, token == null, "a token is printed on a fresh data dir only");
    return new Started(p, uri, token);
  }

  private HttpResponse<String> decide(URI uri, String token, int n) throws Exception {
    String body =
        n % 3 == 0
            ? "{\"user\":\"u"
                + n
                + "\",\"tool\":\"invoices.search\",\"args\":{\"q\":\""
                + n
                + "\"}}"
            : n % 3 == 1
                ? "{\"user\":\"u\",\"tool\":\"web.fetch\",\"args\":{\"url\":\"https://x/"
                    + n
                    + "\"}}"
                : "{\"user\":\"u\",\"tool\":\"email.send\",\"args\":{\"to\":[\"ap@globex.example\"],"
                    + "\"body\":\"Invoice 4471 is overdue "
                    + n
                    + "\"}}";
    return http.send(
        HttpRequest.newBuilder(uri.resolve("/v1/decide"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyAnsweredDecisionSurvivesSigkillAndTheChainVerifies() throws Exception {
    Started first = serve(true);
    String token = first.token();

    ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> unrecorded = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    AtomicInteger failedAfterKill = new AtomicInteger();
    AtomicInteger counter = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    CountDownLatch enough = new CountDownLatch(BEFORE_KILL);
    List<Thread> load = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      load.add(
          Thread.ofPlatform()
              .name("load-" + t)
              .start(
                  () -> {
                    while (true) {
                      int n = counter.incrementAndGet();
                      try {
                        HttpResponse<String> r = decide(first.uri(), token, n);
                        if (r.statusCode() != 200) {
                          unexpected.add(r.statusCode() + " " + r.body());
                          continue;
                        }
                        JsonNode d = ApiJson.readTree(r.body());
                        String message = d.path("reasons").path(0).path("message").asText();
                        if (message.startsWith("store unavailable")) {
                          // Documented: a decision that could not be recorded is a deny.
                          unrecorded.add(d.path("id").asText());
                        } else {
                          answered.add(d.path("id").asText());
                          enough.countDown();
                        }
                      } catch (IOException e) {
                        if (killed.get()) {
                          failedAfterKill.incrementAndGet();
                          return;
                        }
                        unexpected.add("before the kill: " + e);
                        return;
                      } catch (Exception e) {
                        unexpected.add(e.toString());
                        return;
                      }
                    }
                  }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!enough.await(50, TimeUnit.MILLISECONDS) && unexpected.isEmpty()) {
      assertTrue(
          System.nanoTime() < deadline,
          "only " + answered.size() + " decisions in 120 s; " + unexpected);
    }
    assertEquals(List.of(), List.copyOf(unexpected), "answers before the kill");
    killed.set(true);
    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no store close
    assertTrue(first.process().waitFor(30, TimeUnit.SECONDS), "the server did not die");
    assertEquals(137, first.process().exitValue(), "killed by SIGKILL");
    for (Thread t : load) {
      assertTrue(t.join(Duration.ofSeconds(60)), t.getName() + " did not stop");
    }
    assertEquals(List.of(), List.copyOf(unexpected), "answers around the kill");
    Set<String> ids = new HashSet<>(answered);
    assertEquals(answered.size(), ids.size(), "decision ids are unique");

    Started second = serve(false);
    HttpResponse<String> after = decide(second.uri(), token, 0);
    assertEquals(200, after.statusCode(), after.body());
    assertEquals("allow", ApiJson.readTree(after.body()).path("effect").asText(), after.body());
    HttpResponse<String> ready =
        http.send(
            HttpRequest.newBuilder(second.uri().resolve("/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode(), ready.body());
    second.process().destroyForcibly();
    assertTrue(second.process().waitFor(30, TimeUnit.SECONDS));

    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      List<AuditRecord> records = new ArrayList<>();
      while (true) {
        long afterSeq = records.isEmpty() ? 0 : records.getLast().seq();
        List<AuditRecord> page = store.audit().search(AuditQuery.after(afterSeq, 10_000));
        if (page.isEmpty()) {
          break;
        }
        records.addAll(page);
      }
      Set<String> audited = new HashSet<>();
      for (AuditRecord r : records) {
        if ("decision".equals(r.entry().kind().wireName())) {
          audited.add(r.entry().decision());
        }
      }
      Set<String> missing = new HashSet<>(ids);
      missing.removeAll(audited);
      assertEquals(Set.of(), missing, "answered decisions missing from the audit");
      AuditVerifier.Result result =
          AuditVerifier.verify(
              store.audit(), AuditSigner.readPublicKey(data.resolve(AuditSigner.PUBLIC_FILE)));
      assertTrue(result.ok(), result.toString());
      assertEquals(records.size(), result.records());
      assertFalse(records.isEmpty());
      assertNotNull(store.audit().head().orElse(null));
      System.out.printf(
          "crash: %d decisions answered before SIGKILL (%d store-unavailable denies, %d requests"
              + " cut off), %d audited decisions, %d records verified (%s)%n",
          ids.size(),
          unrecorded.size(),
          failedAfterKill.get(),
          audited.size(),
          result.records(),
          result.message());
    }
  }
}
