package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import dev.tollgate.engine.PolicyGen.Call;
import dev.tollgate.engine.PolicyGen.Policy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Properties of decide over generated policy sets and actions. */
class EvaluationPropertiesTest {

  @Provide
  Arbitrary<List<Policy>> policySet() {
    return PolicyGen.policies(PolicyGen.anyPolicy(), 7);
  }

  @Provide
  Arbitrary<List<Policy>> enforcingSet() {
    return PolicyGen.policies(PolicyGen.enforcingPolicy(), 6);
  }

  @Provide
  Arbitrary<List<Call>> calls() {
    return PolicyGen.calls();
  }

  @Provide
  Arbitrary<Policy> extraPolicy() {
    return PolicyGen.anyPolicy().map(p -> p.enforcing().named("zz-added"));
  }

  @Provide
  Arbitrary<Policy> extraDeny() {
    return PolicyGen.policy(Arbitraries.just(Effect.DENY), Arbitraries.just(false))
        .map(p -> p.named("zz-deny"));
  }

  /**
   * (a) Adding a deny policy never turns a deny into an allow, nor anything into a weaker effect.
   */
  @Property(tries = 200)
  void addingADenyPolicyNeverWeakens(
      @ForAll("policySet") List<Policy> policies,
      @ForAll("extraDeny") Policy deny,
      @ForAll("calls") List<Call> calls) {
    Tollgate before = Bundles.tollgate(PolicyGen.bundle(policies));
    List<Policy> more = new ArrayList<>(policies);
    more.add(deny);
    Tollgate after = Bundles.tollgate(PolicyGen.bundle(more));
    for (Call c : calls) {
      Decision b = before.decide(c.agent(), c.action());
      Decision a = after.decide(c.agent(), c.action());
      assertThat(a.effect().ordinal())
          .as("%s\nbefore %s\nafter %s", c, b, a)
          .isGreaterThanOrEqualTo(b.effect().ordinal());
      if (b.effect() == Effect.DENY) {
        assertThat(a.effect()).isEqualTo(Effect.DENY);
        assertThat(a.reasons()).containsAll(b.reasons());
      }
    }
  }

  /** (a') Adding an enforcing policy of any effect never weakens the effect either. */
  @Property(tries = 100)
  void addingAnyPolicyNeverWeakens(
      @ForAll("policySet") List<Policy> policies,
      @ForAll("extraPolicy") Policy extra,
      @ForAll("calls") List<Call> calls) {
    Tollgate before = Bundles.tollgate(PolicyGen.bundle(policies));
    List<Policy> more = new ArrayList<>(policies);
    more.add(extra);
    Tollgate after = Bundles.tollgate(PolicyGen.bundle(more));
    for (Call c : calls) {
      Effect b = before.decide(c.agent(), c.action()).effect();
      Effect a = after.decide(c.agent(), c.action()).effect();
      assertThat(a.ordinal()).as("%s: %s -> %s", c, b, a).isGreaterThanOrEqualTo(b.ordinal());
    }
  }

  /** (b) Shadow policies never change the effect or the reasons. */
  @Property(tries = 200)
  void shadowPoliciesNeverChangeTheDecision(
      @ForAll("enforcingSet") List<Policy> enforcing,
      @ForAll("enforcingSet") List<Policy> trial,
      @ForAll("calls") List<Call> calls) {
    List<Policy> both = new ArrayList<>(enforcing);
    for (Policy p : trial) {
      both.add(p.shadowed().named("s-" + p.name()));
    }
    Tollgate without = Bundles.tollgate(PolicyGen.bundle(enforcing));
    Tollgate with = Bundles.tollgate(PolicyGen.bundle(both));
    for (Call c : calls) {
      Decision a = without.decide(c.agent(), c.action());
      Decision b = with.decide(c.agent(), c.action());
      assertThat(b.effect()).as("%s\n%s\n%s", c, a, b).isEqualTo(a.effect());
      assertThat(b.reasons()).isEqualTo(a.reasons());
      assertThat(a.shadow()).isEmpty();
      assertThat(b.shadow()).allSatisfy(s -> assertThat(s.policy()).startsWith("s-"));
    }
  }

  /** (c) The decision does not depend on how policies are spread over files, nor their names. */
  @Property(tries = 200)
  void fileLayoutDoesNotMatter(
      @ForAll("policySet") List<Policy> policies,
      @ForAll Random random,
      @ForAll("calls") List<Call> calls) {
    Tollgate one = Bundles.tollgate(PolicyGen.bundle(policies));
    List<Policy> shuffled = new ArrayList<>(policies);
    Collections.shuffle(shuffled, random);
    int fileCount = 1 + random.nextInt(4);
    List<List<Policy>> parts = new ArrayList<>();
    for (int i = 0; i < fileCount; i++) {
      parts.add(new ArrayList<>());
    }
    for (Policy p : shuffled) {
      parts.get(random.nextInt(fileCount)).add(p);
    }
    Map<String, String> files = new LinkedHashMap<>();
    for (List<Policy> part : parts) {
      String name =
          (random.nextBoolean() ? "sub/" : "")
              + "f"
              + random.nextInt(1_000_000)
              + (random.nextBoolean() ? ".yaml" : ".yml");
      files.merge(
          name, PolicyGen.file(part), (x, y) -> x + y.replaceFirst("^policies:( \\[\\])?\\n", ""));
    }
    Tollgate spread;
    try {
      files.put("agents.yaml", Bundles.UNPROFILED_ALLOWED);
      spread = Bundles.tollgate(Bundle.fromFiles(files));
    } catch (BundleException e) {
      throw new AssertionError(e.render(), e);
    }
    for (Call c : calls) {
      Decision a = one.decide(c.agent(), c.action());
      Decision b = spread.decide(c.agent(), c.action());
      assertThat(b.effect()).as("%s\n%s\n%s", c, a, b).isEqualTo(a.effect());
      assertThat(b.reasons()).isEqualTo(a.reasons());
      assertThat(b.shadow()).isEqualTo(a.shadow());
    }
  }

