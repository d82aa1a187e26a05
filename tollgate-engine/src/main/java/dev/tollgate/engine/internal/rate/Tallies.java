package dev.tollgate.engine.internal.rate;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.CounterLog;
import dev.tollgate.engine.internal.bundle.CompiledBundle;
import dev.tollgate.engine.internal.bundle.CompiledPolicy;
import dev.tollgate.engine.internal.bundle.Glob;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.cel.RateCall;
import dev.tollgate.engine.internal.flow.Fingerprints;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tallies the rate functions of a bundle for one action, before the policies run, and settles them
 * after the decision.
 *
 * <p>What counts: an action that was allowed (by the policies, or through a grant once a person
 * approved it) or asked (a person may still let it through, and an agent pressing on past an ask is
 * the fan-out a limit is for), from the moment of its decision; a denied action does not, and a
 * retry answered from its request id does not count again. To hold a limit exactly under
 * concurrency, the action is appended to every counter it belongs to <em>before</em> the policies
 * read the counters (atomically with the read), and taken out again when the decision is a deny:
 * two concurrent decisions never both see the last free unit. Both costs are on the safe side: a
 * decision in flight may make a concurrent one ask, and an approved action counts twice (its ask
 * and its allowed retry) within its window. Novelty remembers allowed actions only.
 */
public final class Tallies {
  private final Counters counters;
  private final Fingerprints fingerprints;
  private final Map<String, Selector> selectors = new ConcurrentHashMap<>();

  public Tallies(Counters counters, Fingerprints fingerprints) {
    this.counters = counters;
    this.fingerprints = fingerprints;
  }

  /**
   * The values of the rate calls the action's candidate policies read, having appended the action
   * to every counter whose tools it belongs to.
   *
   * @param sessionKey the store's key of the session, or {@code null} outside a session
   */
  public Tally tally(
      CompiledBundle bundle,
      String agent,
      Action action,
      ToolSpec tool,
      String sessionKey,
      Instant now) {
    List<RateCall> calls = bundle.rates();
    if (calls.isEmpty()) {
      return Tally.NONE;
    }
    java.util.Set<String> read = new java.util.HashSet<>();
    for (CompiledPolicy p : bundle.index().candidates(agent, action.tool())) {
      for (RateCall c : p.rates()) {
        read.add(c.key());
      }
    }
    Tally tally = Tally.building();
    long at = now.toEpochMilli();
    Map<String, Object> args = action.args() == null ? Map.of() : action.args();
    // Every counter and novelty question of the decision in one call of the store (one round
    // trip when it is shared): counting calls by stream, one append and one measure each, every
    // window at once.
    Map<Stream, List<RateCall>> streams = new LinkedHashMap<>();
    List<CounterLog.Lookup> lookups = new ArrayList<>(2);
    List<RateCall> looked = new ArrayList<>(2);
    for (RateCall c : calls) {
      if (c.function().novelty()) {
        if (read.contains(c.key())) {
          Object known = novel(c, agent, action, tool, args, sessionKey, at, lookups);
          if (known == null) {
            looked.add(c);
          } else {
            tally.put(c.key(), known);
          }
        }
        continue;
      }
      boolean counts = selector(c.tools()).matches(tool);
      if (!counts && !read.contains(c.key())) {
        continue;
      }
      String subject = subject(c.by(), agent, action.user(), sessionKey);
      String base =
          c.function().name()
              + '\u001f'
              + c.by()
              + '\u001f'
              + subject
              + '\u001f'
              + c.tools()
              + '\u001f';
      if (c.function() == RateCall.Function.DISTINCT && c.arg().equals("@targets")) {
        // one stream per control argument (hosts apart from their environment): the value is
        // the most distinct values any one of them reached
        for (String name : targetArgs(bundle, c.tools(), tool)) {
          boolean own = counts && tool.control().contains(name);
          streams
              .computeIfAbsent(
                  new Stream(base + name, name, own, subject.isEmpty()), k -> new ArrayList<>(2))
              .add(c);
        }
      } else {
        streams
            .computeIfAbsent(
                new Stream(base + c.arg(), c.arg(), counts, subject.isEmpty()),
                k -> new ArrayList<>(2))
            .add(c);
      }
    }
    List<Counters.Count> counts = new ArrayList<>(streams.size());
    List<String> failures = new ArrayList<>(streams.size());
    for (Map.Entry<Stream, List<RateCall>> e : streams.entrySet()) {
      String arg = e.getKey().arg();
      List<RateCall> onStream = e.getValue();
      Counters.Measure measure = measure(onStream.getFirst());
      String failure = null;
      Counters.Event add = null;
      if (e.getKey().counts()) {
        double amount = 0;
        long[] values = new long[0];
        if (measure == Counters.Measure.SUM) {
          amount = amount(args, arg);
          if (Double.isNaN(amount)) {
            failure =
                "sum: the action's `"
                    + (arg.equals("@amount") ? Targets.amountArg(args) : arg)
                    + "` is not an amount (a number, or text such as \"1,200.50 EUR\")";
            amount = 0;
          }
        } else if (measure == Counters.Measure.DISTINCT) {
          values = fingerprintsOf(Targets.values(args, tool, arg));
        }
        add =
            Counters.Event.of(
                java.util.concurrent.ThreadLocalRandom.current().nextLong(), at, amount, values);
      }
      long[] windows = new long[onStream.size()];
      for (int i = 0; i < windows.length; i++) {
        windows[i] = onStream.get(i).window().toMillis();
      }
      counts.add(
          new Counters.Count(
              e.getKey().key(), measure, add, windows, retention(calls, onStream.getFirst())));
      failures.add(failure);
    }
    List<Stream> keys = new ArrayList<>(streams.keySet());
    List<Counters.Count> stored = new ArrayList<>(counts.size());
    for (int i = 0; i < counts.size(); i++) {
      if (!keys.get(i).alone()) {
        stored.add(counts.get(i));
      }
    }
    Counters.Measured measured =
        stored.isEmpty() && lookups.isEmpty()
            ? new Counters.Measured(new double[0][], new boolean[0])
            : counters.tally(stored, lookups, at);
    for (Counters.Count c : stored) {
      if (c.add() != null) {
        tally.reserved.add(new CounterLog.Appended(c.stream(), c.add().id()));
      }
    }
    int next = 0;
    int i = 0;
    for (List<RateCall> onStream : streams.values()) {
      Counters.Count c = counts.get(i);
      double[] values =
          keys.get(i).alone()
              ? alone(c.measure(), c.add(), c.windows().length)
              : measured.counts()[next++];
      for (int w = 0; w < values.length; w++) {
        RateCall call = onStream.get(w);
        Object value =
            failures.get(i) != null
                ? new Tally.Failure(failures.get(i))
                : c.measure() == Counters.Measure.SUM
                    ? (Object) values[w]
                    : (Object) (long) values[w];
        tally.putMax(call.key(), value);
      }
      i++;
    }
    for (int l = 0; l < looked.size(); l++) {
      tally.put(looked.get(l).key(), measured.unseen()[l]);
    }
    for (RateCall c : calls) {
      if (c.function().novelty()) {
        List<String> values = Targets.values(args, tool, c.arg());
        if (c.function() == RateCall.Function.NOVEL_DOMAIN) {
          values = domains(values);
        }
        if (!values.isEmpty()) {
          String subject = noveltySubject(c, agent, action.user(), sessionKey);
          if (subject != null) {
            tally.remember.add(new CounterLog.Seen(subject, fingerprintsOf(values)));
          }
        }
      }
    }
    return tally;
  }

