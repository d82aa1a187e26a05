package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.PeopleStore;
import dev.tollgate.server.Passwords;
import dev.tollgate.server.People;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command, run in-process through {@link Main#run}: exit codes and what it prints. */
class CliTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path bundle() throws IOException {
    Path b = dir.resolve("bundle");
    Files.createDirectories(b.resolve("tests"));
    // The tests' agents have no profiles: the bundle asks for the permissive default in words.
    Files.writeString(b.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
    Files.writeString(
        b.resolve("mail.yaml"),
        """
        policies:
          - name: external-mail-asks
            match: {tools: ["email.*"]}
            when: action.args.to.exists(r, !r.endsWith("@acme.example"))
            effect: ask
            message: '"mail to " + action.args.to.join(", ")'
          - name: payments-denied
            match: {tools: ["payments.*"]}
            effect: deny
        """);
    Files.writeString(
        b.resolve("tests/mail_test.yaml"),
        """
        tests:
          - name: external mail asks
            action: {tool: email.send, args: {to: [ap@globex.example]}}
            expect: {effect: ask, policies: [external-mail-asks]}
          - name: internal mail passes
            action: {tool: email.send, args: {to: [bob@acme.example]}}
            expect: allow
        """);
    return b;
  }

  private Path action(String json) throws IOException {
    Path f = Files.createTempFile(dir, "action", ".json");
    Files.writeString(f, json, StandardCharsets.UTF_8);
    return f;
  }

  @Test
  void checkExitCodesFollowTheEffect() throws IOException {
    Path b = bundle();
    Run ask =
        run(
            "check",
            "--policies",
            b.toString(),
            action("{\"tool\":\"email.send\",\"args\":{\"to\":[\"ap@globex.example\"]}}")
                .toString());
    assertEquals(2, ask.code(), ask.err());
    // the e-mail detector flags the address: the message quotes it masked
    assertTrue(
        ask.out().contains("because external-mail-asks: mail to a•••@globex.example"), ask.out());
    assertTrue(ask.out().contains("considered 1 policy"), ask.out());

    Run deny =
        run("check", "--policies", b.toString(), action("{\"tool\":\"payments.send\"}").toString());
    assertEquals(1, deny.code());

    Run allow =
        run("check", "--policies", b.toString(), action("{\"tool\":\"calendar.add\"}").toString());
    assertEquals(0, allow.code());
    assertTrue(allow.out().contains("no policy matched"));
  }

  @Test
  void checkJsonIsMachineReadable() throws IOException {
    Run r =
        run(
            "check",
            "--json",
            "--policies",
            bundle().toString(),
            action("{\"tool\":\"email.send\",\"args\":{\"to\":[\"x@y.example\"]}}").toString());
    assertEquals(2, r.code());
    assertTrue(r.out().contains("\"effect\" : \"ask\""), r.out());
    assertTrue(r.out().contains("\"status\" : \"matched\""), r.out());
  }

  @Test
  void checkRefusesAnUnknownFieldNamingIt() throws IOException {
    Run r =
        run(
            "check",
            "--policies",
            bundle().toString(),
            action("{\"tool\":\"email.send\",\"agent\":\"root\"}").toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("unknown field `agent`"), r.err());
    assertTrue(r.err().contains("/agent"), r.err());
  }

  @Test
  void checkReportsAMissingFileAndABrokenBundle() throws IOException {
    Run missing =
        run("check", "--policies", bundle().toString(), dir.resolve("nope.json").toString());
    assertEquals(3, missing.code());
    assertTrue(missing.err().contains("no such file"), missing.err());

    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    Files.writeString(
        broken.resolve("p.yaml"),
        "policies:\n  - name: bad\n    when: action.tool == 1 +\n    effect: deny\n");
    Run r = run("check", "--policies", broken.toString(), action("{\"tool\":\"x\"}").toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("p.yaml:3"), r.err());
  }

  @Test
  void usageErrorsExitThree() {
    assertEquals(3, run("check").code());
    assertEquals(3, run("no-such-command").code());
  }

  @Test
  void testPassesAndFailsWithWhatWasDecidedInstead() throws IOException {
    Path b = bundle();
    Run pass = run("test", b.toString());
    assertEquals(0, pass.code(), pass.out() + pass.err());
    assertTrue(pass.out().contains("2 passed, 0 failed"), pass.out());

    Files.writeString(
        b.resolve("tests/wrong_test.yaml"),
        """
        tests:
          - name: wrongly expects allow
            action: {tool: payments.send, args: {}}
            expect: allow
        """);
    Run fail = run("test", b.toString());
    assertEquals(1, fail.code());
    assertTrue(fail.out().contains("FAIL  wrongly expects allow"), fail.out());
    assertTrue(fail.out().contains("expected allow, decided deny"), fail.out());
    assertTrue(fail.out().contains("payments-denied"), fail.out());
  }

  @Test
  void testRefusesABrokenTestFile() throws IOException {
    Path b = bundle();
    Files.writeString(b.resolve("tests/bad_test.yaml"), "tests:\n  - name: x\n    expect: maybe\n");
    Run r = run("test", b.toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("missing key `action`"), r.err());
    assertTrue(r.err().contains("unknown effect `maybe`"), r.err());
  }

  @Test
  void validateSaysOkOrWhy() throws IOException {
    Run ok = run("validate", bundle().toString());
    assertEquals(0, ok.code());
    assertTrue(ok.out().startsWith("ok: 2 policies"), ok.out());
    assertTrue(
        ok.out()
            .contains(
                "warning: "
                    + bundle().resolve("agents.yaml")
                    + ":1:24: defaults.unprofiled: allow lets agents without a profile act on"
                    + " every tool"),
        ok.out());

    Path broken = dir.resolve("typo");
    Files.createDirectories(broken);
    Files.writeString(
        broken.resolve("p.yaml"),
        "policies:\n  - name: typo\n    when: action.agnet == \"x\"\n    effect: deny\n");
    Run bad = run("validate", broken.toString());
    assertEquals(1, bad.code());
    assertTrue(
        bad.err().contains("p.yaml:3:18: `when` of policy `typo`: undefined field `agnet`"),
        bad.err());
    assertTrue(bad.err().contains("did you mean `agent`?"), bad.err());
    assertEquals(1, run("validate", dir.resolve("missing").toString()).code());
  }

  /**
   * {@code validate} applies the checks {@code serve} applies, with the same words: a bundle that
   * validates is one the gate accepts, and one it would refuse does not validate.
   */
  @Test
  void validateRefusesWhatServeRefuses() throws IOException {
    Path b = bundle();
    Files.writeString(b.resolve("mail.yaml"), "policies: []\n");
    Run noPolicies = run("validate", b.toString());
    assertEquals(1, noPolicies.code(), noPolicies.out());
    assertTrue(noPolicies.err().contains("the bundle holds no policies"), noPolicies.err());
    assertTrue(noPolicies.err().contains("`noPolicies: true`"), noPolicies.err());
    assertEquals(serveRefusal(b), firstLine(noPolicies.err()));

    Files.writeString(b.resolve("bundle.yaml"), "noPolicies: true\n");
    assertEquals(0, run("validate", b.toString()).code(), "an empty policy set said in words");

    Path noAgents = dir.resolve("no-agents");
    Files.createDirectories(noAgents);
    Files.writeString(noAgents.resolve("p.yaml"), "policies:\n  - {name: a, effect: deny}\n");
    Run withoutAgents = run("validate", noAgents.toString());
    assertEquals(1, withoutAgents.code(), withoutAgents.out());
    assertTrue(withoutAgents.err().contains("the bundle has no agents.yaml"), withoutAgents.err());
    assertEquals(serveRefusal(noAgents), firstLine(withoutAgents.err()));

    Path empty = Files.createDirectories(dir.resolve("empty"));
    Run nothing = run("validate", empty.toString());
    assertEquals(1, nothing.code());
    assertTrue(
        nothing.err().contains("no bundle files (*.yaml, *.yml) in the directory"), nothing.err());
    assertEquals(serveRefusal(empty), firstLine(nothing.err()));
  }

  /** The first line of what {@code serve} (through the server's builder) says of a bundle. */
  private static String serveRefusal(Path bundle) {
    try {
      dev.tollgate.server.TollgateServer.builder().policies(bundle);
    } catch (dev.tollgate.engine.BundleException e) {
      return firstLine(e.render());
    }
    throw new AssertionError("serve accepted " + bundle);
  }

  private static String firstLine(String text) {
    return text.lines().findFirst().orElse("");
  }

  @Test
  void aSealedBundleLoadsAndAHalfCopiedOneIsRefused() throws IOException {
    Path b = bundle();
    Run sealed = run("bundle", "seal", "--revision", "r1", b.toString());
    assertEquals(0, sealed.code(), sealed.err());
    assertTrue(Files.readString(b.resolve("bundle.yaml")).contains("mail.yaml"));
    assertEquals(0, run("validate", b.toString()).code());

    Files.writeString(b.resolve("mail.yaml"), "policies:\n  - {name: half, effect: deny}\n");
    Files.writeString(b.resolve("extra.yaml"), "policies: []\n");
    Run changed = run("validate", b.toString());
    assertEquals(1, changed.code());
    assertTrue(
        changed.err().contains("`mail.yaml` does not match its sha256 in the manifest bundle.yaml"),
        changed.err());
    assertTrue(
        changed.err().contains("`extra.yaml` is not listed in the manifest bundle.yaml"),
        changed.err());
    Files.delete(b.resolve("agents.yaml"));
    assertTrue(
        run("validate", b.toString())
            .err()
            .contains("`agents.yaml` is listed in the manifest but missing from the bundle"));
  }

  @Test
  void replayPrintsConfusionTableMismatchesAndJsonLines() throws IOException {
    Path b = bundle();
    Path traces = dir.resolve("traces.jsonl");
    Files.writeString(
        traces,
        """
        {"id":"t-1","agent":"bot","user":"alice@acme.example","request":"mail globex","steps":[{"tool":"email.send","args":{"to":["ap@globex.example"]},"result":"sent","expected":"ask"},{"tool":"payments.send","args":{},"expected":"allow"}]}

        {"id":"t-2","agent":"bot","user":"bob@acme.example","request":"hi","steps":[{"tool":"calendar.add","args":{}}]}
        """);
    Run r = run("replay", "--policies", b.toString(), traces.toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.out().contains("1 of 2 expected decisions matched"), r.out());
    assertTrue(
        r.out().contains("t-1 step 1 (payments.send): expected allow, decided deny"), r.out());

    Run json = run("replay", "--json", "--policies", b.toString(), traces.toString());
    String[] lines = json.out().strip().split("\n");
    assertEquals(3, lines.length, json.out());
    assertTrue(
        lines[0].startsWith(
            "{\"trace\":\"t-1\",\"step\":0,\"tool\":\"email.send\",\"effect\":\"ask\",\"expected\":\"ask\",\"reasons\":[{\"policy\":\"external-mail-asks\""),
        lines[0]);
    assertTrue(lines[2].contains("\"expected\":null"), lines[2]);
  }

  @Test
  void replayNamesTheBadLineOfATracesFile() throws IOException {
    Path traces = dir.resolve("bad.jsonl");
    Files.writeString(
        traces,
        "{\"id\":\"t\",\"agent\":\"a\",\"user\":\"u\",\"steps\":[]}\n{\"id\":\"t2\",\"agent\":\"a\",\"user\":\"u\",\"stesp\":[]}\n");
    Run r = run("replay", "--policies", bundle().toString(), traces.toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("bad.jsonl:2"), r.err());
    assertTrue(r.err().contains("did you mean `steps`?"), r.err());
  }

  @Test
  void replayWithABaselineListsFlips() throws IOException {
    Path b = bundle();
    Path baseline = dir.resolve("baseline");
    Files.createDirectories(baseline);
    Files.writeString(baseline.resolve("none.yaml"), "policies: []\n");
    Files.writeString(baseline.resolve("agents.yaml"), "defaults: {unprofiled: allow}\n");
    Path traces = dir.resolve("t.jsonl");
    Files.writeString(
        traces,
        "{\"id\":\"t-1\",\"agent\":\"bot\",\"user\":\"u\",\"steps\":[{\"tool\":\"payments.send\",\"args\":{}}]}\n");
    Run r =
        run(
            "replay",
            "--policies",
            b.toString(),
            "--baseline",
            baseline.toString(),
            traces.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("1 decision flip"), r.out());
    assertTrue(r.out().contains("t-1 step 0 (payments.send): allow -> deny"), r.out());
  }

  @Test
  void agentsAddPrintsATokenOnceAndStoresOnlyItsHash() throws Exception {
    Path data = dir.resolve("data");
    Run r = run("agents", "add", "invoice-bot", "--data", data.toString());
    assertEquals(0, r.code(), r.err());
    String token = r.out().strip();
    assertTrue(token.startsWith("tg_") && token.length() > 40, token);
    byte[] db = Files.readAllBytes(data.resolve("tollgate.db"));
    assertTrue(
        !new String(db, StandardCharsets.ISO_8859_1).contains(token),
        "the token itself is never stored");
    try (var store =
        dev.tollgate.store.jdbc.JdbcStore.open(dev.tollgate.store.jdbc.StoreConfig.sqlite(data))) {
      assertEquals(
          java.util.Optional.of("invoice-bot"),
          store.credentials().agentFor(dev.tollgate.server.Tokens.hash(token)));
    }
    assertEquals(3, run("agents", "add", "bad name!", "--data", data.toString()).code());
    assertEquals(0, run("agents", "revoke", "invoice-bot", "--data", data.toString()).code());
    try (var store = JdbcStore.open(StoreConfig.sqlite(data))) {
      assertEquals(
          List.of(
              "credential.added invoice-bot invoice-bot cli",
              "credential.revoked invoice-bot invoice-bot cli"),
          store
              .audit()
              .search(
                  new AuditQuery(
                      null, null, null, null, Credentials.AUDIT_KIND, null, null, null, 0, 100))
              .stream()
              .map(
                  rec ->
                      rec.entry().detail().get("event")
                          + " "
                          + rec.entry().agent()
                          + " "
                          + rec.entry().detail().get("credential")
                          + " "
                          + rec.entry().detail().get("by"))
              .toList(),
          "adding and revoking a token are audited, without the token");
    }
  }

  @Test
  void usersAddStoresAHashOfAGeneratedOrGivenPasswordWithTheRolesAndAuditsIt() throws Exception {
    Path data = dir.resolve("data");
    Run ann = run("users", "add", "ann", "--role", "approver", "--data", data.toString());
    assertEquals(0, ann.code(), ann.err());
    String generated = ann.out().strip();
    assertTrue(generated.matches("[A-Za-z0-9]{20}"), generated);
    assertTrue(ann.err().contains("shown once"), ann.err());

    InputStream stdin = System.in;
    Run bob;
    try {
      System.setIn(
          new ByteArrayInputStream("a long enough passphrase\n".getBytes(StandardCharsets.UTF_8)));
      bob =
          run(
              "users",
              "add",
              "bob",
              "--role",
              "admin,auditor",
              "--password-stdin",
              "--data",
              data.toString());
      assertEquals(0, bob.code(), bob.err());
      assertEquals("", bob.out(), "a password from stdin is not printed");
      System.setIn(new ByteArrayInputStream("too short\n".getBytes(StandardCharsets.UTF_8)));
      Run shortOne =
          run(
              "users",
              "add",
              "cy",
              "--role",
              "approver",
              "--password-stdin",
              "--data",
              data.toString());
      assertEquals(3, shortOne.code());
      assertTrue(shortOne.err().contains("at least 12 characters"), shortOne.err());
    } finally {
      System.setIn(stdin);
    }

    Run again = run("users", "add", "ann", "--role", "admin", "--data", data.toString());
    assertEquals(1, again.code());
    assertTrue(again.err().contains("`ann` already exists"), again.err());
    Run badRole = run("users", "add", "dee", "--role", "root", "--data", data.toString());
    assertEquals(3, badRole.code());
    assertTrue(badRole.err().contains("invalid role `root`"), badRole.err());
    assertEquals(
        3, run("users", "add", "bad name!", "--role", "admin", "--data", data.toString()).code());
    assertEquals(
        3, run("users", "add", "eve", "--data", data.toString()).code(), "a role is required");

    List<Path> files;
    try (var list = Files.list(data)) {
      files = list.toList();
    }
    for (Path f : files) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertTrue(
          !bytes.contains(generated) && !bytes.contains("a long enough passphrase"),
          "no password is stored in clear (" + f + ")");
    }
    try (var store = JdbcStore.open(StoreConfig.sqlite(data))) {
      PeopleStore.Person a = store.people().get("ann").orElseThrow();
      assertEquals(Set.of("approver"), a.roles());
      assertTrue(Passwords.matches(generated.toCharArray(), a.passwordHash()));
      PeopleStore.Person b = store.people().get("bob").orElseThrow();
      assertEquals(Set.of("admin", "auditor"), b.roles());
      assertTrue(Passwords.matches("a long enough passphrase".toCharArray(), b.passwordHash()));
      assertEquals(2, store.people().list().size());
      List<Map<String, Object>> added =
          store
              .audit()
              .search(
                  new AuditQuery(
                      null, null, null, null, People.AUDIT_KIND, null, null, null, 0, 100))
              .stream()
              .map(r -> r.entry().detail())
              .toList();
      assertEquals(
          List.of("person.added ann cli [approver]", "person.added bob cli [admin, auditor]"),
          added.stream()
              .map(
                  d ->
                      d.get("event")
                          + " "
                          + d.get("person")
                          + " "
                          + d.get("by")
                          + " "
                          + d.get("roles"))
              .toList());
    }
  }
}
