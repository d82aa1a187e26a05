package dev.tollgate.engine.runner;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Observation;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.yaml.MapReader;
import dev.tollgate.engine.internal.yaml.Y;
import dev.tollgate.engine.internal.yaml.YamlReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads scenarios from YAML and runs them against a {@link Gate}. */
public final class Scenarios {
  private static final Set<String> CASE_KEYS =
      Set.of("name", "agent", "session", "action", "expect", "description", "at");
  private static final Set<String> SESSION_KEYS =
      Set.of("request", "task", "results", "history", "open", "openedBy");
  private static final Set<String> RESULT_KEYS = Set.of("tool", "result");
  private static final Set<String> STEP_KEYS = Set.of("tool", "args", "result", "at");
  private static final Set<String> ACTION_KEYS =
      Set.of("session", "user", "tool", "args", "reason", "requestId");
  private static final Set<String> EXPECT_KEYS = Set.of("effect", "policies", "shadow", "refusal");

  /** The agent a case acts as when it names none. */
  public static final String DEFAULT_AGENT = "agent";

  private Scenarios() {}

  /**
   * A YAML file with scenarios under {@code listKey} (for example {@code tests}) and, optionally,
   * other top-level keys the caller reads itself.
   *
   * @param scenarios the cases, in file order
   * @param other the values of the other top-level keys the caller allowed, as plain Java values
   */
  public record File(List<Scenario> scenarios, Map<String, Object> other) {}

