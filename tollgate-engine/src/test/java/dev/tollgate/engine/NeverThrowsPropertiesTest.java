package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Decide never throws and never allows when an enforcing policy errored, whatever the action:
 * deeply nested arguments, huge strings, odd unicode, nulls, every kind of Java number.
 */
class NeverThrowsPropertiesTest {
  private static final Bundle HOSTILE =
      Bundles.policies(
          """
      policies:
        - name: allow-everything
          effect: allow
          message: '"ok " + action.tool'
        - name: amount
          effect: ask
          when: action.args.a > 1000
        - name: recipients
          effect: deny
          when: action.args.b.exists(x, x == "root@rival.example")
          message: '"to " + action.args.b.join(",")'
        - name: prefix
          effect: ask
          when: action.args.c.startsWith("rm ")
        - name: sized
          effect: ask
          when: size(action.args.d) > 2
        - name: path
          effect: deny
          when: action.args.e.f.g == "h"
        - name: flag
          effect: deny
          when: action.args.f
        - name: trial
          mode: shadow
          effect: deny
          when: action.args.a < 0
        - name: anything-in-args
          effect: ask
          when: action.args.exists(k, string(action.args[k]).size() > 1000000)
      """);

  private static final Tollgate TOLLGATE = Bundles.tollgate(HOSTILE);

  @Provide
  Arbitrary<String> tools() {
    return Arbitraries.oneOf(
        Arbitraries.of("t", "email.send", "x.y.z"),
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40).filter(s -> !s.isBlank()));
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  @Property(tries = 200)
  void decideNeverThrowsAndNeverAllowsOnError(
      @ForAll("seeds") long seed, @ForAll("tools") String tool) {
    Random random = new Random(seed);
    Map<String, Object> args = new LinkedHashMap<>();
    for (String key : List.of("a", "b", "c", "d", "e", "f", "g")) {
      if (random.nextInt(4) > 0) {
        args.put(key, value(random, 0));
      }
    }
    Action action =
        new Action(
            random.nextBoolean() ? null : "",
            random.nextBoolean() ? null : text(random),
            tool,
            args,
            text(random),
            null);
    Explanation e = TOLLGATE.explain("bot", action);
    Decision d = e.decision();
    assertThat(d).isNotNull();
    assertThat(d.effect()).isNotNull();
    List<String> failedEnforcing =
        e.considered().stream()
            .filter(o -> o.status() == PolicyOutcome.Status.FAILED && !o.shadow())
            .map(PolicyOutcome::policy)
            .toList();
    if (!failedEnforcing.isEmpty()) {
      assertThat(d.effect()).as("%s", d).isEqualTo(Effect.DENY);
      assertThat(d.policies()).containsAll(failedEnforcing);
      assertThat(d.reasons())
          .filteredOn(r -> failedEnforcing.contains(r.policy()))
          .allSatisfy(
              r ->
                  assertThat(r.message())
                      .startsWith("policy `" + r.policy() + "` failed at decision time: ")
                      .endsWith("; denied to fail closed")
                      .doesNotContain("time: ;"));
    }
    Decision plain = TOLLGATE.decide("bot", action);
    assertThat(plain.effect()).isEqualTo(d.effect());
    assertThat(plain.reasons()).isEqualTo(d.reasons());
  }

  @Property(tries = 100)
  void hostileJsonNeverEscapesAsAnythingButInputException(@ForAll("seeds") long seed) {
    Random random = new Random(seed);
    Map<String, Object> args = new HashMap<>();
    args.put("a", value(random, 0));
    args.put("z", value(random, 0));
    String json;
    try {
      json = ApiJson.write(Map.of("tool", "t", "args", args));
    } catch (IllegalStateException e) {
      return; // not writable as JSON (NaN); nothing to parse
    }
    Action action;
    try {
      action = ApiJson.readAction(json);
    } catch (InputException e) {
      // random strings may hold lone surrogates: refused as invalid_text
      assertThat(e.code()).isIn("bad_request", "invalid_text");
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    Decision d = TOLLGATE.decide("bot", action);
    assertThat(d.effect()).isNotNull();
  }

  private static Object value(Random r, int depth) {
    int kind = r.nextInt(depth > 40 ? 12 : 15);
    return switch (kind) {
      case 0 -> null;
      case 1 -> r.nextLong();
      case 2 -> r.nextInt();
      case 3 ->
          List.of(
                  Double.NaN,
                  Double.POSITIVE_INFINITY,
                  -0.0,
                  Double.MIN_VALUE,
                  Double.MAX_VALUE,
                  1e300)
              .get(r.nextInt(6));
      case 4 -> (float) r.nextGaussian();
      case 5 -> new BigDecimal(r.nextGaussian() * 1e6);
      case 6 -> new BigInteger(200, r);
      case 7 -> (short) r.nextInt();
      case 8 -> r.nextBoolean();
      case 9 -> text(r);
      case 10 -> "x".repeat(r.nextInt(3) == 0 ? 1_100_000 : r.nextInt(100));
      case 11 -> List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L).get(r.nextInt(3));
      case 12 -> {
        List<Object> list = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          list.add(value(r, depth + 1));
        }
        yield list;
      }
      case 13 -> {
        Map<String, Object> map = new HashMap<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          map.put(List.of("f", "g", "x", text(r)).get(r.nextInt(4)), value(r, depth + 1));
        }
        yield map;
      }
      default -> nested(r, 1 + r.nextInt(60));
    };
  }

  private static Object nested(Random r, int depth) {
    Object v = r.nextBoolean() ? "h" : null;
    for (int i = 0; i < depth; i++) {
      Map<String, Object> m = new HashMap<>();
      m.put(i % 2 == 0 ? "g" : "f", v);
      v = r.nextBoolean() ? m : new ArrayList<>(java.util.Collections.singletonList(m));
    }
    return v;
  }

  private static String text(Random r) {
    String[] pieces = {
      "",
      "a",
      "é",
      "\u0000",
      "\uD83D\uDE00",
      "\uD800",
      "\u202E",
      "rm -rf /",
      "root@rival.example",
      "\"'`",
      "\n\r\t",
      "ﷺ",
      "𝔘𝔫𝔦"
    };
    StringBuilder out = new StringBuilder();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      out.append(pieces[r.nextInt(pieces.length)]);
    }
    return out.toString();
  }
}
