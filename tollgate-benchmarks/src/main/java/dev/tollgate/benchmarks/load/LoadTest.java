package dev.tollgate.benchmarks.load;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Load on a real server, from another process: {@link ServerMain} runs in its own JVM on SQLite or
 * an embedded PostgreSQL, and this driver measures {@code POST /v1/decide} (every answer waits for
 * its audit record to be durable) beside {@code POST /v1/noop} (authentication and body reading
 * only) in the same run, with the same bodies:
 *
 * <ul>
 *   <li>saturation: a closed loop, {@code --connections} workers each sending its next request as
 *       soon as the last is answered, for {@code --duration} seconds after {@code --warmup};
 *   <li>fixed rate: an open loop at {@code --rate} requests/s. Request {@code i} is due at {@code
 *       start + i / rate}; its latency runs from that due time, not from when a worker got round to
 *       sending it, so a stalled server is charged for every request it held back (no coordinated
 *       omission, as in wrk2).
 * </ul>
 *
 * <p>The decide mix alternates an {@code invoices.search} (allowed) and an {@code email.send} to an
 * outside address naming an invoice (asked), each with about 1 KB of arguments and no session. Each
 * phase appends one tab-separated row to {@code --out}; {@link LoadReport} prints them.
 *
 * <p>With {@code --servers 2} (PostgreSQL only) a second ServerMain, in a JVM of its own with the
 * same {@code --server-opts}, serves from the first one's database, as two Tollgate instances
 * behind a load balancer would: worker {@code w} connects to server {@code w % 2}, the server CPU
 * is the sum of both processes, and the rows name the store {@code postgres x2}.
 *
 * <p>Usage: {@code LoadTest --store sqlite|postgres --bundle DIR --out FILE [--servers 1|2]
 * [--connections 64] [--warmup 2] [--duration 10] [--rate 2000] [--server-opts "-Xmx1g ..."]}
 */
public final class LoadTest {
  private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long MAX_REQUESTS_PER_PHASE = 10_000_000;

  private final List<Target> targets;

  private LoadTest(List<Target> targets) {
    this.targets = targets;
  }

  /**
   * One server under test and the requests prepared for it (their Host header names its port): the
   * decide mix and the same bodies to {@code /v1/noop}.
   */
  record Target(int port, ProcessHandle process, byte[][] decide, byte[][] noop) {
    static Target of(int port, String token, ProcessHandle process) {
      return new Target(
          port,
          process,
          new byte[][] {
            HttpConnection.post(port, "/v1/decide", token, Actions.SEARCH),
            HttpConnection.post(port, "/v1/decide", token, Actions.SEND)
          },
          new byte[][] {
            HttpConnection.post(port, "/v1/noop", token, Actions.SEARCH),
            HttpConnection.post(port, "/v1/noop", token, Actions.SEND)
          });
    }

    byte[][] requests(String endpoint) {
      return endpoint.equals("decide") ? decide : noop;
    }
  }

  /** A started ServerMain and the fields of its READY line: port, token, JDBC URL. */
  record ServerProcess(Process process, int port, String token, String jdbcUrl) {}

