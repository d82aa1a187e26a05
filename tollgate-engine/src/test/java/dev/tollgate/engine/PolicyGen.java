package dev.tollgate.engine;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators for the properties: policies from a small grammar of CEL conditions (some of which
 * fail at run time on some actions), agents and tools with exact and wildcard patterns, and actions
 * over the same small vocabulary so that policies and actions actually meet.
 */
final class PolicyGen {
  private PolicyGen() {}

  static final List<String> TOOLS =
      List.of("email.send", "email.read", "files.delete", "pay", "web.fetch", "other.tool");
  static final List<String> AGENTS = List.of("bot-a", "bot-b", "human");
  static final List<String> TOOL_PATTERNS =
      List.of(
          "email.send",
          "email.read",
          "files.delete",
          "pay",
          "web.fetch",
          "email.*",
          "*",
          "*.delete",
          "?ay",
          "files.*",
          "web.f?tch");
  static final List<String> AGENT_PATTERNS =
      List.of("bot-a", "bot-b", "human", "bot-*", "*", "?uman");

  static final List<String> ATOMS =
      List.of(
          "true",
          "false",
          "action.args.n > 3",
          "action.args.n == 5",
          "has(action.args.n)",
          "has(action.args.s) && action.args.s.startsWith(\"a\")",
          "action.args.s == \"abc\"",
          "action.args.s.size() > 2",
          "action.user == \"alice\"",
          "action.tool.startsWith(\"email\")",
          "action.agent == \"bot-a\"",
          "size(action.args) >= 2",
          "tool.kind == \"unknown\"");

  /** A policy as written in YAML. Null lists and strings mean "absent". */
  record Policy(
      String name,
      List<String> agents,
      List<String> tools,
      String when,
      Effect effect,
      boolean shadow,
      String message) {

    Policy named(String newName) {
      return new Policy(newName, agents, tools, when, effect, shadow, message);
    }

    Policy withoutMatch() {
      return new Policy(name, null, null, when, effect, shadow, message);
    }

    Policy enforcing() {
      return new Policy(name, agents, tools, when, effect, false, message);
    }

    Policy shadowed() {
      return new Policy(name, agents, tools, when, effect, true, message);
    }

    String yaml() {
      StringBuilder y = new StringBuilder("  - name: ").append(name).append('\n');
      if (agents != null || tools != null) {
        y.append("    match:\n");
        if (agents != null) {
          y.append("      agents: ").append(flow(agents)).append('\n');
        }
        if (tools != null) {
          y.append("      tools: ").append(flow(tools)).append('\n');
        }
      }
      if (when != null) {
        y.append("    when: ").append(quote(when)).append('\n');
      }
      y.append("    effect: ").append(effect.wireName()).append('\n');
      if (shadow) {
        y.append("    mode: shadow\n");
      }
      if (message != null) {
        y.append("    message: ").append(quote(message)).append('\n');
      }
      return y.toString();
    }

    /** Whether the match globs accept the pair, by a matcher written independently of Glob. */
    boolean applies(String agent, String tool) {
      return (agents == null || agents.stream().anyMatch(p -> wildcard(p, 0, agent, 0)))
          && (tools == null || tools.stream().anyMatch(p -> wildcard(p, 0, tool, 0)));
    }
  }

  static boolean wildcard(String p, int i, String s, int j) {
    if (i == p.length()) {
      return j == s.length();
    }
    char c = p.charAt(i);
    if (c == '*') {
      for (int k = j; k <= s.length(); k++) {
        if (wildcard(p, i + 1, s, k)) {
          return true;
        }
      }
      return false;
    }
    return j < s.length() && (c == '?' || c == s.charAt(j)) && wildcard(p, i + 1, s, j + 1);
  }

  static String flow(List<String> items) {
    return items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ", "[", "]"));
  }

