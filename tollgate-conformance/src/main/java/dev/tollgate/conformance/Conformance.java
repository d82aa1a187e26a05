package dev.tollgate.conformance;

import dev.tollgate.api.Gate;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.Scenario;
import dev.tollgate.engine.runner.Scenarios;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The conformance corpus and its runner.
 *
 * <p>Each suite file holds a {@code bundle} (file name to text) and {@code cases} in the shape of
 * policy tests. {@code skip.yaml} lists, per way in, the cases that way in cannot pass yet and why.
 * A skipped case is reported as skipped with its reason, never silently dropped; a skip that names
 * no existing case is an error, so the list cannot rot.
 */
public final class Conformance {
  private static final String ROOT = "/conformance/";

  private Conformance() {}

  /** One case of the corpus, with the bundle it runs against. */
  public record Case(String suite, Map<String, String> bundle, Scenario scenario) {
    public String id() {
      return suite + ": " + scenario.name();
    }
  }

  /** How one case came out on one way in. */
  public record Result(Case testCase, Status status, List<String> failures, String skipReason) {}

  /** Passed, failed, or skipped (with a reason, from {@code skip.yaml}). */
  public enum Status {
    PASSED,
    FAILED,
    SKIPPED
  }

  /** The library as a way in: a fresh in-process engine per case, with its memory stores. */
  public static final GateFactory LIBRARY =
      bundle ->
          inProcess(
              dev.tollgate.engine.Tollgate.builder()
                  .bundle(dev.tollgate.engine.Bundle.fromFiles(bundle))
                  .build());

  /** An in-process engine as one way in: its gates, and its audit log read back. */
  public static GateFactory.Way inProcess(dev.tollgate.engine.Tollgate engine) {
    return new GateFactory.Way() {
      @Override
      public Gate gate(String agent) {
        return engine.gate(agent);
      }

      @Override
      public List<AuditEntry> audit() {
        return engine
            .audit()
            .search(dev.tollgate.api.store.AuditQuery.after(0, Integer.MAX_VALUE))
            .stream()
            .map(dev.tollgate.api.store.AuditRecord::entry)
            .toList();
      }
    };
  }

  /** Every case of every suite listed in {@code suites.txt}, in order. */
  public static List<Case> cases() {
    List<Case> out = new ArrayList<>();
    for (String suite : suiteNames()) {
      String text = resource(suite);
      try {
        Scenarios.File file = Scenarios.parse(suite, text, "cases", Set.of("bundle", "about"));
        Map<String, String> bundle = bundleOf(suite, file.other().get("bundle"));
        for (Scenario s : file.scenarios()) {
          out.add(new Case(suite, bundle, s));
        }
      } catch (BundleException e) {
        throw new IllegalStateException("broken conformance suite\n" + e.render(), e);
      }
    }
    return out;
  }

