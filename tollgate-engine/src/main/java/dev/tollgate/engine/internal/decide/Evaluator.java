package dev.tollgate.engine.internal.decide;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.engine.PolicyOutcome;
import dev.tollgate.engine.internal.bundle.ApprovalOptions;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.bundle.CompiledPolicy;
import dev.tollgate.engine.internal.bundle.Redaction;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.cel.RateValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hot path: decides one action against a compiled bundle. A pure function of its inputs; it
 * does no I/O, reads no clock and keeps no state, except through the {@link Judge} it is handed,
 * which is asked only when a policy reads {@code judge}.
 *
 * <p>Semantics, in the order they apply:
 *
 * <ol>
 *   <li>The gate is closed by default: without {@code agents.yaml}, for an agent without a profile
 *       (unless {@code agents.yaml} says {@code defaults: {unprofiled: allow}}) and for a tool
 *       outside the agent's profile, the action is denied (reason {@code profile:<agent>}).
 *   <li>Every policy whose {@code match} accepts the (agent, tool) pair is evaluated. A matching
 *       enforcing policy contributes its effect; a matching shadow policy is only reported.
 *   <li>A condition that fails at decision time makes an enforcing policy deny, naming the policy
 *       and the error; a failing shadow policy is reported as a shadow deny.
 *   <li>The effect is the strictest contribution (deny over ask over allow), allow when nothing
 *       contributed; the reasons are those of the contributions with that effect.
 * </ol>
 */
public final class Evaluator {
  private Evaluator() {}

