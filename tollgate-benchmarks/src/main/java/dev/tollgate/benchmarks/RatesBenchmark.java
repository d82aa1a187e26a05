package dev.tollgate.benchmarks;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What rates cost a decision: a configuration push to one of 200 hosts, decided under three
 * policies that read {@code count}, {@code distinct} and {@code novel} (every decision allowed, so
 * every one is appended to its counters and its host remembered), beside the same push under three
 * policies of the same shape that read only the action ({@code counters=engine-only}).
 *
 * <p>{@code memory}: the embedded store's counters, in the engine's memory. {@code postgres}: the
 * counters' log in an embedded PostgreSQL (fsync on) on this machine, shared as between servers:
 * one round trip per decision (the two counters' appends and reads; the novelty question is
 * answered from the targets this server remembered, and a target is written again at most once a
 * minute). The audit is in memory in every case, so that the figures isolate the counters. Targets
 * (issue 15): p99 at most 50 µs in process, at most 1 ms with PostgreSQL.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RatesBenchmark {
  static final String CATALOG =
      """
      tools:
        config.push: {kind: execute, external: false, control: [hosts, environment]}
      """;
  static final String RATES =
      """
      policies:
        - name: push-burst
          when: count("agent", "config.*", "10s") > 100000000
          effect: ask
        - name: fan-out
          when: distinct("agent", "config.*", "hosts", "10s") > 100000
          effect: ask
        - name: new-host-in-prod
          when: novel("hosts", "agent") && action.args.environment == "nowhere"
          effect: ask
      """;
  static final String ENGINE_ONLY =
      """
      policies:
        - name: push-burst
          when: size(action.args) > 100000000
          effect: ask
        - name: fan-out
          when: size(action.args.hosts) > 100000
          effect: ask
        - name: new-host-in-prod
          when: action.args.environment == "nowhere"
          effect: ask
      """;

  @Param({"engine-only", "memory", "postgres"})
  public String counters;

  private EmbeddedPostgres postgres;
  private JdbcStore store;
  private Tollgate tollgate;
  private Action[] actions;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Bundle bundle =
        Bundle.fromFiles(
            Map.of(
                "catalog.yaml",
                CATALOG,
                "policies.yaml",
                counters.equals("engine-only") ? ENGINE_ONLY : RATES,
                "agents.yaml",
                "defaults: {unprofiled: allow}\n"));
    Tollgate.Builder b = Tollgate.builder().bundle(bundle);
    if (counters.equals("postgres")) {
      postgres = EmbeddedPostgres.builder().start();
      store =
          JdbcStore.open(
              StoreConfig.postgres(postgres.getJdbcUrl("postgres", "postgres"), "postgres", ""));
      b.counters(store.counters());
    }
    tollgate = b.build();
    SplittableRandom random = new SplittableRandom(7);
    actions = new Action[4096];
    for (int i = 0; i < actions.length; i++) {
      actions[i] =
          Action.of(
              null,
              "erin@acme.example",
              "config.push",
              Map.of("hosts", List.of("web-" + random.nextInt(200)), "environment", "prod"));
    }
    Decision d = tollgate.decide("ops-bot", actions[0]);
    if (d.effect() != Effect.ALLOW) {
      throw new IllegalStateException("the benchmark's push must be allowed: " + d);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (store != null) {
      store.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Benchmark
  public Decision decide() {
    Action a = actions[next++ & (actions.length - 1)];
    return tollgate.decide("ops-bot", a);
  }
}
