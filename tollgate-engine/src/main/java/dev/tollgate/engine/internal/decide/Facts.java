package dev.tollgate.engine.internal.decide;

import dev.cel.runtime.CelVariableResolver;
import dev.tollgate.api.Action;
import dev.tollgate.engine.internal.bundle.Redaction;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.cel.RateValues;
import dev.tollgate.engine.internal.rate.Targets;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * The variables a policy sees ({@link PolicyEnv#VARIABLES}), each made the first time a policy
 * reads it. Most policies read {@code action} and {@code tool} only; building {@code data}, {@code
 * flow} and {@code provenance} for them (a map per finding, three CEL wrappers) was a fifth of a
 * decision's allocation. {@code judge} asks an outside model (see {@link Judge}): made only for a
 * policy that reads it, so a bundle that never does makes no call. A read-only map, so that
 * whatever took the eager map takes this one; also the CEL resolver, so that each evaluation does
 * not wrap it again. One per decision, one thread.
 */
final class Facts extends AbstractMap<String, Object>
    implements CelVariableResolver, RateValues.Source {
  /** The variables, in {@link PolicyEnv#VARIABLES} order. */
  private static final String[] NAMES = {
    "action", "tool", "data", "flow", "provenance", "session", "scope", "blast", "judge"
  };

  private final String agent;
  private final Action action;
  private final ToolSpec tool;
  private final SessionView session;
  private final Inspection inspection;
  private final Judge judge;
  private final RateValues rates;

  @SuppressWarnings("unchecked")
  private final Optional<Object>[] made = new Optional[NAMES.length];

  Facts(
      String agent,
      Action action,
      ToolSpec tool,
      SessionView session,
      Inspection inspection,
      Judge judge,
      RateValues rates) {
    this.rates = rates;
    this.agent = agent;
    this.action = action;
    this.tool = tool;
    this.session = session;
    this.inspection = inspection;
    this.judge = judge;
  }

  private static int slot(Object name) {
    if (name instanceof String s) {
      for (int i = 0; i < NAMES.length; i++) {
        if (NAMES[i].equals(s)) {
          return i;
        }
      }
    }
    return -1;
  }

  private Optional<Object> value(int slot) {
    Optional<Object> v = made[slot];
    if (v == null) {
      v = Optional.of(make(slot));
      made[slot] = v;
    }
    return v;
  }

  private Object make(int slot) {
    return switch (slot) {
      case 0 -> actionFacts();
      case 1 -> tool.facts();
      case 2 -> inspection.dataFacts();
      case 3 -> inspection.flowFacts();
      case 4 -> inspection.provenanceFacts();
      case 5 -> session.facts();
      case 6 -> Scope.facts(tool, session, inspection.injectedFrom());
      case 7 -> PolicyEnv.celValue(Targets.blast(action.args(), tool).facts());
      default -> judgeFacts();
    };
  }

  /**
   * The judge's opinion, asked only now that a policy reads it. What it is told is masked as the
   * audit keeps it: the arguments as an allow's mask redaction leaves them, the user's words with
   * the session's tokens, and the text it sends once more through both masks.
   */
  private Object judgeFacts() {
    if (judge == Judge.NONE) {
      return Judge.Opinion.NOT_CONFIGURED.facts();
    }
    Map<String, Object> args = MASK.apply(action.args(), inspection.hits());
    Judge.Question question =
        new Judge.Question(
            session.mask(session.request()),
            maskedTask(session.task()),
            action.tool(),
            tool.does(),
            args == null ? action.args() : args,
            text -> session.mask(inspection.mask(text)));
    Judge.Opinion opinion;
    try {
      opinion = judge.judge(question);
    } catch (RuntimeException e) {
      // INVARIANT: a judge that breaks its contract is no opinion, never a failed decision.
      opinion = Judge.Opinion.none("the judge failed (" + e.getClass().getSimpleName() + ")");
    }
    return (opinion == null ? Judge.Opinion.none("the judge gave no answer") : opinion).facts();
  }

  private static final Redaction MASK = new Redaction("mask", java.util.List.of());

  /** The declared task with the session's tokens in place of its flagged values. */
  private Map<String, Object> maskedTask(Map<String, Object> task) {
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) maskStrings(task);
    return out;
  }

  private Object maskStrings(Object value) {
    if (value instanceof String s) {
      return session.mask(s);
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), maskStrings(v)));
      return out;
    }
    if (value instanceof java.util.List<?> l) {
      return l.stream().map(this::maskStrings).toList();
    }
    return value;
  }

  private Map<String, Object> actionFacts() {
    Map<String, Object> act = new HashMap<>(8);
    act.put("tool", action.tool());
    @SuppressWarnings("unchecked")
    Map<String, Object> args = (Map<String, Object>) Evaluator.celNulls(action.args());
    act.put("args", PolicyEnv.celValue(args));
    act.put("agent", agent);
    act.put("user", orEmpty(action.user()));
    act.put("reason", orEmpty(action.reason()));
    act.put("session", orEmpty(action.session()));
    return PolicyEnv.celValue(act);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  @Override
  public RateValues rates() {
    return rates;
  }

  @Override
  public Optional<Object> find(String name) {
    int slot = slot(name);
    return slot < 0 ? Optional.empty() : value(slot);
  }

  @Override
  public Object get(Object name) {
    int slot = slot(name);
    return slot < 0 ? null : value(slot).get();
  }

  @Override
  public boolean containsKey(Object name) {
    return slot(name) >= 0;
  }

  @Override
  public int size() {
    return NAMES.length;
  }

  /** Every variable, made now: for a caller that walks the map rather than asking by name. */
  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < NAMES.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (next >= NAMES.length) {
              throw new NoSuchElementException();
            }
            int slot = next++;
            return new SimpleImmutableEntry<>(NAMES[slot], value(slot).get());
          }
        };
      }

      @Override
      public int size() {
        return NAMES.length;
      }
    };
  }
}
