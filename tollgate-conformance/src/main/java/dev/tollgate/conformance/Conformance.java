package dev.tollgate.conformance;

import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.runner.Scenario;
import dev.tollgate.engine.runner.Scenarios;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
      Scenarios.Outcome outcome =
          Scenarios.run(factory.open(c.bundle(), c.scenario().agent()), c.scenario());
      return new Result(
          c, outcome.passed() ? Status.PASSED : Status.FAILED, outcome.failures(), null);
    } catch (Exception e) {
      return new Result(c, Status.FAILED, List.of("the way in failed: " + e), null);
    }
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
