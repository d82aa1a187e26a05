package dev.tollgate.server;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency histograms, written out in the Prometheus text format. Label values are
 * policy and agent names, which the server's own configuration bounds; they are escaped anyway.
 */
final class Metrics {
  private static final double[] BUCKETS_SECONDS = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1
  };

  private final ByEffect decisions = new ByEffect("agent");
  private final ByEffect byPolicy = new ByEffect("policy");
  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
  private final Histogram decideLatency = new Histogram();
  private final Histogram storeLatency = new Histogram();

  /** Counts a decision; allocates nothing once its agent and policies have been seen. */
  void decision(String agent, Decision d, long nanos) {
    decisions.increment(agent, d.effect());
    for (Reason r : d.reasons()) {
      byPolicy.increment(r.policy(), d.effect());
    }
    decideLatency.observe(nanos);
  }

  void rejected(int status, String code) {
    rejected
        .computeIfAbsent(
            label("status", Integer.toString(status)) + "," + label("code", code),
            k -> new LongAdder())
        .increment();
  }

  void store(long nanos) {
    storeLatency.observe(nanos);
  }

  /** What the server reads at the moment of a scrape. */
  record Gauges(
      int auditQueueDepth,
      String bundleDigest,
      long bundleLoadedEpochSeconds,
      int openConnections,
      boolean storeReady,
      int reloadRecordsWaiting,
      long reloadRecordsDropped,
      long signInsLimited) {}

  private final Map<String, LongAdder> reloads = new ConcurrentHashMap<>();

  /** A reload's outcome: {@code loaded}, {@code unchanged}, {@code held} or {@code refused}. */
  void reload(String outcome) {
    reloads.computeIfAbsent(label("outcome", outcome), k -> new LongAdder()).increment();
  }

  String render(Gauges g) {
    StringBuilder out = new StringBuilder();
    gauge(
        out,
        "tollgate_audit_queue_depth",
        "Audit records waiting for their group commit.",
        "",
        g.auditQueueDepth());
    gauge(
        out,
        "tollgate_bundle_info",
        "The policy bundle in use, by digest (always 1).",
        label("digest", g.bundleDigest()),
        1);
    gauge(
        out,
        "tollgate_bundle_loaded_timestamp_seconds",
        "When the bundle in use was loaded (Unix time).",
        "",
        g.bundleLoadedEpochSeconds());
    gauge(out, "tollgate_http_connections", "Open HTTP connections.", "", g.openConnections());
    gauge(
        out,
        "tollgate_store_ready",
        "1 when the store takes reads and writes, else 0 (every decision is a deny then).",
        "",
        g.storeReady() ? 1 : 0);
    out.append(
            "# HELP tollgate_signins_limited_total Failed sign-ins refused because the"
                + " server-wide budget of unknown names was spent.\n")
        .append("# TYPE tollgate_signins_limited_total counter\n")
        .append("tollgate_signins_limited_total ")
        .append(g.signInsLimited())
        .append('\n');
    counter(out, "tollgate_reloads_total", "Bundle reloads by outcome.", reloads);
    gauge(
        out,
        "tollgate_reload_records_waiting",
        "Reload audit records waiting for the store to take them.",
        "",
        g.reloadRecordsWaiting());
    out.append("# HELP tollgate_reload_records_dropped_total Reload audit records dropped because")
        .append(" too many waited for the store (each summed up in the audit).\n")
        .append("# TYPE tollgate_reload_records_dropped_total counter\n")
        .append("tollgate_reload_records_dropped_total ")
        .append(g.reloadRecordsDropped())
        .append('\n');
    decisions.render(out, "tollgate_decisions_total", "Decisions by agent and effect.");
    byPolicy.render(
        out,
        "tollgate_policy_decisions_total",
        "Decisions by the policy behind them and the effect.");
    counter(
        out, "tollgate_rejected_requests_total", "Requests refused with a 4xx or 5xx.", rejected);
    decideLatency.render(
        out, "tollgate_decide_seconds", "Time to decide, audit included, per request.");
    storeLatency.render(out, "tollgate_store_seconds", "Time of each audit append.");
    return out.toString();
  }

  private static void gauge(StringBuilder out, String name, String help, String labels, long v) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ').append(v).append('\n');
  }

  private static void counter(
      StringBuilder out, String name, String help, Map<String, LongAdder> values) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    values.forEach(
        (labels, v) ->
            out.append(name).append('{').append(labels).append("} ").append(v.sum()).append('\n'));
  }

  private static String label(String name, String value) {
    String v = value == null ? "" : value;
    return name + "=\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  /**
   * Counters by a name (agent or policy) and the effect, their labels written only when scraped: a
   * decision's counting builds no string (the hot path), while the scrape, seconds apart, does.
   */
  private static final class ByEffect {
    private static final Effect[] EFFECTS = Effect.values();
    private final String label;
    private final Map<String, LongAdder[]> counts = new ConcurrentHashMap<>();

    ByEffect(String label) {
      this.label = label;
    }

    void increment(String name, Effect effect) {
      String key = name == null ? "" : name;
      LongAdder[] row = counts.get(key);
      if (row == null) {
        row = counts.computeIfAbsent(key, k -> newRow());
      }
      row[effect.ordinal()].increment();
    }

    private static LongAdder[] newRow() {
      LongAdder[] row = new LongAdder[EFFECTS.length];
      for (int i = 0; i < row.length; i++) {
        row[i] = new LongAdder();
      }
      return row;
    }

    /** Only the (name, effect) pairs counted at least once, as before a pair is first counted. */
    void render(StringBuilder out, String metric, String help) {
      out.append("# HELP ").append(metric).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(metric).append(" counter\n");
      counts.forEach(
          (name, row) -> {
            for (Effect e : EFFECTS) {
              long n = row[e.ordinal()].sum();
              if (n > 0) {
                out.append(metric)
                    .append('{')
                    .append(label(label, name))
                    .append(',')
                    .append(label("effect", e.wireName()))
                    .append("} ")
                    .append(n)
                    .append('\n');
              }
            }
          });
    }
  }

  /** A fixed-bucket histogram; cheap enough to update on every request. */
  private static final class Histogram {
    private final LongAdder[] counts = new LongAdder[BUCKETS_SECONDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(long nanos) {
      double seconds = nanos / 1e9;
      int i = 0;
      while (i < BUCKETS_SECONDS.length && seconds > BUCKETS_SECONDS[i]) {
        i++;
      }
      counts[i].increment();
      sumNanos.add(nanos);
    }

    void render(StringBuilder out, String name, String help) {
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(" histogram\n");
      long cumulative = 0;
      for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
        cumulative += counts[i].sum();
        out.append(name)
            .append("_bucket{le=\"")
            .append(BUCKETS_SECONDS[i])
            .append("\"} ")
            .append(cumulative)
            .append('\n');
      }
      cumulative += counts[BUCKETS_SECONDS.length].sum();
      out.append(name).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
      out.append(name).append("_sum ").append(sumNanos.sum() / 1e9).append('\n');
      out.append(name).append("_count ").append(cumulative).append('\n');
    }
  }
}