  /** The measurements of one phase. */
  record Result(
      String store,
      String endpoint,
      String mode,
      int connections,
      double seconds,
      long count,
      long errors,
      Histogram latency,
      Histogram lateness,
      double serverCpuMicrosPerRequest,
      double clientCpuMicrosPerRequest,
      String load) {

    double throughput() {
      return count / seconds;
    }

    static String header() {
      return String.join(
          "\t",
          "store",
          "endpoint",
          "mode",
          "connections",
          "seconds",
          "requests",
          "errors",
          "throughput",
          "p50_ms",
          "p99_ms",
          "p999_ms",
          "max_ms",
          "send_late_p99_ms",
          "server_cpu_us_per_req",
          "client_cpu_us_per_req",
          "load");
    }

    String row() {
      return String.join(
          "\t",
          store,
          endpoint,
          mode,
          Integer.toString(connections),
          fmt(seconds),
          Long.toString(count),
          Long.toString(errors),
          fmt(throughput()),
          ms(latency.getValueAtPercentile(50)),
          ms(latency.getValueAtPercentile(99)),
          ms(latency.getValueAtPercentile(99.9)),
          ms(latency.getMaxValue()),
          lateness == null ? "" : ms(lateness.getValueAtPercentile(99)),
          fmt(serverCpuMicrosPerRequest),
          fmt(clientCpuMicrosPerRequest),
          load);
    }

    private static String ms(long nanos) {
      return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String fmt(double v) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
  }

  public static void main(String[] args) throws Exception {
    String store = "sqlite";
    String bundle = "examples/invoice-vendor-mail";
    Path out = Path.of("load.tsv");
    int connections = 64;
    int warmup = 2;
    int duration = 10;
    int rate = 2000;
    int servers = 1;
    String serverOpts = "";
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--store" -> store = v;
        case "--bundle" -> bundle = v;
        case "--out" -> out = Path.of(v);
        case "--connections" -> connections = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--duration" -> duration = Integer.parseInt(v);
        case "--rate" -> rate = Integer.parseInt(v);
        case "--servers" -> servers = Integer.parseInt(v);
        case "--server-opts" -> serverOpts = v;
        default -> throw new IllegalArgumentException("unknown option `" + args[i] + "`");
      }
    }
    if (connections < 1 || connections > 1024 || duration < 1 || duration > 600 || rate < 1) {
      throw new IllegalArgumentException("connections 1..1024, duration 1..600 s, rate >= 1");
    }
    // A second server needs a database both can reach: SQLite is a file of one process.
    if (servers < 1 || servers > 2 || (servers == 2 && !store.equals("postgres"))) {
      throw new IllegalArgumentException("--servers 1, or 2 with --store postgres");
    }