  static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  static String file(List<Policy> policies) {
    if (policies.isEmpty()) {
      return "policies: []\n";
    }
    return "policies:\n" + policies.stream().map(Policy::yaml).collect(Collectors.joining());
  }

  static Bundle bundle(List<Policy> policies) {
    return Bundles.of("policies.yaml", file(policies));
  }

  static Arbitrary<String> condition(int depth) {
    Arbitrary<String> atom = Arbitraries.of(ATOMS);
    if (depth == 0) {
      return atom;
    }
    Arbitrary<String> sub = condition(depth - 1);
    return Arbitraries.frequencyOf(
        Tuple.of(4, atom),
        Tuple.of(1, sub.map(c -> "!(" + c + ")")),
        Tuple.of(1, Combinators.combine(sub, sub).as((a, b) -> "(" + a + " && " + b + ")")),
        Tuple.of(1, Combinators.combine(sub, sub).as((a, b) -> "(" + a + " || " + b + ")")));
  }

  static Arbitrary<Policy> policy(Arbitrary<Effect> effects, Arbitrary<Boolean> shadows) {
    Arbitrary<List<String>> agents =
        Arbitraries.of(AGENT_PATTERNS).list().ofMinSize(1).ofMaxSize(2).injectNull(0.5);
    Arbitrary<List<String>> tools =
        Arbitraries.of(TOOL_PATTERNS).list().ofMinSize(1).ofMaxSize(3).injectNull(0.25);
    Arbitrary<String> when = condition(2).injectNull(0.2);
    Arbitrary<String> message =
        Arbitraries.of(
                "\"m:\" + action.tool",
                "\"n=\" + string(action.args.n)",
                "action.agent + \"/\" + action.user")
            .injectNull(0.4);
    return Combinators.combine(agents, tools, when, effects, shadows, message)
        .as((a, t, w, e, s, m) -> new Policy("x", a, t, w, e, s, m));
  }

  static Arbitrary<Policy> anyPolicy() {
    return policy(Arbitraries.of(Effect.class), Arbitraries.of(false, false, false, true));
  }

  static Arbitrary<Policy> enforcingPolicy() {
    return policy(Arbitraries.of(Effect.class), Arbitraries.just(false));
  }

  /** Policies named p00, p01, ... so that names are unique. */
  static Arbitrary<List<Policy>> policies(Arbitrary<Policy> policy, int max) {
    return policy.list().ofMinSize(0).ofMaxSize(max).map(PolicyGen::numbered);
  }

  static List<Policy> numbered(List<Policy> list) {
    List<Policy> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(list.get(i).named(String.format("p%02d", i)));
    }
    return out;
  }

  record Call(String agent, Action action) {}

  static Arbitrary<Call> call() {
    Arbitrary<Object> n = Arbitraries.of((Object) 1L, 5L, 10L, "5", 2.5).injectNull(0.3);
    Arbitrary<Object> s = Arbitraries.of((Object) "abc", "xyz", "a", 7L).injectNull(0.3);
    Arbitrary<Boolean> extra = Arbitraries.of(true, false);
    Arbitrary<String> user = Arbitraries.of("alice", "bob").injectNull(0.2);
    return Builders.withBuilder(() -> new LinkedHashMap<String, Object>())
        .use(n)
        .in(
            (m, v) -> {
              if (v != null) m.put("n", v);
              return m;
            })
        .use(s)
        .in(
            (m, v) -> {
              if (v != null) m.put("s", v);
              return m;
            })
        .use(extra)
        .in(
            (m, v) -> {
              if (v) m.put("k", true);
              return m;
            })
        .build(m -> (Map<String, Object>) m)
        .flatMap(
            args ->
                Combinators.combine(Arbitraries.of(AGENTS), Arbitraries.of(TOOLS), user)
                    .as((agent, tool, u) -> new Call(agent, Action.of(null, u, tool, args))));
  }

  static Arbitrary<List<Call>> calls() {
    return call().list().ofMinSize(1).ofMaxSize(4);
  }
}