  /**
   * (d) The indexed decision equals a slow reference: filter every policy by its match globs with
   * an independent matcher, decide each on its own (a one-policy bundle without {@code match}),
   * then combine by precedence in name order.
   */
  @Property(tries = 200)
  void indexedDecisionEqualsTheSlowReference(
      @ForAll("policySet") List<Policy> policies, @ForAll("calls") List<Call> calls) {
    Tollgate fast = Bundles.tollgate(PolicyGen.bundle(policies));
    Map<String, Tollgate> single = new LinkedHashMap<>();
    List<Policy> byName = new ArrayList<>(policies);
    byName.sort(Comparator.comparing(Policy::name));
    for (Policy p : byName) {
      single.put(p.name(), Bundles.tollgate(PolicyGen.bundle(List.of(p.withoutMatch()))));
    }
    for (int round = 0; round < 2; round++) { // the second round hits the index cache
      for (Call c : calls) {
        Decision actual = fast.decide(c.agent(), c.action());
        Decision expected = reference(byName, single, c);
        assertThat(actual.effect())
            .as("%s\nexpected %s\nactual %s", c, expected, actual)
            .isEqualTo(expected.effect());
        assertThat(actual.reasons()).isEqualTo(expected.reasons());
        assertThat(actual.shadow()).isEqualTo(expected.shadow());
        Statistics.label("effect").collect(actual.effect());
        Statistics.label("failed")
            .collect(
                actual.reasons().stream()
                    .anyMatch(r -> r.message().contains("failed at decision time")));
      }
    }
    // The generators must reach every outcome, or the property proves little. Counted, not as a
    // share: the calls of one try share a policy set, so shares swing with the seed (DENY from 10%
    // to 19% over runs, ASK and DENY each 68 to 154 decisions), and a share threshold near the
    // mean failed one seed in three. Dozens of compared decisions of each effect is the intent.
    Statistics.label("effect")
        .coverage(
            cov -> {
              cov.check(Effect.ALLOW).count(n -> n >= 100);
              cov.check(Effect.ASK).count(n -> n >= 25);
              cov.check(Effect.DENY).count(n -> n >= 25);
            });
    Statistics.label("failed").coverage(cov -> cov.check(true).percentage(p -> p > 0.5));
  }

  private static Decision reference(List<Policy> byName, Map<String, Tollgate> single, Call c) {
    List<Reason> denies = new ArrayList<>();
    List<Reason> asks = new ArrayList<>();
    List<Reason> allows = new ArrayList<>();
    List<ShadowOutcome> shadow = new ArrayList<>();
    for (Policy p : byName) {
      if (!p.applies(c.agent(), c.action().tool())) {
        continue;
      }
      Decision alone = single.get(p.name()).decide(c.agent(), c.action());
      shadow.addAll(alone.shadow());
      if (alone.reasons().isEmpty()) {
        continue; // not matched
      }
      switch (alone.effect()) {
        case DENY -> denies.addAll(alone.reasons());
        case ASK -> asks.addAll(alone.reasons());
        case ALLOW -> allows.addAll(alone.reasons());
      }
    }
    Effect effect = !denies.isEmpty() ? Effect.DENY : !asks.isEmpty() ? Effect.ASK : Effect.ALLOW;
    List<Reason> reasons = effect == Effect.DENY ? denies : effect == Effect.ASK ? asks : allows;
    return new Decision("ref", effect, null, reasons, List.of(), null, null, shadow);
  }

  /** The reference glob matcher agrees with the engine's on the generated vocabulary. */
  @Property(tries = 200)
  void referenceMatcherAgreesWithGlob(
      @ForAll("patterns") String pattern, @ForAll("names") String name) {
    assertThat(dev.tollgate.engine.internal.bundle.Glob.of(pattern).matches(name))
        .isEqualTo(PolicyGen.wildcard(pattern, 0, name, 0));
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.oneOf(
        Arbitraries.of(PolicyGen.TOOL_PATTERNS),
        Arbitraries.of(PolicyGen.AGENT_PATTERNS),
        Arbitraries.strings().withChars("ab.*?[](){}\\$^+|").ofMaxLength(8));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.oneOf(
        Arbitraries.of(PolicyGen.TOOLS),
        Arbitraries.of(PolicyGen.AGENTS),
        Arbitraries.strings().withChars("ab.*?[](){}\\$^+|\n").ofMaxLength(8));
  }
}