    String label = servers == 1 ? store : store + " x" + servers;
    List<ServerProcess> started = new ArrayList<>();
    try {
      ServerProcess owner = startServer(serverOpts, "server", List.of(store, bundle));
      started.add(owner);
      List<Target> targets = new ArrayList<>();
      targets.add(Target.of(owner.port(), owner.token(), owner.process().toHandle()));
      if (servers == 2) {
        ServerProcess second =
            startServer(serverOpts, "server 2", List.of("postgres-url", owner.jdbcUrl(), bundle));
        started.add(second);
        // The agent's credential is in the shared database: the owner's token works on both.
        targets.add(Target.of(second.port(), owner.token(), second.process().toHandle()));
      }
      LoadTest test = new LoadTest(targets);
      test.check();

      if (!Files.exists(out)) {
        Files.writeString(out, Result.header() + "\n");
      }
      // Warm both endpoints up (JIT, connection pools, SQLite page cache) before any phase counts.
      test.saturate(label, "decide", connections, 5, 0);
      test.saturate(label, "noop", connections, 5, 0);
      List<Result> results = new ArrayList<>();
      results.add(test.saturate(label, "decide", connections, warmup, duration));
      results.add(test.saturate(label, "noop", connections, warmup, duration));
      results.add(test.fixedRate(label, "decide", connections, rate, warmup, duration));
      results.add(test.fixedRate(label, "noop", connections, rate, warmup, duration));
      for (Result r : results) {
        Files.writeString(out, r.row() + "\n", StandardOpenOption.APPEND);
      }
    } finally {
      // The last started first: the server that owns PostgreSQL stops it when it ends.
      for (ServerProcess server : started.reversed()) {
        stop(server.process());
      }
    }
  }

  /**
   * Starts ServerMain with {@code args} in a JVM of its own and waits for its READY line; what it
   * prints after that goes to our standard output, what it prints before to our standard error
   * under {@code name}.
   */
  private static ServerProcess startServer(String serverOpts, String name, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String o : serverOpts.trim().split("\\s+", -1)) {
      if (!o.isEmpty()) {
        command.add(o);
      }
    }
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), ServerMain.class.getName()));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    // The JVM may print first (JFR announces its recording on standard output).
    String ready = stdout.readLine();
    for (int skipped = 0; ready != null && !ready.startsWith("READY ") && skipped < 100; ) {
      System.err.println(name + ": " + ready);
      ready = stdout.readLine();
      skipped++;
    }
    if (ready == null || !ready.startsWith("READY ")) {
      stop(process);
      throw new IllegalStateException(name + " did not start: " + ready);
    }
    String[] parts = ready.split(" ", -1);
    Thread.ofPlatform().daemon().start(() -> stdout.lines().forEach(System.out::println));
    return new ServerProcess(process, Integer.parseInt(parts[1]), parts[2], parts[3]);
  }

  /** Closes the server's standard input, which ends it; kills it if it has not ended in 30 s. */
  private static void stop(Process process) {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (IOException e) {
      process.destroy();
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
    }
  }

  /** Fails unless every server decides the two actions as the mix needs: allowed, then asked. */
  private void check() throws IOException {
    for (Target target : targets) {
      check(target);
    }
  }

  private static void check(Target target) throws IOException {
    try (HttpConnection c = new HttpConnection(target.port())) {
      String[] expected = {"allow", "ask"};
      for (int i = 0; i < 2; i++) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status = c.exchange(target.decide()[i], body);
        String text = body.toString(StandardCharsets.UTF_8);
        if (status != 200 || !text.contains("\"" + expected[i] + "\"")) {
          throw new IllegalStateException(
              "expected " + expected[i] + " for request " + i + ", got " + status + " " + text);
        }
        System.err.println("check " + target.port() + ": " + expected[i] + ": " + text);
        body.reset();
        status = c.exchange(target.noop()[i], body);
        if (status != 200) {
          throw new IllegalStateException("noop answered " + status + " " + body);
        }
      }
    }
  }

  /** Closed loop: every worker sends its next request as soon as the last one is answered. */
  Result saturate(String store, String endpoint, int connections, int warmup, int duration)
      throws Exception {
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(duration);
    AtomicLong budget = new AtomicLong(MAX_REQUESTS_PER_PHASE);
    Worker[] workers = new Worker[connections];
    for (int w = 0; w < connections; w++) {
      int first = w;
      Target target = targetOf(w);
      byte[][] requests = target.requests(endpoint);
      workers[w] =
          new Worker(
              target,
              c -> {
                Worker self = Worker.current();
                for (int i = first; budget.decrementAndGet() >= 0; i++) {
                  long t0 = System.nanoTime();
                  if (t0 >= end) {
                    return;
                  }
                  int status = c.exchange(requests[i & 1]);
                  long t1 = System.nanoTime();
                  if (t0 >= measureFrom && t1 <= end) {
                    self.record(status, t1 - t0);
                  }
                }
              });
    }
    return run(store, endpoint, "saturation", connections, workers, measureFrom, duration);
  }

  /**
   * Open loop at {@code rate} requests/s: request {@code i} is due at {@code start + i / rate} and
   * the next free worker sends it then; its latency counts from the due time.
   */
  Result fixedRate(
      String store, String endpoint, int connections, int rate, int warmup, int duration)
      throws Exception {
    long total = (long) rate * (warmup + duration);
    double period = 1e9 / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
    AtomicLong next = new AtomicLong();
    Worker[] workers = new Worker[connections];
    for (int w = 0; w < connections; w++) {
      Target target = targetOf(w);
      byte[][] requests = target.requests(endpoint);
      workers[w] =
          new Worker(
              target,
              c -> {
                Worker self = Worker.current();
                for (long i; (i = next.getAndIncrement()) < total; ) {
                  long due = start + (long) (i * period);
                  for (long now; (now = System.nanoTime()) < due; ) {
                    LockSupport.parkNanos(due - now);
                  }
                  long sent = System.nanoTime();
                  int status = c.exchange(requests[(int) (i & 1)]);
                  long done = System.nanoTime();
                  if (due >= measureFrom) {
                    self.record(status, done - due);
                    self.lateness.recordValue(Math.min(sent - due, MAX_LATENCY_NANOS));
                  }
                }
              });
    }
    return run(store, endpoint, "fixed " + rate + "/s", connections, workers, measureFrom, 0);
  }

  /** The connections are split evenly between the servers. */
  private Target targetOf(int worker) {
    return targets.get(worker % targets.size());
  }

  private Result run(
      String store,
      String endpoint,
      String mode,
      int connections,
      Worker[] workers,
      long measureFrom,
      int seconds)
      throws Exception {
    List<HttpConnection> open = new ArrayList<>();
    try {
      for (int w = 0; w < workers.length; w++) {
        open.add(new HttpConnection(workers[w].target.port()));
      }
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < workers.length; w++) {
        threads.add(Thread.ofVirtual().start(workers[w].bind(open.get(w))));
      }
      long waitFor = measureFrom - System.nanoTime();
      if (waitFor > 0) {
        TimeUnit.NANOSECONDS.sleep(waitFor);
      }
      long serverCpu0 = serverCpuNanos();
      long clientCpu0 = clientCpuNanos();
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(600));
      }
      long measuredEnd = System.nanoTime();
      long serverCpu = serverCpuNanos() - serverCpu0;
      long clientCpu = clientCpuNanos() - clientCpu0;
      Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
      Histogram lateness = new Histogram(MAX_LATENCY_NANOS, 3);
      long errors = 0;
      long[] answeredPerServer = new long[targets.size()];
      for (Worker w : workers) {
        if (w.failure != null) {
          throw new IllegalStateException("a worker failed", w.failure);
        }
        latency.add(w.latency);
        lateness.add(w.lateness);
        errors += w.errors;
        answeredPerServer[targets.indexOf(w.target)] += w.latency.getTotalCount() + w.errors;
      }
      long count = latency.getTotalCount();
      // Closed loop: the measured window. Open loop: until the last due request was answered.
      double elapsed = seconds > 0 ? seconds : (measuredEnd - measureFrom) / 1e9;
      String load = Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0];
      Result r =
          new Result(
              store,
              endpoint,
              mode,
              connections,
              elapsed,
              count,
              errors,
              latency,
              mode.equals("saturation") ? null : lateness,
              count > 0 ? serverCpu / 1e3 / count : 0,
              count > 0 ? clientCpu / 1e3 / count : 0,
              load);
      if (seconds > 0 || !mode.equals("saturation")) {
        System.err.printf(
            Locale.ROOT,
            "%s %s %s: %.0f req/s, p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, errors %d, load %s%s%n",
            store,
            endpoint,
            mode,
            r.throughput(),
            latency.getValueAtPercentile(50) / 1e6,
            latency.getValueAtPercentile(99) / 1e6,
            latency.getValueAtPercentile(99.9) / 1e6,
            errors,
            load,
            targets.size() == 1
                ? ""
                : ", requests per server " + Arrays.toString(answeredPerServer));
      }
      return r;
    } finally {
      for (HttpConnection c : open) {
        c.close();
      }
    }
  }

  /**
   * CPU time of every server's JVM and of their child processes. With two servers PostgreSQL is a
   * child of the first only, and so are its backends for the second server's connections: they
   * count once.
   */
  private long serverCpuNanos() {
    long sum = 0;
    for (Target target : targets) {
      sum += cpuNanos(target.process());
    }
    return sum;
  }

  /** CPU time of one server's JVM and of its child processes (embedded PostgreSQL). */
  private static long cpuNanos(ProcessHandle p) {
    long sum = p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    for (ProcessHandle d : p.descendants().toList()) {
      sum += d.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
    return sum;
  }

  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The body of one worker, on its own connection. */
  interface Body {
    void run(HttpConnection c) throws IOException;
  }

  /** One connection's loop and what it recorded; read only after its thread has ended. */
  static final class Worker {
    private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
    final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
    final Histogram lateness = new Histogram(MAX_LATENCY_NANOS, 3);
    final Target target;
    private final Body body;
    long errors;
    Throwable failure;

    Worker(Target target, Body body) {
      this.target = target;
      this.body = body;
    }

    static Worker current() {
      return CURRENT.get();
    }

    void record(int status, long nanos) {
      if (status == 200) {
        latency.recordValue(Math.min(nanos, MAX_LATENCY_NANOS));
      } else {
        errors++;
      }
    }

    Runnable bind(HttpConnection c) {
      return () -> {
        CURRENT.set(this);
        try {
          body.run(c);
        } catch (IOException | RuntimeException e) {
          failure = e;
        }
      };
    }
  }
}
