package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.SessionSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Rates, sums, distinct targets, novelty and blast radius, as policies see them. */
class RatesTest {
  private static final String CATALOG =
      """
      tools:
        config.push: {kind: execute, external: false, control: [hosts]}
        deploy.run: {kind: execute, external: false, control: [hosts, environment]}
        payments.send: {kind: send, control: [payee]}
        email.send: {kind: send, control: [to]}
        crm.update: {kind: write, external: false, control: [record], }
      """;

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-04T09:00:00Z"));

  private Gate gate(String policies) {
    Bundle bundle = Bundles.of("catalog.yaml", CATALOG, "policies.yaml", policies);
    return Tollgate.builder().bundle(bundle).clock(now::get).build().gate("ops");
  }

  private void advance(Duration d) {
    now.set(now.get().plus(d));
  }

  private static Action push(String session, String... hosts) {
    return new Action(
        session, "alice@acme.example", "config.push", Map.of("hosts", List.of(hosts)), null, null);
  }

  @Test
  void distinctHostsInAWindowAskPastTheLimitAndForgetOnceTheWindowPassed() {
    Gate gate =
        gate(
            """
            policies:
              - name: fan-out
                when: distinct("agent", "config.*", "hosts", "10m") > 3
                effect: ask
                message: '"pushed to " + string(distinct("agent", "config.*", "hosts", "10m")) + " hosts"'
            """);
    assertThat(gate.decide(push(null, "web-1", "web-2")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(gate.decide(push(null, "web-2", "web-3")).effect()).isEqualTo(Effect.ALLOW);
    Decision fourth = gate.decide(push(null, "web-4"));
    assertThat(fourth.effect()).isEqualTo(Effect.ASK);
    assertThat(fourth.reasons().getFirst().message()).isEqualTo("pushed to 4 hosts");
    // the asked push counts (a person may let it through): the agent stays over the limit
    assertThat(gate.decide(push(null, "web-1")).effect()).isEqualTo(Effect.ASK);
    advance(Duration.ofMinutes(11));
    assertThat(gate.decide(push(null, "web-4")).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void targetsCountPerControlArgumentSoAnEnvironmentIsNoExtraHost() {
    Gate gate =
        gate(
            """
            policies:
              - name: fan-out
                when: distinct("agent", "kind:execute", "@targets", "10m") > 2
                effect: ask
                message: 'string(distinct("agent", "kind:execute", "@targets", "10m"))'
            """);
    for (String host : List.of("web-1", "web-2")) {
      Action a =
          Action.of(
              null,
              "u@acme.example",
              "deploy.run",
              Map.of("hosts", List.of(host), "environment", "prod"));
      assertThat(gate.decide(a).effect()).isEqualTo(Effect.ALLOW);
    }
    // config.push has no environment: its hosts join deploy.run's in one stream
    Decision third = gate.decide(push(null, "web-3"));
    assertThat(third.effect()).isEqualTo(Effect.ASK);
    assertThat(third.reasons().getFirst().message()).isEqualTo("3");
  }

  @Test
  void aDeniedActionDoesNotCount() {
    Gate gate =
        gate(
            """
            policies:
              - name: burst
                when: count("agent", "config.push", "1h") > 2
                effect: ask
              - name: no-web-9
                when: action.args.hosts.exists(h, h == "web-9")
                effect: deny
            """);
    assertThat(gate.decide(push(null, "web-9")).effect()).isEqualTo(Effect.DENY);
    assertThat(gate.decide(push(null, "web-9")).effect()).isEqualTo(Effect.DENY);
    assertThat(gate.decide(push(null, "web-1")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(gate.decide(push(null, "web-2")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(gate.decide(push(null, "web-3")).effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void countsAreKeptPerSessionWhenThePolicySaysSession() {
    Gate gate =
        gate(
            """
            policies:
              - name: mail-burst
                when: count("session", "kind:send", "1m") > 2
                effect: ask
            """);
    String s1 = gate.openSession(SessionSpec.of("alice@acme.example", "Mail the team"));
    String s2 = gate.openSession(SessionSpec.of("alice@acme.example", "Mail the team"));
    for (int i = 0; i < 2; i++) {
      assertThat(gate.decide(mail(s1, "bob@acme.example")).effect()).isEqualTo(Effect.ALLOW);
    }
    assertThat(gate.decide(mail(s1, "bob@acme.example")).effect()).isEqualTo(Effect.ASK);
    assertThat(gate.decide(mail(s2, "bob@acme.example")).effect()).isEqualTo(Effect.ALLOW);
    advance(Duration.ofSeconds(61));
    assertThat(gate.decide(mail(s1, "bob@acme.example")).effect()).isEqualTo(Effect.ALLOW);
  }

  @Test
  void sumsAddAmountsWrittenAsNumbersOrTextAndAskPastTheBudgetTheUserNamed() {
    Gate gate =
        gate(
            """
            policies:
              - name: over-budget
                when: scope.budget > 0.0 && sum("session", "kind:send", "@amount", "1d") > scope.budget
                effect: ask
            """);
    String s =
        gate.openSession(SessionSpec.of("alice@acme.example", "Pay Globex the $500 invoice"));
    assertThat(gate.decide(pay(s, 500)).effect()).isEqualTo(Effect.ALLOW);
    // the retry adds up past what the user approved
    assertThat(gate.decide(pay(s, "USD 500.00")).effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void anAmountThatIsNotANumberFailsThePolicyClosed() {
    Gate gate =
        gate(
            """
            policies:
              - name: big-sums
                when: sum("agent", "payments.*", "amount", "1d") > 1000.0
                effect: ask
            """);
    Decision d = gate.decide(pay(null, "a lot"));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message()).contains("is not an amount");
  }

  @Test
  void aNovelPayeeIsSeenUntilAnAllowedPaymentReachedIt() {
    Gate gate =
        gate(
            """
            policies:
              - name: new-payee
                when: novel("payee") && action.args.amount > 100
                effect: ask
            """);
    assertThat(gate.decide(pay(null, 50, "globex")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(gate.decide(pay(null, 5000, "globex")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(gate.decide(pay(null, 5000, "initech")).effect()).isEqualTo(Effect.ASK);
    // asked, not allowed: initech is still new
    assertThat(gate.decide(pay(null, 5000, "initech")).effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void aNovelDomainLooksAtTheDomainsOfAddresses() {
    Gate gate =
        gate(
            """
            policies:
              - name: new-domain
                when: novelDomain("to", "agent")
                effect: ask
            """);
    assertThat(gate.decide(mail(null, "kim@umbrella.example")).effect()).isEqualTo(Effect.ASK);
    assertThat(gate.decide(mail(null, "ann@acme.example")).effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void blastSaysHowManyTargetsOneActionReachesAndWhetherItSelectsEverything() {
    Gate gate =
        gate(
            """
            policies:
              - name: wide
                when: tool.kind == "execute" && (blast.all || blast.targets > 3)
                effect: ask
            """);
    assertThat(gate.decide(push(null, "web-1", "web-2", "web-3")).effect()).isEqualTo(Effect.ALLOW);
    assertThat(gate.decide(push(null, "a", "b", "c", "d")).effect()).isEqualTo(Effect.ASK);
    assertThat(gate.decide(push(null, "web-*")).effect()).isEqualTo(Effect.ASK);
    assertThat(gate.decide(push(null, "all")).effect()).isEqualTo(Effect.ASK);
  }

  @Test
  void aConcurrentBurstThroughTheEngineIsAllowedExactlyUpToTheLimit() throws Exception {
    Gate gate =
        gate(
            """
            policies:
              - name: burst
                when: count("agent", "config.push", "1h") > 5
                effect: deny
            """);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<Effect>> effects = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String host = "web-" + i;
      effects.add(pool.submit(() -> gate.decide(push(null, host)).effect()));
    }
    long allowed = 0;
    for (var f : effects) {
      allowed += f.get() == Effect.ALLOW ? 1 : 0;
    }
    pool.shutdown();
    assertThat(allowed).isEqualTo(5);
  }

  @Test
  void rateArgumentsMustBeLiteralsAndValid() {
    assertThat(
            Bundles.problem(
                    """
                    policies:
                      - name: p
                        when: count("session", action.tool, "10m") > 3
                        effect: ask
                    """)
                .message())
        .contains("must be string literals");
    assertThat(
            Bundles.problem(
                    """
                    policies:
                      - name: p
                        when: count("team", "*", "10m") > 3
                        effect: ask
                    """)
                .message())
        .contains("\"session\", \"agent\", \"user\" or \"org\"");
    assertThat(
            Bundles.problem(
                    """
                    policies:
                      - name: p
                        when: count("session", "*", "ten minutes") > 3
                        effect: ask
                    """)
                .message())
        .contains("is not a window");
  }

  private static Action mail(String session, String to) {
    return new Action(
        session, "alice@acme.example", "email.send", Map.of("to", to, "body", "hi"), null, null);
  }

  private static Action pay(String session, Object amount) {
    return pay(session, amount, "globex");
  }

  private static Action pay(String session, Object amount, String payee) {
    return new Action(
        session,
        "alice@acme.example",
        "payments.send",
        Map.of("payee", payee, "amount", amount),
        null,
        null);
  }
}
