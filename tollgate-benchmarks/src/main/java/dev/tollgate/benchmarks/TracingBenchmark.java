package dev.tollgate.benchmarks;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.DecisionTracing;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.json.ApiJson;
import dev.tollgate.opentelemetry.OpenTelemetryTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * What reporting decisions as spans costs a decision through the shell (the typical 1 KB action,
 * 100 specific policies): {@code none} (the engine's default), {@code api} (OpenTelemetry's API
 * without an SDK, as the sidecar runs without the Java agent) and {@code sdk} (every span sampled,
 * batched to an exporter that drops them). Compare the rows of one run: {@code java -jar
 * benchmarks.jar TracingBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TracingBenchmark {

  @State(Scope.Benchmark)
  public static class Engine {
    @Param({"none", "api", "sdk"})
    String tracing;

    Tollgate tollgate;
    Action action;
    OpenTelemetrySdk sdk;

    @Setup
    public void setUp() throws Exception {
      action = ApiJson.readAction(PolicySets.typicalActionJson());
      DecisionTracing chosen =
          switch (tracing) {
            case "none" -> DecisionTracing.NONE;
            case "api" -> OpenTelemetryTracing.of(OpenTelemetry.noop());
            case "sdk" -> {
              sdk =
                  OpenTelemetrySdk.builder()
                      .setTracerProvider(
                          SdkTracerProvider.builder()
                              .addSpanProcessor(BatchSpanProcessor.builder(new Dropped()).build())
                              .build())
                      .build();
              yield OpenTelemetryTracing.of(sdk);
            }
            default -> throw new IllegalArgumentException("unknown tracing " + tracing);
          };
      tollgate =
          Tollgate.builder()
              .bundle(Bundle.fromFiles(PolicySets.realistic(100, "specific")))
              .tracing(chosen)
              .build();
      Decision d = tollgate.decide(PolicySets.AGENT, action);
      if (d.reasons().stream().anyMatch(r -> r.policy().equals(Tollgate.INTERNAL))) {
        throw new IllegalStateException("benchmark set fails at decision time: " + d);
      }
    }

    @TearDown
    public void tearDown() {
      if (sdk != null) {
        sdk.close();
      }
    }
  }

  /** An exporter that takes every span and keeps none: the SDK's own cost, not a backend's. */
  static final class Dropped implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  @Benchmark
  public Decision decide(Engine e) {
    return e.tollgate.decide(PolicySets.AGENT, e.action);
  }
}