  /**
   * Keeps the action's appends when it was allowed or asked (a person may still let it through),
   * takes them out when it was denied; remembers its targets for novelty only when it was allowed.
   * Settles once: later calls change nothing.
   */
  public void settle(Tally tally, Effect effect, Instant now) {
    if (tally == Tally.NONE || !tally.settle()) {
      return;
    }
    if (effect == Effect.DENY) {
      if (!tally.reserved.isEmpty()) {
        counters.release(tally.reserved, now.toEpochMilli());
      }
      return;
    }
    if (effect == Effect.ALLOW && !tally.remember.isEmpty()) {
      counters.remember(tally.remember, now.toEpochMilli());
    }
  }

  /**
   * Whether the action's targets are new to the call's subject, when that is known without the
   * store; otherwise {@code null}, having added the question to {@code lookups}.
   */
  private Object novel(
      RateCall c,
      String agent,
      Action action,
      ToolSpec tool,
      Map<String, Object> args,
      String sessionKey,
      long at,
      List<CounterLog.Lookup> lookups) {
    List<String> values = Targets.values(args, tool, c.arg());
    if (c.function() == RateCall.Function.NOVEL_DOMAIN) {
      values = domains(values);
    }
    if (values.isEmpty()) {
      return false;
    }
    String subject = noveltySubject(c, agent, action.user(), sessionKey);
    if (subject == null) {
      return true;
    }
    lookups.add(new CounterLog.Lookup(subject, fingerprintsOf(values), at - c.window().toMillis()));
    return null;
  }

  /**
   * The longest window of the bundle's calls on the same stream as {@code c} (same function,
   * subject, tools and argument), read by this decision or not: worked out once per bundle.
   */
  private long retention(List<RateCall> calls, RateCall c) {
    Retentions cached = retentions;
    if (cached == null || cached.calls() != calls) {
      Map<String, Long> longest = new java.util.HashMap<>();
      for (RateCall other : calls) {
        longest.merge(streamOf(other), other.window().toMillis(), Math::max);
      }
      // by call, as the bundle holds them: a lookup allocates nothing
      Map<RateCall, Long> byCall = new java.util.IdentityHashMap<>();
      for (RateCall other : calls) {
        byCall.put(other, longest.get(streamOf(other)));
      }
      cached = new Retentions(calls, byCall);
      retentions = cached;
    }
    Long longest = cached.byCall().get(c);
    return longest == null ? c.window().toMillis() : longest;
  }

