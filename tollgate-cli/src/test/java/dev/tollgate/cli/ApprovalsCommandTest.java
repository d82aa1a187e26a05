package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate approvals} and {@code tollgate grants} on a real embedded store. */
class ApprovalsCommandTest {
  // The policies alone decide here: the bundle says in words that unprofiled agents may act.
  private static final String UNPROFILED_ALLOWED = "defaults: {unprofiled: allow}\n";

  @TempDir Path data;

  private static final String POLICIES =
      """
      policies:
        - name: external-mail-asks
          match: {tools: ["email.send"]}
          effect: ask
      """;

  private Tollgate engine(JdbcStore store) throws Exception {
    return Tollgate.builder()
        .bundle(
            Bundle.fromFiles(Map.of("policies.yaml", POLICIES, "agents.yaml", UNPROFILED_ALLOWED)))
        .sessions(store.sessions())
        .approvals(store.approvals())
        .audit(store.audit())
        .build();
  }

  @Test
  void aPersonApprovesOnTheCommandLineAndTheAgentsRetryPasses() throws Exception {
    Action send =
        Action.of(
            null, "alice@acme.example", "email.send", Map.of("to", List.of("ap@globex.example")));
    String id;
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      Decision asked = engine(store).decide("mail-bot", send);
      assertEquals(Effect.ASK, asked.effect());
      id = asked.approval().id();
    }
    String dir = data.toString();
    CliTest.Run list = CliTest.run("approvals", "list", "--data", dir);
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains(id) && list.out().contains("email.send"), list.out());
    CliTest.Run show = CliTest.run("approvals", "show", id, "--data", dir);
    // Approvals keep the arguments with every flagged value masked: the e-mail detector flags the
    // recipient, so the approver sees its domain.
    assertTrue(show.out().contains("a•••@globex.example"), show.out());
    assertFalse(show.out().contains("ap@globex.example"), show.out());

    CliTest.Run approve = CliTest.run("approvals", "approve", id, "--by", "carol", "--data", dir);
    assertEquals(0, approve.code(), approve.err());
    assertTrue(approve.out().startsWith("approved " + id + ": grant grt_"), approve.out());
    CliTest.Run again = CliTest.run("approvals", "approve", id, "--by", "dave", "--data", dir);
    assertEquals(1, again.code());
    assertTrue(again.err().contains("already_decided"), again.err());

    CliTest.Run grants = CliTest.run("grants", "list", "--data", dir);
    assertTrue(grants.out().contains("(exact action)"), grants.out());
    String grant = grants.out().substring(0, grants.out().indexOf(' '));
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      assertEquals(Effect.ALLOW, engine(store).decide("mail-bot", send).effect());
      String second = engine(store).decide("mail-bot", send).approval().id();
      assertTrue(!second.equals(id));
    }
    CliTest.Run revoke = CliTest.run("grants", "revoke", grant, "--by", "erin", "--data", dir);
    assertEquals(0, revoke.code(), revoke.err());
    CliTest.Run twice = CliTest.run("grants", "revoke", grant, "--by", "erin", "--data", dir);
    assertEquals(1, twice.code());

    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      long events =
          store.audit().search(AuditQuery.after(0, 100)).stream()
              .filter(
                  r ->
                      r.entry().kind().wireName().equals("approval")
                          || r.entry().kind().wireName().equals("grant"))
              .count();
      // opened, approved, issued, used, opened again, revoked
      assertEquals(6, events);
    }
    CliTest.Run bad = CliTest.run("approvals", "list", "--status", "maybe", "--data", dir);
    assertEquals(3, bad.code());
  }

  @Test
  void usesAloneWidensTheGrantToThatManyActionsOfTheTool() throws Exception {
    String dir = data.toString();
    String id;
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      Decision asked = engine(store).decide("mail-bot", mail("ap@globex.example"));
      assertEquals(Effect.ASK, asked.effect());
      id = asked.approval().id();
    }
    CliTest.Run approve =
        CliTest.run("approvals", "approve", id, "--by", "carol", "--uses", "3", "--data", dir);
    assertEquals(0, approve.code(), approve.err());
    CliTest.Run grants = CliTest.run("grants", "list", "--json", "--data", dir);
    assertTrue(grants.out().contains("\"uses\":3"), grants.out());
    assertTrue(grants.out().contains("\"subjectKind\":\"agent\""), grants.out());
    assertTrue(!grants.out().contains("(exact action)"), grants.out());
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      Tollgate engine = engine(store);
      // Three different actions of the approved tool pass; the fourth asks again.
      for (String to : List.of("ap@globex.example", "ar@initech.example", "x@umbrella.example")) {
        assertEquals(Effect.ALLOW, engine.decide("mail-bot", mail(to)).effect(), to);
      }
      assertEquals(Effect.ASK, engine.decide("mail-bot", mail("y@hooli.example")).effect());
    }
  }

  @Test
  void anyScopeOptionAloneWidensAndABadOneIsAClearError() throws Exception {
    String dir = data.toString();
    List<String> ids = new java.util.ArrayList<>();
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      for (String to : List.of("a@globex.example", "b@globex.example", "c@globex.example")) {
        ids.add(engine(store).decide("mail-bot", mail(to)).approval().id());
      }
    }
    CliTest.Run ttl =
        CliTest.run(
            "approvals", "approve", ids.get(0), "--by", "carol", "--ttl", "1h", "--data", dir);
    assertEquals(0, ttl.code(), ttl.err());
    CliTest.Run tool =
        CliTest.run(
            "approvals",
            "approve",
            ids.get(1),
            "--by",
            "carol",
            "--tool",
            "email.*",
            "--data",
            dir);
    assertEquals(0, tool.code(), tool.err());
    CliTest.Run json = CliTest.run("grants", "list", "--json", "--data", dir);
    assertTrue(json.out().contains("\"tool\":\"email.*\""), json.out());
    assertTrue(!json.out().contains("(exact action)"), json.out());
    CliTest.Run session =
        CliTest.run(
            "approvals",
            "approve",
            ids.get(2),
            "--by",
            "carol",
            "--subject",
            "session",
            "--data",
            dir);
    assertEquals(1, session.code());
    assertTrue(session.err().contains("this action has no session"), session.err());
    CliTest.Run negative =
        CliTest.run(
            "approvals", "approve", ids.get(2), "--by", "carol", "--uses", "-1", "--data", dir);
    assertEquals(1, negative.code());
    assertTrue(negative.err().contains("uses must be 0 (unlimited) or more"), negative.err());
  }

  @Test
  void denyTakesANoteLikeApproveAndTheApi() throws Exception {
    String dir = data.toString();
    List<String> ids = new java.util.ArrayList<>();
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      for (String to : List.of("a@globex.example", "b@globex.example")) {
        ids.add(engine(store).decide("mail-bot", mail(to)).approval().id());
      }
    }
    CliTest.Run missing =
        CliTest.run("approvals", "deny", ids.get(0), "--by", "carol", "--data", dir);
    assertEquals(3, missing.code());
    assertTrue(missing.err().contains("missing --note"), missing.err());

    CliTest.Run deny =
        CliTest.run(
            "approvals",
            "deny",
            ids.get(0),
            "--by",
            "carol",
            "--note",
            "not this vendor",
            "--data",
            dir);
    assertEquals(0, deny.code(), deny.err());
    assertEquals("", deny.err());
    CliTest.Run old =
        CliTest.run(
            "approvals",
            "deny",
            ids.get(1),
            "--by",
            "carol",
            "--reason",
            "old spelling",
            "--data",
            dir);
    assertEquals(0, old.code(), old.err());
    assertTrue(old.err().contains("--reason is deprecated: use --note"), old.err());
    assertFalse(
        CliTest.run("approvals", "deny", "--help").out().contains("--reason"),
        "the old spelling is hidden");
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      assertEquals("not this vendor", store.approvals().get(ids.get(0)).orElseThrow().note());
      assertEquals("old spelling", store.approvals().get(ids.get(1)).orElseThrow().note());
    }
  }

  private static Action mail(String to) {
    return Action.of(null, "alice@acme.example", "email.send", Map.of("to", List.of(to)));
  }

  @Test
  void fourEyesNeedTwoDifferentPeopleOnTheCommandLine() throws Exception {
    String policies =
        """
        policies:
          - name: payments-need-four-eyes
            match: {tools: ["payments.send"]}
            effect: ask
            approval: {fourEyes: true}
        """;
    Action pay = Action.of(null, "alice", "payments.send", Map.of("amount", 10));
    String id;
    try (JdbcStore store = JdbcStore.open(StoreConfig.sqlite(data))) {
      id =
          Tollgate.builder()
              .bundle(
                  Bundle.fromFiles(
                      Map.of("policies.yaml", policies, "agents.yaml", UNPROFILED_ALLOWED)))
              .approvals(store.approvals())
              .build()
              .decide("pay-bot", pay)
              .approval()
              .id();
    }
    String dir = data.toString();
    CliTest.Run user = CliTest.run("approvals", "approve", id, "--by", "alice", "--data", dir);
    assertEquals(1, user.code());
    assertTrue(user.err().contains("[four_eyes]"), user.err());
    CliTest.Run first = CliTest.run("approvals", "approve", id, "--by", "carol", "--data", dir);
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("(1 of 2)"), first.out());
    CliTest.Run list = CliTest.run("approvals", "list", "--data", dir);
    assertTrue(list.out().contains("approvals 1 of 2"), list.out());
    CliTest.Run show = CliTest.run("approvals", "show", id, "--data", dir);
    assertTrue(show.out().contains("\"by\" : \"carol\""), show.out());
    CliTest.Run twice = CliTest.run("approvals", "approve", id, "--by", "Carol", "--data", dir);
    assertEquals(1, twice.code());
    assertTrue(twice.err().contains("[four_eyes_same_approver]"), twice.err());
    CliTest.Run second = CliTest.run("approvals", "approve", id, "--by", "dave", "--data", dir);
    assertEquals(0, second.code(), second.err());
    assertTrue(second.out().startsWith("approved " + id + ": grant grt_"), second.out());
    CliTest.Run grants = CliTest.run("grants", "list", "--data", dir);
    assertTrue(grants.out().contains("from carol and dave"), grants.out());
  }
}
