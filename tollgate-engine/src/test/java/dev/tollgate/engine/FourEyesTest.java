package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.api.Action;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.GrantRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Four eyes in the engine, on its in-memory store: two different people, neither the user. */
class FourEyesTest {
  static final String POLICIES =
      """
      policies:
        - name: payments-need-four-eyes
          match: {tools: ["payments.send"]}
          effect: ask
          approval: {fourEyes: true}
      """;

  private final List<String> events = new CopyOnWriteArrayList<>();

  private Tollgate engine() {
    Tollgate t = Tollgate.builder().bundle(Bundles.policies(POLICIES)).build();
    t.approvals().subscribe(e -> events.add(e.type().wireName() + " " + e.by()));
    return t;
  }

  private static Action pay(int amount) {
    return Action.of(null, "alice", "payments.send", Map.of("amount", amount));
  }

  @Test
  void theFirstApprovalIsRecordedAndTheSecondByAnotherPersonIssuesTheGrant() throws Exception {
    Tollgate t = engine();
    String id = t.decide("pay-bot", pay(10)).approval().id();
    Approvals approvals = t.approvals();
    for (String notAllowed : List.of("alice", " Alice ", "pay-bot")) {
      Approvals.ApprovalException e =
          catchThrowableOfType(
              Approvals.ApprovalException.class,
              () -> approvals.approve(id, notAllowed, null, null));
      assertThat(e.code()).as(notAllowed).isEqualTo("four_eyes");
      assertThat(e.status()).isEqualTo(403);
    }
    Approvals.Scope three =
        new Approvals.Scope(
            GrantRecord.SubjectKind.AGENT, "payments.*", Duration.ofMinutes(30), 3, null);
    ApprovalRecord once = approvals.approve(id, "carol", three, "checked");
    assertThat(once.status()).isEqualTo(ApprovalStatus.PENDING);
    assertThat(once.grant()).isNull();
    assertThat(once.approvals()).extracting(ApprovalRecord.Approval::by).containsExactly("carol");
    assertThat(t.decide("pay-bot", pay(10)).effect()).isEqualTo(Effect.ASK);

    Approvals.ApprovalException same =
        catchThrowableOfType(
            Approvals.ApprovalException.class, () -> approvals.approve(id, "CAROL", null, null));
    assertThat(same.code()).isEqualTo("four_eyes_same_approver");
    assertThat(same.status()).isEqualTo(409);
    Approvals.ApprovalException other =
        catchThrowableOfType(
            Approvals.ApprovalException.class,
            () -> approvals.approve(id, "dave", Approvals.Scope.exact(), null));
    assertThat(other.code()).isEqualTo("four_eyes_scope");

    ApprovalRecord done = approvals.approve(id, "dave", three, "ok");
    assertThat(done.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(done.decidedBy()).isEqualTo("dave");
    assertThat(approvals.grant(done.grant()).orElseThrow().uses()).isEqualTo(3);
    assertThat(approvals.grant(done.grant()).orElseThrow().issuer()).isEqualTo("carol and dave");
    Decision passed = t.decide("pay-bot", pay(99));
    assertThat(passed.effect())
        .as("the first approver's scope: any payment of the agent")
        .isEqualTo(Effect.ALLOW);
    assertThat(events)
        .containsSubsequence(
            "approval.opened null",
            "approval.partly_approved carol",
            "approval.approved dave",
            "grant.issued dave");
  }

  @Test
  void aDenyByEitherDenies() throws Exception {
    Tollgate t = engine();
    String id = t.decide("pay-bot", pay(10)).approval().id();
    t.approvals().approve(id, "carol", null, null);
    assertThat(t.approvals().deny(id, "carol", "second thoughts").status())
        .isEqualTo(ApprovalStatus.DENIED);
    Decision d = t.decide("pay-bot", pay(10));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message()).contains("second thoughts");
  }

  @Test
  void twoPeopleApprovingAtOnceMakeOneGrantAndOnePersonTwiceIsRecordedOnce() throws Exception {
    for (int round = 0; round < 20; round++) {
      Tollgate t = engine();
      String id = t.decide("pay-bot", pay(round)).approval().id();
      boolean samePerson = round % 2 == 1;
      CyclicBarrier together = new CyclicBarrier(2);
      List<Future<String>> outcomes = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
        for (String who : samePerson ? List.of("carol", "carol") : List.of("carol", "dave")) {
          outcomes.add(
              pool.submit(
                  () -> {
                    together.await();
                    try {
                      return t.approvals().approve(id, who, null, null).status().wireName();
                    } catch (Approvals.ApprovalException e) {
                      return e.code();
                    }
                  }));
        }
      }
      List<String> got = new ArrayList<>();
      for (Future<String> f : outcomes) {
        got.add(f.get());
      }
      ApprovalRecord a = t.approvals().get(id).orElseThrow();
      long grants = t.approvals().grants(false, 100).size();
      if (samePerson) {
        assertThat(got).containsExactlyInAnyOrder("pending", "four_eyes_same_approver");
        assertThat(grants).isZero();
        assertThat(a.approvals()).hasSize(1);
      } else {
        assertThat(got).containsExactlyInAnyOrder("pending", "approved");
        assertThat(grants).isEqualTo(1);
        assertThat(a.status()).isEqualTo(ApprovalStatus.APPROVED);
      }
    }
  }
}