  private static String streamOf(RateCall c) {
    return c.function().name() + '\u001f' + c.by() + '\u001f' + c.tools() + '\u001f' + c.arg();
  }

  /** Read-only once built and published through the volatile field. */
  private record Retentions(List<RateCall> calls, Map<RateCall, Long> byCall) {}

  private volatile Retentions retentions;

  private static Counters.Measure measure(RateCall c) {
    return switch (c.function()) {
      case SUM -> Counters.Measure.SUM;
      case DISTINCT -> Counters.Measure.DISTINCT;
      default -> Counters.Measure.COUNT;
    };
  }

  private static List<String> domains(List<String> values) {
    List<String> out = new ArrayList<>(values.size());
    for (String v : values) {
      String d = Targets.domain(v);
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  /** Whose history novelty looks in; {@code null} when the action does not say (no user). */
  private static String noveltySubject(RateCall c, String agent, String user, String sessionKey) {
    String kind = c.function() == RateCall.Function.NOVEL_DOMAIN ? "domain" : "target";
    return switch (c.by()) {
      case "agent" -> kind + "\u001fagent\u001f" + agent;
      case "user" -> user == null || user.isBlank() ? null : kind + "\u001fuser\u001f" + user;
      case "session" -> sessionKey == null ? null : kind + "\u001fsession\u001f" + sessionKey;
      default -> kind + "\u001forg";
    };
  }

  private static String subject(String by, String agent, String user, String sessionKey) {
    String s =
        switch (by) {
          case "agent" -> agent;
          case "user" -> user;
          case "session" -> sessionKey;
          default -> "*";
        };
    return s == null ? "" : s;
  }

  /**
   * One counter stream of a decision.
   *
   * @param key the store's name for it: function, subject, tools and argument
   * @param arg the argument whose values or amount it keeps
   * @param counts whether this action is appended to it (its tool is among the stream's)
   * @param alone whether the action lacks the stream's subject (no session, no user): then only
   *     this action counts, and nothing is stored
   */
  private record Stream(String key, String arg, boolean counts, boolean alone) {}

  private static double[] alone(Counters.Measure measure, Counters.Event add, int n) {
    double[] out = new double[n];
    double v =
        add == null
            ? 0
            : switch (measure) {
              case COUNT -> 1;
              case SUM -> add.micros() / 1e6;
              case DISTINCT -> java.util.Arrays.stream(add.values()).distinct().count();
            };
    java.util.Arrays.fill(out, v);
    return out;
  }

  private static double amount(Map<String, Object> args, String arg) {
    String name = arg.equals("@amount") ? Targets.amountArg(args) : arg;
    if (name == null || !args.containsKey(name) || args.get(name) == null) {
      return 0;
    }
    return Targets.amount(args.get(name));
  }

  private long[] fingerprintsOf(List<String> values) {
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = fingerprints.ofTarget(values.get(i));
    }
    return out;
  }

  /**
   * The control arguments, amounts aside, of every catalogued tool {@code tools} selects, and of
   * this one: the streams {@code distinct(..., "@targets", ...)} keeps.
   */
  private List<String> targetArgs(CompiledBundle bundle, String tools, ToolSpec tool) {
    TargetArgs cached = targetArgs;
    if (cached == null || cached.catalog() != bundle.catalog()) {
      cached = new TargetArgs(bundle.catalog(), new ConcurrentHashMap<>());
      targetArgs = cached;
    }
    // by selector and tool: the same few pairs on every decision, made once per catalog
    return cached
        .bySelector()
        .computeIfAbsent(
            tools + '\u001f' + tool.name(),
            k -> {
              java.util.Set<String> out = new java.util.TreeSet<>(tool.control());
              for (ToolSpec spec : bundle.catalog().specs()) {
                if (selector(tools).matches(spec)) {
                  out.addAll(spec.control());
                }
              }
              out.removeIf(Targets::isAmountName);
              return List.copyOf(out);
            });
  }

  private record TargetArgs(
      dev.tollgate.engine.internal.bundle.Catalog catalog, Map<String, List<String>> bySelector) {}

  private volatile TargetArgs targetArgs;

  private Selector selector(String tools) {
    return selectors.computeIfAbsent(tools, Selector::of);
  }

  /** Which tools' actions a counter counts: globs over names, or kinds. */
  private record Selector(List<Glob> globs, List<ToolSpec.Kind> kinds) {
    static Selector of(String text) {
      List<Glob> globs = new ArrayList<>();
      List<ToolSpec.Kind> kinds = new ArrayList<>();
      for (String part : text.split(",")) {
        String p = part.strip();
        if (p.startsWith("kind:")) {
          kinds.add(ToolSpec.Kind.valueOf(p.substring(5).toUpperCase(java.util.Locale.ROOT)));
        } else {
          globs.add(Glob.of(p));
        }
      }
      return new Selector(List.copyOf(globs), List.copyOf(kinds));
    }

    boolean matches(ToolSpec tool) {
      if (kinds.contains(tool.kind())) {
        return true;
      }
      for (Glob g : globs) {
        if (g.matches(tool.name())) {
          return true;
        }
      }
      return false;
    }
  }
}