  /**
   * Parses one file of scenarios.
   *
   * @param otherKeys top-level keys besides {@code listKey} that are allowed (and returned raw)
   * @throws BundleException with every problem found
   */
  public static File parse(String file, String text, String listKey, Set<String> otherKeys)
      throws BundleException {
    List<Problem> problems = new ArrayList<>();
    Y root = YamlReader.read(file, text, problems);
    List<Scenario> scenarios = new ArrayList<>();
    Map<String, Object> other = new LinkedHashMap<>();
    if (root == null && problems.isEmpty()) {
      problems.add(
          new Problem(file, 0, 0, "empty file", "add a `" + listKey + ":` list of cases", null));
    }
    Y.Map top = root == null ? null : MapReader.asMap(root, "the file", problems);
    if (top != null) {
      Set<String> allowed = new TreeSet<>(otherKeys);
      allowed.add(listKey);
      MapReader r = new MapReader(top, "the file", problems, allowed);
      for (String key : otherKeys) {
        if (top.get(key) != null) {
          other.put(key, top.get(key).toJava());
        }
      }
      if (top.get(listKey) == null) {
        problems.add(
            YamlReader.at(
                top, "missing key `" + listKey + "`", "list the cases under `" + listKey + ":`"));
      } else {
        Y.Seq list = r.list(listKey);
        if (list != null) {
          for (Y item : list.items()) {
            Y.Map map = MapReader.asMap(item, "a case", problems);
            if (map != null) {
              Scenario s = readCase(map, problems);
              if (s != null) {
                scenarios.add(s);
              }
            }
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new BundleException(problems);
    }
    return new File(scenarios, other);
  }

  private static Scenario readCase(Y.Map map, List<Problem> problems) {
    int before = problems.size();
    String label =
        map.get("name") instanceof Y.Scalar n && n.value() instanceof String s
            ? "case `" + s + "`"
            : "a case";
    MapReader r = new MapReader(map, label, problems, CASE_KEYS);
    String name = r.text("name", true);
    String agent = r.text("agent", false);
    Scenario.Setup setup = null;
    Y.Map session = r.mapping("session");
    if (session != null) {
      setup = readSetup(session, label, problems);
    }
    Action action = null;
    Y.Map actionMap = r.mapping("action");
    if (map.get("action") == null) {
      problems.add(
          YamlReader.at(
              map,
              "missing key `action` in " + label,
              "give the action: {tool: ..., args: {...}}"));
    } else if (actionMap != null) {
      action = readAction(actionMap, "`action` of " + label, problems);
    }
    Scenario.Expectation expect = null;
    Y expectNode = map.get("expect");
    if (expectNode == null) {
      problems.add(
          YamlReader.at(
              map,
              "missing key `expect` in " + label,
              "say what should be decided: `expect: allow`, `ask` or `deny`"));
    } else {
      expect = readExpect(expectNode, label, problems);
    }
    java.time.Instant at = time(map.get("at"), problems);
    if (problems.size() != before || action == null || expect == null) {
      return null;
    }
    return new Scenario(
        name,
        agent == null ? DEFAULT_AGENT : agent,
        setup,
        action,
        expect,
        map.source().file() + ":" + (map.line() + 1),
        at);
  }

  private static Scenario.Setup readSetup(Y.Map session, String label, List<Problem> problems) {
    MapReader s = new MapReader(session, "`session` of " + label, problems, SESSION_KEYS);
    String request = s.text("request", false);
    Map<String, Object> task = Map.of();
    Y.Map taskNode = s.mapping("task");
    if (taskNode != null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> t = (Map<String, Object>) taskNode.toJava();
      task = t;
    }
    List<Scenario.Result> results = new ArrayList<>();
    Y.Seq resultList = s.list("results");
    if (resultList != null) {
      for (Y item : resultList.items()) {
        Y.Map m = MapReader.asMap(item, "a result", problems);
        if (m != null) {
          MapReader rr = new MapReader(m, "a result", problems, RESULT_KEYS);
          String tool = rr.text("tool", true);
          Y result = m.get("result");
          if (tool != null) {
            results.add(new Scenario.Result(tool, result == null ? null : result.toJava()));
          }
        }
      }
    }
    List<Scenario.Step> history = new ArrayList<>();
    Y.Seq steps = s.list("history");
    if (steps != null) {
      for (Y item : steps.items()) {
        Y.Map m = MapReader.asMap(item, "a history step", problems);
        if (m != null) {
          MapReader st = new MapReader(m, "a history step", problems, STEP_KEYS);
          String tool = st.text("tool", true);
          Y.Map args = st.mapping("args");
          Y result = m.get("result");
          if (tool != null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> a = args == null ? Map.of() : (Map<String, Object>) args.toJava();
            history.add(
                new Scenario.Step(
                    tool, a, result == null ? null : result.toJava(), time(m.get("at"), problems)));
          }
        }
      }
    }
    Boolean open = s.bool("open");
    String openedBy = s.text("openedBy", false);
    return new Scenario.Setup(
        request == null ? "" : request, task, results, history, open == null || open, openedBy);
  }

  /** A step's or case's {@code at}, or {@code null} when it has none or it is not a time. */
  private static java.time.Instant time(Y node, List<Problem> problems) {
    if (node == null) {
      return null;
    }
    Object value = node instanceof Y.Scalar sc ? sc.value() : null;
    try {
      if (value instanceof String text) {
        return ReplayClock.parse(text);
      }
      if (value instanceof java.time.Instant i) {
        return i;
      }
      throw new IllegalArgumentException(ReplayClock.problem(String.valueOf(value)));
    } catch (IllegalArgumentException e) {
      problems.add(
          YamlReader.at(
              node,
              e.getMessage(),
              "quote it: at: \"2026-12-04T09:30:00Z\" (UTC) or with an offset"));
      return null;
    }
  }

  private static Action readAction(Y.Map map, String label, List<Problem> problems) {
    MapReader a = new MapReader(map, label, problems, ACTION_KEYS);
    String tool = a.text("tool", true);
    Y.Map args = a.mapping("args");
    String session = a.text("session", false);
    String user = a.text("user", false);
    String reason = a.text("reason", false);
    String requestId = a.text("requestId", false);
    if (tool == null || tool.isBlank()) {
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> argMap = args == null ? Map.of() : (Map<String, Object>) args.toJava();
    return new Action(session, user, tool, argMap, reason, requestId);
  }

  private static Scenario.Expectation readExpect(Y node, String label, List<Problem> problems) {
    if (node instanceof Y.Scalar s && s.value() instanceof String text) {
      Effect effect = effect(s, text, label, problems);
      return effect == null ? null : new Scenario.Expectation(effect, null, null);
    }
    Y.Map map = MapReader.asMap(node, "`expect` of " + label, problems);
    if (map == null) {
      return null;
    }
    MapReader e = new MapReader(map, "`expect` of " + label, problems, EXPECT_KEYS);
    Y.Scalar effectNode = e.string("effect", true);
    List<String> policies = e.strings("policies");
    List<String> shadow = e.strings("shadow");
    String refusal = e.text("refusal", false);
    if (effectNode == null) {
      return null;
    }
    Effect effect = effect(effectNode, (String) effectNode.value(), label, problems);
    return effect == null ? null : new Scenario.Expectation(effect, policies, shadow, refusal);
  }

  private static Effect effect(Y.Scalar node, String text, String label, List<Problem> problems) {
    try {
      return Effect.parse(text);
    } catch (IllegalArgumentException ex) {
      problems.add(
          YamlReader.at(
              node,
              "unknown effect `" + text + "` in `expect` of " + label,
              "use one of allow, ask, deny"));
      return null;
    }
  }

  /** What running one scenario gave. */
  public record Outcome(Scenario scenario, Decision decision, List<String> failures) {
    public boolean passed() {
      return failures.isEmpty();
    }
  }

  /**
   * Runs one scenario on a gate that should be fresh (no sessions of other cases): opens the
   * session when the case has one or its action names one, observes the earlier results, decides
   * the history steps and observes their results, then decides the action and compares.
   */
  public static Outcome run(Gate gate, Scenario scenario) {
    return run(agent -> gate, scenario);
  }

  /**
   * Runs one scenario like {@link #run(Gate, Scenario)}, with a gate per agent from {@code gates}:
   * the case's agent decides, and {@code openedBy} (when the case names one) opens the session.
   * With {@code open: false} the action's session id is used as it is, never opened.
   */
  public static Outcome run(java.util.function.Function<String, Gate> gates, Scenario scenario) {
    return run(gates, scenario, new ReplayClock());
  }

  /** Runs one scenario on an engine whose clock is {@code clock}: steps' times set it. */
  static Outcome run(
      java.util.function.Function<String, Gate> gates, Scenario scenario, ReplayClock clock) {
    Scenario.Setup first = scenario.session();
    if (first != null && !first.history().isEmpty()) {
      clock.set(first.history().getFirst().at());
    } else {
      clock.set(scenario.at());
    }
    Gate gate = gates.apply(scenario.agent());
    Action action = scenario.action();
    Scenario.Setup setup = scenario.session();
    boolean needsSession = action.session() != null || setup != null;
    if (setup == null) {
      setup = Scenario.Setup.NONE;
    }
    if (needsSession && setup.open()) {
      String user = action.user() != null ? action.user() : "user@example.com";
      Gate opener = setup.openedBy() == null ? gate : gates.apply(setup.openedBy());
      String id =
          opener.openSession(
              new SessionSpec(action.session(), user, setup.request(), setup.task()));
      for (Scenario.Result r : setup.results()) {
        opener.observe(new Observation(id, r.tool(), null, r.result()));
      }
      for (Scenario.Step step : setup.history()) {
        clock.set(step.at());
        Decision d = opener.decide(new Action(id, user, step.tool(), step.args(), null, null));
        if (step.result() != null) {
          opener.observe(new Observation(id, step.tool(), d.id(), step.result()));
        }
      }
      action =
          new Action(
              id, action.user(), action.tool(), action.args(), action.reason(), action.requestId());
    }
    clock.set(scenario.at());
    Decision decision = gate.decide(action);
    return new Outcome(scenario, decision, compare(scenario.expect(), decision));
  }

  /** The differences between an expectation and a decision, worded for a report. */
  public static List<String> compare(Scenario.Expectation expect, Decision decision) {
    List<String> failures = new ArrayList<>();
    if (expect.effect() != decision.effect()) {
      failures.add(
          "expected "
              + expect.effect().wireName()
              + ", decided "
              + decision.effect().wireName()
              + describe(decision));
    }
    if (expect.policies() != null) {
      Set<String> want = new TreeSet<>(expect.policies());
      Set<String> got = new TreeSet<>(decision.policies());
      if (!want.equals(got)) {
        failures.add("expected policies " + want + ", got " + got);
      }
    }
    if (expect.shadow() != null) {
      Set<String> want = new TreeSet<>(expect.shadow());
      Set<String> got =
          new TreeSet<>(decision.shadow().stream().map(ShadowOutcome::policy).toList());
      if (!want.equals(got)) {
        failures.add("expected shadow policies " + want + ", got " + got);
      }
    }
    return failures;
  }

  private static String describe(Decision decision) {
    if (decision.reasons().isEmpty()) {
      return " (no policy matched)";
    }
    StringBuilder out = new StringBuilder(" because");
    decision
        .reasons()
        .forEach(r -> out.append("\n      ").append(r.policy()).append(": ").append(r.message()));
    return out.toString();
  }
}
