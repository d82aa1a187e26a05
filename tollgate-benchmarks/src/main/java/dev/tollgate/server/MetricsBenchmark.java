package dev.tollgate.server;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whether Micrometer could count the sidecar's decisions instead of its hand-written {@code
 * Metrics}: the same facts recorded per decide (a counter by agent and effect, one by policy and
 * effect per reason, the decide time in the same histogram buckets), through the server's {@code
 * Metrics} and through Micrometer's Prometheus registry with its cached dynamic tags ({@code
 * Meter.MeterProvider}), the fastest form it offers for tags known only per call. In this package
 * because {@code Metrics} is the server's own. {@code java -jar benchmarks.jar MetricsBenchmark
 * -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsBenchmark {

  @State(Scope.Benchmark)
  public static class Recorders {
    final Decision decision =
        Decision.builder("dec_01", Effect.ASK)
            .reasons(
                List.of(
                    new Reason("external-send-with-financial-data", "financial data"),
                    new Reason("external-send-with-invoice-details", "invoice details")))
            .build();
    Metrics ours;
    PrometheusMeterRegistry registry;
    Meter.MeterProvider<Counter> decisions;
    Meter.MeterProvider<Counter> byPolicy;
    Timer latency;

    @Setup
    public void setUp() {
      ours = new Metrics();
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      decisions =
          Counter.builder("tollgate_decisions")
              .description("Decisions by agent and effect.")
              .withRegistry(registry);
      byPolicy =
          Counter.builder("tollgate_policy_decisions")
              .description("Decisions by the policy behind them and the effect.")
              .withRegistry(registry);
      latency =
          Timer.builder("tollgate_decide")
              .serviceLevelObjectives(
                  Duration.ofNanos(50_000),
                  Duration.ofNanos(100_000),
                  Duration.ofNanos(250_000),
                  Duration.ofNanos(500_000),
                  Duration.ofMillis(1),
                  Duration.ofNanos(2_500_000),
                  Duration.ofMillis(5),
                  Duration.ofMillis(10),
                  Duration.ofMillis(25),
                  Duration.ofMillis(50),
                  Duration.ofMillis(100),
                  Duration.ofMillis(250),
                  Duration.ofSeconds(1))
              .register(registry);
    }
  }

  @Benchmark
  public Metrics handWritten(Recorders r) {
    r.ours.decision("invoice-bot", r.decision, 8_000);
    return r.ours;
  }

  @Benchmark
  public Timer micrometer(Recorders r) {
    String effect = r.decision.effect().wireName();
    r.decisions.withTags("agent", "invoice-bot", "effect", effect).increment();
    for (Reason reason : r.decision.reasons()) {
      r.byPolicy.withTags("policy", reason.policy(), "effect", effect).increment();
    }
    r.latency.record(8_000, TimeUnit.NANOSECONDS);
    return r.latency;
  }
}