  /**
   * Evaluates {@code action}.
   *
   * @param spec the catalog's entry for the action's tool, looked up once by the caller
   */
  public static Evaluation evaluate(
      CompiledBundle bundle,
      String agent,
      Action action,
      ToolSpec spec,
      SessionView session,
      Inspection inspection,
      Judge judge,
      RateValues rates,
      boolean explain) {
    String tool = action.tool();
    // Contributions in policy order: a Reason, or the CompiledPolicy whose message is rendered only
    // if its reason is kept (a matched ask's or allow's message is dropped when a deny wins, and
    // rendering costs a CEL evaluation and a masking pass).
    List<Object> denies = null;
    List<Object> asks = null;
    List<Object> allows = null;
    List<ShadowOutcome> shadow = null;
    List<PolicyOutcome> outcomes = explain ? new ArrayList<>() : null;
    boolean profileDenied = false;
    List<ApprovalOptions> askOptions = null;
    List<Redaction> redactions = null;

    String refusal = bundle.profiles().refusal(agent, tool);
    if (refusal != null) {
      profileDenied = true;
      denies = new ArrayList<>(2);
      denies.add(new Reason("profile:" + agent, refusal));
    }

    CompiledPolicy[] candidates = bundle.index().candidates(agent, tool);
    // Each variable is made when a policy first reads it (see Facts); the same facts serve a
    // grant's constraint afterwards.
    Facts facts = new Facts(agent, action, spec, session, inspection, judge, rates);
    if (candidates.length > 0) {
      for (CompiledPolicy p : candidates) {
        boolean matched;
        String error = null;
        try {
          Object result =
              p.condition() == null ? Boolean.TRUE : PolicyEnv.eval(p.condition(), facts);
          if (!(result instanceof Boolean b)) {
            // A dyn value (action.args.x) passes the type check; at run time it must be a bool.
            throw new IllegalStateException(
                "the condition yielded "
                    + (result instanceof String
                        ? "a string"
                        : result instanceof Number ? "a number" : "a non-bool value")
                    + ", not a bool");
          }
          matched = b;
        } catch (PolicyEnv.EvaluationException | RuntimeException e) {
          matched = false;
          error =
              session.mask(
                  inspection.mask(
                      e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (error != null) {
          String message =
              "policy `"
                  + p.name()
                  + "` failed at decision time: "
                  + error
                  + "; denied to fail closed";
          if (p.shadow()) {
            shadow = add(shadow, new ShadowOutcome(p.name(), Effect.DENY, message));
          } else {
            denies = add(denies, new Reason(p.name(), message));
          }
          if (explain) {
            outcomes.add(outcome(p, PolicyOutcome.Status.FAILED, error));
          }
          continue;
        }
        if (!matched) {
          if (explain) {
            outcomes.add(outcome(p, PolicyOutcome.Status.NOT_MATCHED, null));
          }
          continue;
        }
        Object contribution = p;
        if (explain || p.shadow()) {
          Reason reason = reason(p, facts, session, inspection);
          if (explain) {
            outcomes.add(outcome(p, PolicyOutcome.Status.MATCHED, reason.message()));
          }
          if (p.shadow()) {
            shadow = add(shadow, new ShadowOutcome(p.name(), p.effect(), reason.message()));
            continue;
          }
          contribution = reason;
        }
        switch (p.effect()) {
          case DENY -> denies = add(denies, contribution);
          case ASK -> {
            asks = add(asks, contribution);
            askOptions = add(askOptions, p.approval());
          }
          case ALLOW -> {
            allows = add(allows, contribution);
            if (p.redact() != null) {
              redactions = add(redactions, p.redact());
            }
          }
        }
      }
    }
    Effect effect;
    List<Object> kept;
    if (denies != null) {
      effect = Effect.DENY;
      kept = denies;
    } else if (asks != null) {
      effect = Effect.ASK;
      kept = asks;
    } else {
      effect = Effect.ALLOW;
      kept = allows;
    }
    return new Evaluation(
        effect,
        reasons(kept, facts, session, inspection),
        shadow == null ? List.of() : shadow,
        outcomes == null ? List.of() : outcomes,
        profileDenied && denies.size() == 1,
        asks != null,
        askOptions == null ? ApprovalOptions.DEFAULT : ApprovalOptions.strictest(askOptions),
        redactions == null ? null : Redaction.merge(redactions),
        facts);
  }

  /** The kept contributions as reasons, rendering the messages not rendered yet. */
  private static List<Reason> reasons(
      List<Object> kept, Facts facts, SessionView session, Inspection inspection) {
    if (kept == null) {
      return List.of();
    }
    List<Reason> out = new ArrayList<>(kept.size());
    // Policies from one template share a message program (PolicyEnv.message): with the same facts
    // it renders the same text, so it is rendered and masked once per decision.
    Object[] rendered = null;
    int count = 0;
    for (Object c : kept) {
      if (!(c instanceof CompiledPolicy p)) {
        out.add((Reason) c);
        continue;
      }
      String message = null;
      for (int i = 0; i < count && p.message() != null; i += 2) {
        if (rendered[i] == p.message()) {
          message = (String) rendered[i + 1];
          break;
        }
      }
      if (message == null) {
        String text = p.message() == null ? null : renderedOrNull(p, facts);
        if (text == null) {
          // no message, or it failed: the policy's own fallback, which names the policy
          message = reason(p, facts, session, inspection).message();
        } else {
          message = session.mask(inspection.mask(text));
          if (rendered == null) {
            rendered = new Object[2 * kept.size()];
          }
          rendered[count++] = p.message();
          rendered[count++] = message;
        }
      }
      out.add(new Reason(p.name(), message));
    }
    return out;
  }

  /**
   * A matched policy's reason. Its message may quote an argument or the user's words: what a
   * detector flagged in them is shown masked, as the store keeps it.
   */
  private static Reason reason(
      CompiledPolicy p, Facts facts, SessionView session, Inspection inspection) {
    return new Reason(p.name(), session.mask(inspection.mask(render(p, facts))));
  }

  /** The variables a policy sees, each made when first read; without a judge. */
  public static Map<String, Object> facts(
      String agent, Action action, ToolSpec tool, SessionView session, Inspection inspection) {
    return facts(agent, action, tool, session, inspection, Judge.NONE);
  }

  /** The variables a policy sees, each made when first read; {@code judge} asked only if read. */
  public static Map<String, Object> facts(
      String agent,
      Action action,
      ToolSpec tool,
      SessionView session,
      Inspection inspection,
      Judge judge) {
    return new Facts(agent, action, tool, session, inspection, judge, RateValues.NONE);
  }

  /**
   * CEL has its own null: a Java {@code null} (a JSON null in the arguments) makes the runtime fail
   * on any attribute access, even {@code action.tool}. Replaces nulls, copying only when needed.
   */
  static Object celNulls(Object value) {
    if (value == null) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    if (!hasNull(value)) {
      return value;
    }
    if (value instanceof Map<?, ?> m) {
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, celNulls(v)));
      return out;
    }
    List<Object> out = new ArrayList<>();
    for (Object o : (List<?>) value) {
      out.add(celNulls(o));
    }
    return out;
  }

  private static boolean hasNull(Object value) {
    NullFinder finder = new NullFinder();
    finder.visit(value);
    return finder.found;
  }

  /**
   * Looks for a null anywhere in a JSON value, on every decision: maps are walked with {@code
   * forEach}, lists by index, so that no iterator is made per map or list (an unmodifiable map
   * makes two).
   */
  private static final class NullFinder implements java.util.function.BiConsumer<Object, Object> {
    boolean found;

    void visit(Object value) {
      if (found) {
        return;
      }
      if (value == null) {
        found = true;
      } else if (value instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) m;
        map.forEach(this);
      } else if (value instanceof List<?> l) {
        if (l instanceof java.util.RandomAccess) {
          for (int i = 0; i < l.size() && !found; i++) {
            visit(l.get(i));
          }
        } else {
          for (Object o : l) {
            visit(o);
          }
        }
      }
    }

    @Override
    public void accept(Object key, Object value) {
      visit(value);
    }
  }

  private static String render(CompiledPolicy p, Map<String, Object> facts) {
    if (p.message() == null) {
      return p.fallbackMessage();
    }
    try {
      return String.valueOf(PolicyEnv.eval(p.message(), facts));
    } catch (PolicyEnv.EvaluationException | RuntimeException e) {
      return p.fallbackMessage() + " (message failed: " + e.getMessage() + ")";
    }
  }

  /** The policy's message rendered, or {@code null} when it fails. */
  private static String renderedOrNull(CompiledPolicy p, Map<String, Object> facts) {
    try {
      return String.valueOf(PolicyEnv.eval(p.message(), facts));
    } catch (PolicyEnv.EvaluationException | RuntimeException e) {
      return null;
    }
  }

  private static PolicyOutcome outcome(
      CompiledPolicy p, PolicyOutcome.Status status, String message) {
    return new PolicyOutcome(
        p.name(),
        p.effect(),
        p.shadow(),
        status,
        message,
        p.file() + ":" + p.line(),
        p.conditionText());
  }

  private static <T> List<T> add(List<T> list, T item) {
    List<T> out = list == null ? new ArrayList<>(2) : list;
    out.add(item);
    return out;
  }
}
