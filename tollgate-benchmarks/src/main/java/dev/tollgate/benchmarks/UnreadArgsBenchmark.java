package dev.tollgate.benchmarks;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Tollgate;
import java.util.LinkedHashMap;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Does a decision cost more when the action carries arguments no policy reads? It should not: the
 * policies below only select a few fields. The same realistic set (100 policies, specific mix: five
 * candidates for the decided tool) decides the benchmark action with {@code extra} unread header
 * entries added to its arguments. A cost that grows with {@code extra} means every attribute access
 * converts the whole argument tree (see BENCHMARKS.md, hot spots).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class UnreadArgsBenchmark {

  @Param({"0", "50", "200"})
  int extra;

  private Tollgate tollgate;
  private Action action;

  @Setup
  public void setUp() throws BundleException {
    tollgate =
        Tollgate.builder().bundle(Bundle.fromFiles(PolicySets.realistic(100, "specific"))).build();
    Map<String, Object> args = PolicySets.args();
    Map<String, Object> headers = new LinkedHashMap<>();
    for (int k = 0; k < extra; k++) {
      headers.put("x-header-" + k, "value " + k);
    }
    args.put("headers", headers);
    action = new Action(null, "alice@acme.example", PolicySets.TOOL, args, null, null);
  }

  @Benchmark
  public Decision decide() {
    return tollgate.decide(PolicySets.AGENT, action);
  }
}