  /** The suite file names, from {@code suites.txt}. */
  public static List<String> suiteNames() {
    return resource("suites.txt")
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  /** Skips for one way in: case id ({@code suite: name}) to reason. */
  public static Map<String, String> skips(String wayIn) {
    try {
      Scenarios.File file =
          Scenarios.parse("skip.yaml", resource("skip.yaml"), "cases", Set.of("skip"));
      Object all = file.other().get("skip");
      Map<String, String> out = new LinkedHashMap<>();
      if (all instanceof Map<?, ?> byWay && byWay.get(wayIn) instanceof List<?> list) {
        for (Object item : list) {
          if (item instanceof Map<?, ?> m
              && m.get("case") instanceof String id
              && m.get("reason") instanceof String reason) {
            out.put(id, reason);
          } else {
            throw new IllegalStateException(
                "skip.yaml: each skip needs `case` (suite: name) and `reason`, got " + item);
          }
        }
      }
      return out;
    } catch (BundleException e) {
      throw new IllegalStateException("broken skip.yaml\n" + e.render(), e);
    }
  }

  /** Runs one case on a fresh gate of the way in; skips as listed. */
  public static Result run(Case c, GateFactory factory, Map<String, String> skips) {
    String skip = skips.get(c.id());
    if (skip != null) {
      return new Result(c, Status.SKIPPED, List.of(), skip);
    }
    try {
      GateFactory.Way way = factory.open(c.bundle());
      Map<String, Gate> gates = new HashMap<>();
      Scenarios.Outcome outcome =
          Scenarios.run(
              agent ->
                  gates.computeIfAbsent(
                      agent,
                      a -> {
                        try {
                          return way.gate(a);
                        } catch (Exception e) {
                          throw new IllegalStateException("cannot open a gate for " + a, e);
                        }
                      }),
              c.scenario());
      List<String> failures = new ArrayList<>(outcome.failures());
      String refusal = c.scenario().expect().refusal();
      if (refusal != null) {
        failures.addAll(refusal(refusal, way.audit()));
      }
      return new Result(c, failures.isEmpty() ? Status.PASSED : Status.FAILED, failures, null);
    } catch (Exception e) {
      return new Result(c, Status.FAILED, List.of("the way in failed: " + e), null);
    }
  }

  /**
   * What is wrong with the audit of a case that expects a refusal: the last record must be the
   * engine's {@code rejected} record with that code, naming the field {@code /session} or {@code
   * /requestId}.
   */
  static List<String> refusal(String code, List<AuditEntry> audit) {
    if (audit.isEmpty()) {
      return List.of("expected a `rejected` record with code " + code + ", the audit is empty");
    }
    AuditEntry last = audit.getLast();
    if (last.kind() != AuditEntry.Kind.REJECTED || !code.equals(last.detail().get("code"))) {
      return List.of(
          "expected a `rejected` record with code "
              + code
              + " last, got kind "
              + last.kind().wireName()
              + " with detail "
              + last.detail());
    }
    return List.of();
  }

  /**
   * Runs a case on a fresh instance of a way in (the case opens it once) and returns everything
   * that instance's audit recorded.
   *
   * @throws IllegalStateException when the case does not pass on that way in, with its failures
   */
  public static List<AuditEntry> audited(Case c, GateFactory factory) throws Exception {
    List<GateFactory.Way> opened = new ArrayList<>();
    GateFactory recording =
        bundle -> {
          GateFactory.Way way = factory.open(bundle);
          opened.add(way);
          return way;
        };
    Result r = run(c, recording, Map.of());
    if (r.status() != Status.PASSED) {
      throw new IllegalStateException(
          c.id() + " did not pass: " + r.status() + "\n" + String.join("\n", r.failures()));
    }
    return opened.getFirst().audit();
  }

  /**
   * Runs a case on a fresh instance of a way in and returns its last decision record as the fields
   * every way in must agree on (agent, tool, effect, reasons, findings, arguments' digest): a way
   * in that cannot carry a whole session (an adapter, the MCP gateway) still decides the case's
   * action as the library does.
   *
   * @throws IllegalStateException when the case does not pass on that way in, with its failures
   */
  public static List<Object> lastDecision(Case c, GateFactory factory) throws Exception {
    AuditEntry last =
        audited(c, factory).stream()
            .filter(e -> e.kind() == AuditEntry.Kind.DECISION)
            .reduce((a, b) -> b)
            .orElseThrow(() -> new IllegalStateException(c.id() + " recorded no decision"));
    return List.of(
        String.valueOf(last.agent()),
        String.valueOf(last.tool()),
        String.valueOf(last.effect()),
        last.reasons(),
        last.findings(),
        String.valueOf(last.argsDigest()));
  }

  /**
   * Audit entries with what differs between two runs of the same case taken out, for comparing ways
   * in: no time and latency, and decision ids numbered in order of appearance ({@code dec#1},
   * {@code dec#2}), also where a detail or message names one ({@code supersedes}). Approval, grant
   * and session ids are numbered the same way ({@code apr#1}, {@code grt#1}, {@code ses#1}), and
   * instants in details and messages read {@code <time>}.
   */
  public static List<AuditEntry> normalized(List<AuditEntry> entries) {
    Map<String, String> ids = new HashMap<>();
    List<AuditEntry> out = new ArrayList<>();
    for (AuditEntry e : entries) {
      out.add(
          new AuditEntry(
              java.time.Instant.EPOCH,
              e.kind(),
              e.agent(),
              e.user(),
              (String) renumber(e.session(), ids),
              e.tool(),
              e.effect(),
              (String) renumber(e.decision(), ids),
              e.reasons().stream()
                  .map(
                      r ->
                          new dev.tollgate.api.Reason(
                              (String) renumber(r.policy(), ids),
                              (String) renumber(r.message(), ids)))
                  .toList(),
              e.findings(),
              e.argsDigest(),
              0,
              renumberAll(e.detail(), ids)));
    }
    return out;
  }

  private static final java.util.regex.Pattern ID =
      java.util.regex.Pattern.compile("(dec|apr|grt|ses)_[0-9A-Z]{26}");

  private static Object renumber(Object value, Map<String, String> ids) {
    if (!(value instanceof String s)) {
      return value;
    }
    java.util.regex.Matcher m = ID.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String id = m.group();
      String prefix = m.group(1);
      String n =
          ids.computeIfAbsent(
              id,
              k ->
                  prefix
                      + "#"
                      + (ids.keySet().stream().filter(x -> x.startsWith(prefix + "_")).count()
                          + 1));
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(n));
    }
    m.appendTail(out);
    return TIME.matcher(out).replaceAll("<time>");
  }

  /** An instant as the engine writes it (expiries in details and messages). */
  private static final java.util.regex.Pattern TIME =
      java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z");

  private static Map<String, Object> renumberAll(
      Map<String, Object> detail, Map<String, String> ids) {
    Map<String, Object> out = new java.util.TreeMap<>();
    detail.forEach((k, v) -> out.put(k, renumberValue(v, ids)));
    return out;
  }

  private static Object renumberValue(Object v, Map<String, String> ids) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new java.util.TreeMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), renumberValue(x, ids)));
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(x -> renumberValue(x, ids)).toList();
    }
    if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float)) {
      return n.longValue(); // the store reads integers back as longs
    }
    return renumber(v, ids);
  }

  /** Skips that name no case of the corpus. */
  public static List<String> staleSkips(Map<String, String> skips) {
    Set<String> ids = new java.util.HashSet<>();
    cases().forEach(c -> ids.add(c.id()));
    return skips.keySet().stream().filter(id -> !ids.contains(id)).toList();
  }

  private static Map<String, String> bundleOf(String suite, Object bundle) {
    Map<String, String> out = new LinkedHashMap<>();
    if (bundle == null) {
      return out;
    }
    if (!(bundle instanceof Map<?, ?> m)) {
      throw new IllegalStateException(suite + ": `bundle` must map file names to YAML texts");
    }
    m.forEach(
        (k, v) -> {
          if (!(v instanceof String text)) {
            throw new IllegalStateException(
                suite + ": bundle file `" + k + "` must be a block of YAML text (use `|`)");
          }
          out.put(String.valueOf(k), text);
        });
    return out;
  }

  private static String resource(String name) {
    try (InputStream in = Conformance.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("missing conformance resource " + ROOT + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
