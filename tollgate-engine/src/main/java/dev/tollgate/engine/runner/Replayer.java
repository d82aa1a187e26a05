package dev.tollgate.engine.runner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.Reason;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Explanation;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.engine.internal.yaml.Names;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays recorded sessions through a fresh engine: opens each trace's session with its request,
 * then for each step decides and observes the step's result. This is how a team tries new policies
 * on recorded traffic before enforcing them; {@link #flips} compares two bundles.
 */
public final class Replayer {
  private static final Set<String> TRACE_KEYS =
      Set.of("id", "agent", "user", "request", "task", "continues", "scenario", "domain", "steps");
  private static final Set<String> STEP_KEYS =
      Set.of(
          "tool",
          "args",
          "reason",
          "result",
          "expected",
          "expectPolicies",
          "expectDetectors",
          "expectResultDetectors",
          "attack",
          "at");

  /**
   * The fingerprint key of replays and policy tests: fixed, so that a replay's fingerprints are the
   * same from run to run. What flow finds does not depend on it (shingles are chosen by an unkeyed
   * hash, and values match under any key): a copy of 11 words or more is always seen, one of 7 to
   * 10 words when the winnow happens to choose two of its shingles. A live engine draws its own
   * key.
   */
  static final byte[] FINGERPRINT_KEY =
      "tollgate-replay!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Replayer() {}

  /** One replayed step. {@code step} counts from 0 within its trace. */
  public record StepResult(
      String trace,
      int step,
      String tool,
      Effect effect,
      Effect expected,
      List<Reason> reasons,
      List<ShadowOutcome> shadow) {
    public boolean mismatch() {
      return expected != null && expected != effect;
    }

    /** The JSON Lines form: trace, step, tool, effect, expected, reasons, shadow. */
    public Map<String, Object> toJson() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("trace", trace);
      out.put("step", step);
      out.put("tool", tool);
      out.put("effect", effect.wireName());
      out.put("expected", expected == null ? null : expected.wireName());
      out.put("reasons", reasons);
      out.put("shadow", shadow);
      return out;
    }
  }

  /** Every step of a replay, with a confusion table over the steps that carry an expectation. */
  public record Report(List<StepResult> steps) {
    /** counts[expected][decided], indexed by {@link Effect#ordinal()}. */
    @SuppressWarnings("EnumOrdinal") // the table is laid out in Effect order
    public long[][] confusion() {
      long[][] counts = new long[3][3];
      for (StepResult s : steps) {
        if (s.expected() != null) {
          counts[s.expected().ordinal()][s.effect().ordinal()]++;
        }
      }
      return counts;
    }

    public List<StepResult> mismatches() {
      return steps.stream().filter(StepResult::mismatch).toList();
    }

    public long expectedCount() {
      return steps.stream().filter(s -> s.expected() != null).count();
    }

    /** Each step, then the confusion table and every mismatch (when steps carry expectations). */
    @SuppressWarnings("EnumOrdinal")
    public String render() {
      StringBuilder out = new StringBuilder();
      int toolWidth = steps.stream().mapToInt(s -> s.tool().length()).max().orElse(4);
      for (StepResult s : steps) {
        out.append(
            String.format(
                "%-12s %3d  %-" + toolWidth + "s  %-5s",
                s.trace(),
                s.step(),
                s.tool(),
                s.effect().wireName()));
        if (s.expected() != null) {
          out.append(s.mismatch() ? "  MISMATCH expected " + s.expected().wireName() : "  ok");
        }
        if (!s.reasons().isEmpty()) {
          out.append("  ").append(s.reasons().get(0).policy());
          if (s.reasons().size() > 1) {
            out.append(" +").append(s.reasons().size() - 1);
          }
        }
        out.append('\n');
      }
      if (expectedCount() > 0) {
        long[][] c = confusion();
        out.append("\nexpected \\ decided   allow     ask    deny\n");
        for (Effect e : Effect.values()) {
          out.append(
              String.format(
                  "%-19s %6d  %6d  %6d%n",
                  e.wireName(), c[e.ordinal()][0], c[e.ordinal()][1], c[e.ordinal()][2]));
        }
        List<StepResult> mismatches = mismatches();
        out.append('\n')
            .append(expectedCount() - mismatches.size())
            .append(" of ")
            .append(expectedCount())
            .append(" expected decisions matched");
        for (StepResult m : mismatches) {
          out.append("\n  ")
              .append(m.trace())
              .append(" step ")
              .append(m.step())
              .append(" (")
              .append(m.tool())
              .append("): expected ")
              .append(m.expected().wireName())
              .append(", decided ")
              .append(m.effect().wireName());
          for (Reason r : m.reasons()) {
            out.append("\n      ").append(r.policy()).append(": ").append(r.message());
          }
        }
        out.append('\n');
      }
      return out.toString();
    }
  }

  /** A step whose effect differs between two replays of the same traces. */
  public record Flip(String trace, int step, String tool, Effect before, Effect after) {}

  /**
   * Parses a JSON Lines file of traces; blank lines are skipped.
   *
   * @throws BundleException listing every malformed line
   */
  public static List<Trace> parse(String file, String text) throws BundleException {
    List<Trace> traces = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      try {
        traces.add(toTrace(ApiJson.readTree(line), i + 1));
      } catch (InputException e) {
        String where = e.field() == null ? "" : " at `" + e.field() + "`";
        problems.add(
            new Problem(
                file,
                i + 1,
                0,
                e.getMessage() + where,
                "each line must be one trace: {\"id\", \"agent\", \"user\", \"request\","
                    + " \"steps\": [{\"tool\", \"args\", \"result\", \"expected\"}]}",
                line.length() > 160 ? line.substring(0, 160) + "…" : line));
      }
    }
    Set<String> earlier = new java.util.HashSet<>();
    for (Trace t : traces) {
      if (t.continues() != null && !earlier.contains(t.continues())) {
        problems.add(
            new Problem(
                file,
                t.line(),
                0,
                "trace `"
                    + t.id()
                    + "` continues `"
                    + t.continues()
                    + "`, which is not an earlier trace of this file",
                "name the id of a trace on an earlier line, whose deployment this session follows",
                null));
      }
      earlier.add(t.id());
    }
    if (!problems.isEmpty()) {
      throw new BundleException(problems);
    }
    return traces;
  }

  /** A fresh engine over {@code bundle} with the fixed key of replays and policy tests. */
  static Tollgate engine(Bundle bundle) {
    return engine(bundle, new ReplayClock());
  }

  /** A fresh engine like {@link #engine(Bundle)} on a clock the replay sets from steps' times. */
  static Tollgate engine(Bundle bundle, ReplayClock clock) {
    return Tollgate.builder().bundle(bundle).fingerprintKey(FINGERPRINT_KEY).clock(clock).build();
  }

  /** An engine with the clock its steps set. */
  private record Engine(Tollgate tollgate, ReplayClock clock) {}

  /**
   * The engine {@code trace} runs on: a fresh one over {@code bundle}, or the one of the earlier
   * trace it continues (its stores, so its memory, with them).
   */
  private static Engine engineFor(Bundle bundle, Trace trace, Map<String, Engine> engines) {
    Engine engine;
    if (trace.continues() == null) {
      ReplayClock clock = new ReplayClock();
      engine = new Engine(engine(bundle, clock), clock);
    } else {
      engine = engines.get(trace.continues());
      if (engine == null) {
        throw new IllegalArgumentException(
            "trace `"
                + trace.id()
                + "` continues `"
                + trace.continues()
                + "`, which was not replayed before it");
      }
    }
    engines.put(trace.id(), engine);
    return engine;
  }

  /**
   * Replays every trace, each on a fresh engine over {@code bundle}, or on the engine of the trace
   * it {@link Trace#continues}.
   */
  public static Report replay(Bundle bundle, List<Trace> traces) {
    List<StepResult> results = new ArrayList<>();
    Map<String, Engine> engines = new java.util.HashMap<>();
    for (Trace trace : traces) {
      Engine engine = engineFor(bundle, trace, engines);
      Gate gate = engine.tollgate().gate(trace.agent());
      if (!trace.steps().isEmpty()) {
        engine.clock().set(trace.steps().getFirst().at());
      }
      String session =
          gate.openSession(
              new SessionSpec(trace.id(), trace.user(), trace.request(), trace.task()));
      for (int i = 0; i < trace.steps().size(); i++) {
        Trace.Step step = trace.steps().get(i);
        engine.clock().set(step.at());
        Decision d =
            gate.decide(
                new Action(session, trace.user(), step.tool(), step.args(), step.reason(), null));
        results.add(
            new StepResult(
                trace.id(), i, step.tool(), d.effect(), step.expected(), d.reasons(), d.shadow()));
        if (step.result() != null) {
          gate.observe(new Observation(session, step.tool(), d.id(), step.result()));
        }
      }
    }
    return new Report(results);
  }

  /**
   * One replayed step with what every considered policy did, for evaluation suites.
   *
   * @param index the step's position in its trace, from 0
   * @param observed what observing the step's result found (labels and findings), or {@code null}
   *     when the step has no result
   */
  public record Explained(
      Trace trace,
      int index,
      Trace.Step step,
      Explanation explanation,
      ObservationResult observed) {}

  /**
   * Replays every trace like {@link #replay}, each on a fresh engine over {@code bundle}, and keeps
   * each step's explanation: the decision and the outcome of every policy considered (so that
   * policies outranked by a stronger effect are seen too). Explaining neither opens approvals nor
   * uses grants; a replay has none to use.
   */
  public static List<Explained> explain(Bundle bundle, List<Trace> traces) {
    List<Explained> results = new ArrayList<>();
    Map<String, Engine> engines = new java.util.HashMap<>();
    for (Trace trace : traces) {
      Engine replay = engineFor(bundle, trace, engines);
      Tollgate engine = replay.tollgate();
      if (!trace.steps().isEmpty()) {
        replay.clock().set(trace.steps().getFirst().at());
      }
      String session =
          engine.openSession(
              trace.agent(),
              new SessionSpec(trace.id(), trace.user(), trace.request(), trace.task()));
      for (int i = 0; i < trace.steps().size(); i++) {
        Trace.Step step = trace.steps().get(i);
        replay.clock().set(step.at());
        Explanation e =
            engine.explain(
                trace.agent(),
                new Action(session, trace.user(), step.tool(), step.args(), step.reason(), null));
        ObservationResult observed = null;
        if (step.result() != null) {
          observed =
              engine.observe(
                  trace.agent(),
                  new Observation(session, step.tool(), e.decision().id(), step.result()));
        }
        results.add(new Explained(trace, i, step, e, observed));
      }
    }
    return results;
  }

  /** The steps decided differently by two replays of the same traces. */
  public static List<Flip> flips(Report before, Report after) {
    List<Flip> flips = new ArrayList<>();
    for (int i = 0; i < Math.min(before.steps().size(), after.steps().size()); i++) {
      StepResult a = before.steps().get(i);
      StepResult b = after.steps().get(i);
      if (a.effect() != b.effect()) {
        flips.add(new Flip(a.trace(), a.step(), a.tool(), a.effect(), b.effect()));
      }
    }
    return flips;
  }

  private static Trace toTrace(JsonNode node, int line) throws InputException {
    if (!node.isObject()) {
      throw new InputException("bad_request", "a trace must be a JSON object", "/");
    }
    unknownKeys(node, TRACE_KEYS, "the trace", "");
    String id = text(node, "id", "");
    String agent = text(node, "agent", "");
    String user = text(node, "user", "");
    if (id == null || agent == null || user == null) {
      throw new InputException(
          "bad_request",
          "missing field `"
              + (id == null ? "id" : agent == null ? "agent" : "user")
              + "` in the trace",
          null);
    }
    String request = text(node, "request", "");
    Map<String, Object> task = object(node, "task", "");
    Trace.Scenario scenario = scenario(node);
    String domain = text(node, "domain", "");
    JsonNode steps = node.get("steps");
    if (steps == null || !steps.isArray()) {
      throw new InputException("bad_request", "`steps` must be an array of steps", "/steps");
    }
    List<Trace.Step> out = new ArrayList<>();
    java.time.Instant last = null;
    for (int i = 0; i < steps.size(); i++) {
      JsonNode s = steps.get(i);
      String at = "/steps/" + i;
      if (!s.isObject()) {
        throw new InputException("bad_request", "a step must be a JSON object", at);
      }
      unknownKeys(s, STEP_KEYS, "a step", at);
      String tool = text(s, "tool", at);
      if (tool == null || tool.isBlank()) {
        throw new InputException("bad_request", "missing field `tool` in a step", at + "/tool");
      }
      Effect expected = null;
      String e = text(s, "expected", at);
      if (e != null) {
        try {
          expected = Effect.parse(e);
        } catch (IllegalArgumentException ex) {
          throw new InputException("bad_request", ex.getMessage(), at + "/expected");
        }
      }
      JsonNode result = s.get("result");
      boolean attack = attack(s, at, scenario);
      java.time.Instant when = null;
      String atText = text(s, "at", at);
      if (atText != null) {
        try {
          when = ReplayClock.parse(atText);
        } catch (IllegalArgumentException ex) {
          throw new InputException("bad_request", ex.getMessage(), at + "/at");
        }
        if (last != null && when.isBefore(last)) {
          throw new InputException(
              "bad_request",
              "`at` goes back in time ("
                  + atText
                  + " is before the step before it): steps are in the order they happened",
              at + "/at");
        }
        last = when;
      }
      out.add(
          new Trace.Step(
              tool,
              object(s, "args", at),
              text(s, "reason", at),
              result == null || result.isNull() ? null : ApiJson.toJava(result),
              expected,
              names(s, "expectPolicies", at),
              names(s, "expectDetectors", at),
              names(s, "expectResultDetectors", at),
              attack,
              when));
    }
    if (scenario == Trace.Scenario.ATTACK && out.stream().noneMatch(Trace.Step::attack)) {
      throw new InputException(
          "bad_request",
          "an attack scenario must mark the steps the attacker wanted with \"attack\": true"
              + " (its attack success counts them)",
          "/steps");
    }
    return new Trace(
        id,
        agent,
        user,
        request == null ? "" : request,
        task,
        text(node, "continues", ""),
        scenario,
        domain,
        out,
        line);
  }

  private static Trace.Scenario scenario(JsonNode node) throws InputException {
    String text = text(node, "scenario", "");
    if (text == null) {
      return null;
    }
    for (Trace.Scenario s : Trace.Scenario.values()) {
      if (s.wireName().equals(text)) {
        return s;
      }
    }
    throw new InputException(
        "bad_request",
        "`scenario` must be \"attack\" or \"benign\", not \"" + text + "\"",
        "/scenario");
  }

  /** A step's {@code attack} mark: a boolean, and only in an attack scenario. */
  private static boolean attack(JsonNode step, String at, Trace.Scenario scenario)
      throws InputException {
    JsonNode v = step.get("attack");
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new InputException("bad_request", "`attack` must be true or false", at + "/attack");
    }
    if (v.booleanValue() && scenario != Trace.Scenario.ATTACK) {
      throw new InputException(
          "bad_request",
          "`attack` marks a step of an attack scenario: give the trace \"scenario\": \"attack\"",
          at + "/attack");
    }
    return v.booleanValue();
  }

  private static void unknownKeys(JsonNode node, Set<String> allowed, String what, String at)
      throws InputException {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        String near = Names.nearest(name, allowed);
        throw new InputException(
            "bad_request",
            "unknown field `"
                + name
                + "` in "
                + what
                + (near != null ? ": did you mean `" + near + "`?" : ""),
            at + "/" + name);
      }
    }
  }

  private static List<String> names(JsonNode node, String field, String at) throws InputException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new InputException(
          "bad_request", "`" + field + "` must be an array of names", at + "/" + field);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw new InputException(
            "bad_request", "`" + field + "` must be an array of names", at + "/" + field + "/" + i);
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  private static String text(JsonNode node, String field, String at) throws InputException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InputException("bad_request", "`" + field + "` must be a string", at + "/" + field);
    }
    return v.textValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(JsonNode node, String field, String at)
      throws InputException {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new InputException(
          "bad_request", "`" + field + "` must be a JSON object", at + "/" + field);
    }
    return (Map<String, Object>) ApiJson.toJava(v);
  }
}
