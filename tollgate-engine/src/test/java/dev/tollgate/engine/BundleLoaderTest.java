package dev.tollgate.engine;

import static dev.tollgate.engine.Bundles.assertProblem;
import static dev.tollgate.engine.Bundles.problem;
import static dev.tollgate.engine.Bundles.refused;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every way a bundle is refused, each pinned to file, line, column and message. */
class BundleLoaderTest {

  @Nested
  class Loads {
    @Test
    void policiesAreOrderedByNameAcrossFiles() {
      Bundle b =
          Bundles.of(
              "z.yaml",
                  "policies:\n  - {name: b-second, effect: deny}\n  - {name: a-first, effect: allow}\n",
              "a.yml", "policies:\n  - {name: c-third, effect: ask, mode: shadow}\n");
      assertThat(b.policyNames()).containsExactly("a-first", "b-second", "c-third");
      assertThat(b.hasProfiles()).isTrue();
      assertThat(b.allowsUnprofiledAgents()).isTrue();
      assertThat(b.catalogSize()).isZero();
    }

    @Test
    void emptyBundleLoadsAndDeniesEverything() {
      assertThat(Bundle.empty().policyNames()).isEmpty();
      assertThat(Bundles.tollgate(Bundle.empty()).decide("bot", Bundles.mail("x@y")).effect())
          .isEqualTo(dev.tollgate.api.Effect.DENY);
    }

    @Test
    void emptyCatalogFileIsAnEmptyCatalog() {
      assertThat(Bundles.of("catalog.yaml", "").catalogSize()).isZero();
    }

    @Test
    void digestDependsOnNamesAndTextsNotOnMapOrder() {
      Bundle a = Bundles.of("a.yaml", "policies: []\n", "b.yaml", "policies: []\n");
      Bundle b = Bundles.of("b.yaml", "policies: []\n", "a.yaml", "policies: []\n");
      Bundle c = Bundles.of("a.yaml", "policies: []\n", "b.yaml", "policies: [] \n");
      assertThat(a.digest()).startsWith("sha256:").isEqualTo(b.digest()).isNotEqualTo(c.digest());
    }

    @Test
    void catalogAndAgentsInSubfolderNamesKeepTheirRole() {
      Bundle b =
          Bundles.of(
              "x/catalog.yaml",
              "tools:\n  a: {kind: read}\n",
              "x/agents.yaml",
              "agents:\n  bot: {tools: [a]}\n");
      assertThat(b.catalogSize()).isEqualTo(1);
      assertThat(b.hasProfiles()).isTrue();
    }
  }

  @Nested
  class YamlErrors {
    @Test
    void unterminatedQuotedScalar() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    when: \"unterminated\n");
      assertProblem(
          p,
          "policies.yaml",
          4,
          11,
          "invalid YAML: while scanning a quoted scalar: found unexpected end of stream");
      assertThat(p.sourceLine()).isEqualTo("    when: \"unterminated");
      assertThat(p.hint()).isEqualTo("check the indentation and quoting around this line");
    }

    @Test
    void unclosedFlowSequence() {
      Problem p = problem("policies:\n  - name: a\n    effect: [deny\n");
      assertProblem(
          p,
          "policies.yaml",
          3,
          13,
          "invalid YAML: while parsing a flow sequence:"
              + " expected `,` or `]`, but got <stream end>");
    }

    @Test
    void duplicateKeysNameBothLines() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    name: b\n");
      assertProblem(p, "policies.yaml", 4, 5, "duplicate key `name`");
      assertThat(p.hint()).isEqualTo("it is already set on line 2; keep one of them");
      assertThat(p.sourceLine()).isEqualTo("    name: b");
    }

    @Test
    void nestingDeeperThanTheLimitIsLocated() {
      String deep = "[".repeat(70) + "]".repeat(70);
      BundleException e =
          refused(
              "policies.yaml",
              "policies:\n  - name: a\n    effect: deny\n    description: " + deep + "\n");
      Problem nesting =
          e.problems().stream()
              .filter(p -> p.message().startsWith("nesting"))
              .findFirst()
              .orElseThrow();
      assertProblem(nesting, "policies.yaml", 4, 80, "nesting deeper than 64 levels");
      assertThat(nesting.hint()).isEqualTo("flatten the structure");
    }

    @Test
    void absurdNestingIsStillRefused() {
      String deep = "[".repeat(300) + "]".repeat(300);
      BundleException e =
          refused(
              "policies.yaml",
              "policies:\n  - name: a\n    effect: deny\n    description: " + deep);
      // the first bracket is at column 18 and depth 3: the one at depth 65 is 62 columns on
      assertThat(e.problems())
          .filteredOn(p -> p.message().equals("nesting deeper than 64 levels"))
          .singleElement()
          .satisfies(
              p -> assertProblem(p, "policies.yaml", 4, 80, "nesting deeper than 64 levels"));
    }

    @Test
    void anchorsAndAliasesBombIsRefused() {
      StringBuilder y = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
      for (int i = 1; i < 30; i++) {
        y.append("a").append(i).append(": &a").append(i).append(" [");
        y.append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1))));
        y.append("]\n");
      }
      Problem p = problem(y.toString());
      // lines 2 and 3 hold ten aliases each: the 21st is the first on line 4
      assertProblem(
          p, "policies.yaml", 4, 10, "invalid YAML: more than 20 aliases to lists or mappings");
    }

    @Test
    void emptyPolicyFile() {
      Problem p = problem("");
      assertProblem(p, "policies.yaml", 0, 0, "empty policy file");
      assertThat(p.hint()).isEqualTo("add a `policies:` list, or remove the file");
      assertThat(p.render())
          .isEqualTo(
              "error: policies.yaml: empty policy file\n"
                  + "  = hint: add a `policies:` list, or remove the file");
    }

    @Test
    void commentOnlyPolicyFileIsEmpty() {
      assertProblem(problem("# nothing yet\n"), "policies.yaml", 0, 0, "empty policy file");
    }
  }

  @Nested
  class SchemaErrors {
    @Test
    void unknownKeySuggestsTheNearestKey() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    efect: deny\n");
      assertProblem(p, "policies.yaml", 4, 5, "unknown key `efect` in policy `a`");
      assertThat(p.hint())
          .isEqualTo(
              "did you mean `effect`? allowed keys: approval, description, effect,"
                  + " match, message, mode, name, quarantine, redact, when");
    }

    @Test
    void unknownKeyFarFromAnyKeyListsTheKeys() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    colour: red\n");
      assertProblem(p, "policies.yaml", 4, 5, "unknown key `colour` in policy `a`");
      assertThat(p.hint())
          .isEqualTo(
              "allowed keys: approval, description, effect, match, message, mode, name, quarantine,"
                  + " redact, when");
    }

    @Test
    void unknownKeyInMatch() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    match: {tool: [\"x\"]}\n");
      assertProblem(p, "policies.yaml", 4, 13, "unknown key `tool` in `match` of policy `a`");
      assertThat(p.hint()).startsWith("did you mean `tools`?");
    }

    @Test
    void unknownTopLevelKeyAndMissingPolicies() {
      BundleException e = refused("policies.yaml", "rules: []\n");
      assertThat(e.problems()).hasSize(2);
      assertProblem(
          e.problems().get(0), "policies.yaml", 1, 1, "unknown key `rules` in a policy file");
      assertProblem(
          e.problems().get(1), "policies.yaml", 1, 1, "missing key `policies` in a policy file");
    }

    @Test
    void missingName() {
      Problem p = problem("policies:\n  - effect: deny\n");
      assertProblem(p, "policies.yaml", 2, 5, "missing key `name` in a policy");
      assertThat(p.hint()).isEqualTo("add `name: ...`");
    }

    @Test
    void missingEffect() {
      assertProblem(
          problem("policies:\n  - name: a\n"),
          "policies.yaml",
          2,
          5,
          "missing key `effect` in policy `a`");
    }

    @Test
    void unknownEffectSuggestsTheNearest() {
      Problem p = problem("policies:\n  - name: a\n    effect: denny\n");
      assertProblem(p, "policies.yaml", 3, 13, "unknown effect `denny` in policy `a`");
      assertThat(p.hint()).isEqualTo("did you mean `deny`? use one of allow, ask, deny");
    }

    @Test
    void effectThatIsNotAString() {
      Problem p = problem("policies:\n  - name: a\n    effect: true\n");
      assertProblem(
          p, "policies.yaml", 3, 13, "`effect` in policy `a` must be a string, not a boolean");
    }

    @Test
    void unknownMode() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    mode: dry-run\n");
      assertProblem(p, "policies.yaml", 4, 11, "unknown mode `dry-run` in policy `a`");
      assertThat(p.hint()).isEqualTo("use `enforce` (the default) or `shadow`");
    }

    @Test
    void invalidPolicyName() {
      Problem p = problem("policies:\n  - name: Bad Name\n    effect: deny\n");
      assertProblem(p, "policies.yaml", 2, 11, "invalid policy name `Bad Name`");
    }

    @Test
    void whenThatIsNotAString() {
      assertProblem(
          problem("policies:\n  - name: a\n    effect: deny\n    when: true\n"),
          "policies.yaml",
          4,
          11,
          "`when` in policy `a` must be a string, not a boolean");
    }

    @Test
    void nonMappingPolicy() {
      Problem p = problem("policies:\n  - just a string\n");
      assertProblem(p, "policies.yaml", 2, 5, "a policy must be a mapping, not a string");
    }

    @Test
    void nonMappingFile() {
      assertProblem(
          problem("- name: a\n"),
          "policies.yaml",
          1,
          1,
          "a policy file must be a mapping, not a list");
    }

    @Test
    void policiesThatAreNotAList() {
      assertProblem(
          problem("policies: {name: a}\n"),
          "policies.yaml",
          1,
          11,
          "`policies` in a policy file must be a list, not a mapping");
    }

    @Test
    void emptyMatchList() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    match: {tools: []}\n");
      assertProblem(p, "policies.yaml", 4, 20, "`match.tools` of policy `a` is empty");
    }

    @Test
    void blankMatchPattern() {
      Problem p =
          problem("policies:\n  - name: a\n    effect: deny\n    match: {agents: [\" \"]}\n");
      assertProblem(p, "policies.yaml", 4, 21, "blank pattern in `match.agents` of policy `a`");
    }

    @Test
    void matchItemsMustBeStrings() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    match: {tools: [1]}\n");
      assertProblem(
          p,
          "policies.yaml",
          4,
          21,
          "items of `tools` in `match` of policy `a` must be strings, not a number");
    }

    @Test
    void duplicateNamesAcrossFilesPointAtTheSecondAndNameTheFirst() {
      BundleException e =
          refused(
              "a.yaml", "policies:\n  - name: same\n    effect: deny\n",
              "b.yaml",
                  "policies:\n  - name: other\n    effect: allow\n  - name: same\n    effect: allow\n");
      assertThat(e.problems()).hasSize(1);
      Problem p = e.problems().get(0);
      assertProblem(p, "b.yaml", 4, 11, "duplicate policy name `same`");
      assertThat(p.hint())
          .isEqualTo("it is already used at a.yaml:2; policy names must be unique in a bundle");
    }

    @Test
    void duplicateNamesInOneFile() {
      Problem p = problem("policies:\n  - {name: x, effect: deny}\n  - {name: x, effect: allow}\n");
      assertProblem(p, "policies.yaml", 3, 12, "duplicate policy name `x`");
    }

    @Test
    void everyProblemIsReportedSortedByFileAndLine() {
      BundleException e =
          refused(
              "b.yaml", "policies:\n  - name: b\n    mode: x\n    effect: deny\n",
              "a.yaml", "policies:\n  - name: a\n    effect: nope\n");
      assertThat(e.problems())
          .extracting(Problem::file, Problem::line)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("a.yaml", 3),
              org.assertj.core.groups.Tuple.tuple("b.yaml", 3));
      assertThat(e.getMessage())
          .isEqualTo("a.yaml:3: unknown effect `nope` in policy `a` (and 1 more)");
      assertThat(e.render()).endsWith("\n\n2 errors");
    }
  }

  @Nested
  class CelErrors {
    private Problem when(String expression) {
      return problem("policies:\n  - name: a\n    effect: deny\n    when: " + expression + "\n");
    }

    @Test
    void syntaxError() {
      Problem p = when("action.tool ==");
      assertProblem(p, "policies.yaml", 4, 25, p.message());
      assertThat(p.message()).startsWith("`when` of policy `a`: mismatched input `<EOF>`");
    }

    @Test
    void typeError() {
      Problem p = when("action.tool == 1");
      assertProblem(
          p,
          "policies.yaml",
          4,
          23,
          "`when` of policy `a`: found no matching overload"
              + " for `==` applied to `(string, int)`");
      assertThat(p.hint()).startsWith("check the types of the operands");
    }

    @Test
    void undefinedFieldSuggestsTheField() {
      Problem p = when("'action.agnet == \"x\"'");
      assertProblem(p, "policies.yaml", 4, 19, "`when` of policy `a`: undefined field `agnet`");
      assertThat(p.hint())
          .isEqualTo(
              "did you mean `agent`? fields of `action`: agent, args, reason, session, tool, user");
    }

    @Test
    void undefinedSessionField() {
      Problem p = when("session.reqest == \"x\"");
      assertProblem(p, "policies.yaml", 4, 19, "`when` of policy `a`: undefined field `reqest`");
      assertThat(p.hint()).startsWith("did you mean `request`? fields of `session`");
    }

    @Test
    void undefinedFieldHintNamesTheVariableItWasSelectedFrom() {
      Problem p = when("'\"x\" in data.lables'");
      assertProblem(p, "policies.yaml", 4, 24, "`when` of policy `a`: undefined field `lables`");
      assertThat(p.hint())
          .isEqualTo("did you mean `labels`? fields of `data`: domains, findings, labels");
    }

    @Test
    void undeclaredVariable() {
      Problem p = when("acton.tool == \"x\"");
      assertProblem(
          p, "policies.yaml", 4, 11, "`when` of policy `a`: undeclared reference to `acton`");
      assertThat(p.hint())
          .isEqualTo(
              "did you mean `action`? variables: action, tool, data, flow, provenance, session, scope, blast, judge");
    }

    @Test
    void misspeltFunction() {
      Problem p = when("action.tool.startswith(\"x\")");
      assertProblem(
          p, "policies.yaml", 4, 33, "`when` of policy `a`: undeclared reference to `startswith`");
      assertThat(p.hint()).startsWith("did you mean `startsWith`?");
    }

    @Test
    void conditionOfWrongResultType() {
      Problem p = when("action.tool");
      assertProblem(
          p,
          "policies.yaml",
          4,
          17,
          "`when` of policy `a`: expected type `bool` but found `string`");
      assertThat(p.hint()).isEqualTo("the expression must yield a bool");
    }

    @Test
    void messageOfWrongResultType() {
      Problem p =
          problem("policies:\n  - name: a\n    effect: deny\n    message: action.args.size()\n");
      assertProblem(
          p,
          "policies.yaml",
          4,
          30,
          "`message` of policy `a`: expected type `string` but found `int`");
      assertThat(p.hint()).isEqualTo("the expression must yield a string");
    }

    @Test
    void errorInFoldedBlockPointsAtItsSourceLine() {
      Problem p =
          problem(
              "policies:\n  - name: a\n    effect: deny\n    when: >\n"
                  + "      action.tool == \"x\" &&\n        action.usr == \"y\"\n");
      assertProblem(p, "policies.yaml", 6, 16, "`when` of policy `a`: undefined field `usr`");
      assertThat(p.sourceLine()).isEqualTo("        action.usr == \"y\"");
    }

    @Test
    void errorInLiteralBlockPointsAtItsSourceLine() {
      Problem p =
          problem(
              "policies:\n  - name: a\n    effect: deny\n    when: |\n"
                  + "      action.tool == \"x\" &&\n      action.usr == \"y\"\n");
      assertProblem(p, "policies.yaml", 6, 14, "`when` of policy `a`: undefined field `usr`");
    }

    @Test
    void escapesInQuotedScalarsKeepTheColumn() {
      Problem dq = when("\"action.tool == \\\"x\\\" && action.usr == 'y'\"");
      assertProblem(dq, "policies.yaml", 4, 43, "`when` of policy `a`: undefined field `usr`");
      assertThat(dq.sourceLine().charAt(41)).isEqualTo('.');
      Problem sq = when("'action.tool == ''x'' && action.usr == \"y\"'");
      assertProblem(sq, "policies.yaml", 4, 43, "`when` of policy `a`: undefined field `usr`");
      Problem u = when("\"action.tool == \\u0022x\\u0022 && action.usr == 'y'\"");
      assertProblem(u, "policies.yaml", 4, 51, "`when` of policy `a`: undefined field `usr`");
      assertThat(u.sourceLine().substring(49)).startsWith(".usr");
    }

    @Test
    void errorOnAContinuationLineOfAPlainScalar() {
      Problem p =
          problem(
              "policies:\n  - name: a\n    effect: deny\n"
                  + "    when: action.tool == \"x\" &&\n      action.user == \"y\" &&\n"
                  + "      action.agnet == \"z\"\n");
      assertProblem(p, "policies.yaml", 6, 14, "`when` of policy `a`: undefined field `agnet`");
      assertThat(p.sourceLine()).isEqualTo("      action.agnet == \"z\"");
    }

    @Test
    void errorOnAContinuationLineOfAQuotedScalar() {
      Problem p =
          problem(
              "policies:\n  - name: a\n    effect: deny\n"
                  + "    when: \"action.tool == 'x' &&\n      action.usr == 'y'\"\n");
      assertProblem(p, "policies.yaml", 5, 14, "`when` of policy `a`: undefined field `usr`");
    }

    @Test
    void crlfLineEndingsKeepPositions() {
      Problem p =
          problem(
              "policies:\r\n  - name: a\r\n    effect: deny\r\n    when: action.usr == \"y\"\r\n");
      assertProblem(p, "policies.yaml", 4, 18, "`when` of policy `a`: undefined field `usr`");
      assertThat(p.sourceLine()).isEqualTo("    when: action.usr == \"y\"");
    }

    @Test
    void overlongExpressionIsRefused() {
      StringBuilder big = new StringBuilder("action.tool == \"t0\"");
      for (int i = 1; i < 1200; i++) {
        big.append(" || action.tool == \"t").append(i).append('"');
      }
      Problem p = when(big.toString());
      assertProblem(
          p,
          "policies.yaml",
          4,
          11,
          "`when` of policy `a`: expression code point size"
              + " exceeds limit: size: 30086, limit 16384");
    }

    @Test
    void emptyConditionIsASyntaxError() {
      Problem p = when("\"\"");
      assertThat(p.line()).isEqualTo(4);
      assertThat(p.message()).startsWith("`when` of policy `a`: mismatched input `<EOF>`");
    }

    @Test
    void matchMustBeAMapping() {
      Problem p = problem("policies:\n  - name: a\n    effect: deny\n    match: [email.send]\n");
      assertProblem(
          p, "policies.yaml", 4, 12, "`match` in policy `a` must be a mapping, not a list");
    }

    @Test
    void bothConditionAndMessageErrorsAreReported() {
      BundleException e =
          refused(
              "policies.yaml",
              "policies:\n  - name: a\n    effect: deny\n"
                  + "    when: action.usr == \"y\"\n    message: action.tol\n");
      assertThat(e.problems()).extracting(Problem::line).containsExactly(4, 5);
    }
  }

  @Nested
  class CatalogAndAgentsErrors {
    @Test
    void unknownKind() {
      BundleException e = refused("catalog.yaml", "tools:\n  email.send: {kind: mail}\n");
      assertThat(e.problems()).hasSize(1);
      Problem p = e.problems().get(0);
      assertProblem(p, "catalog.yaml", 2, 22, "unknown kind `mail` for tool `email.send`");
      assertThat(p.hint()).isEqualTo("use one of delete, execute, memory, read, send, write");
    }

    @Test
    void unknownKindNearAKnownOne() {
      Problem p = refused("catalog.yaml", "tools:\n  t: {kind: reed}\n").problems().get(0);
      assertThat(p.hint()).startsWith("did you mean `read`?");
    }

    @Test
    void missingKind() {
      Problem p = refused("catalog.yaml", "tools:\n  t: {external: true}\n").problems().get(0);
      assertProblem(p, "catalog.yaml", 2, 6, "missing key `kind` in tool `t`");
    }

    @Test
    void unknownTrust() {
      Problem p =
          refused(
                  "catalog.yaml",
                  "tools:\n  web.fetch:\n    kind: read\n    results: {trust: sketchy}\n")
              .problems()
              .get(0);
      assertProblem(p, "catalog.yaml", 4, 22, "unknown trust `sketchy` for tool `web.fetch`");
    }

    @Test
    void externalMustBeABoolean() {
      Problem p =
          refused("catalog.yaml", "tools:\n  t: {kind: send, external: maybe}\n").problems().get(0);
      assertProblem(
          p, "catalog.yaml", 2, 29, "`external` in tool `t` must be true or false, not a string");
    }

    @Test
    void unknownKeyInToolEntry() {
      Problem p =
          refused("catalog.yaml", "tools:\n  t: {kind: send, controls: [to]}\n").problems().get(0);
      assertProblem(p, "catalog.yaml", 2, 19, "unknown key `controls` in tool `t`");
      assertThat(p.hint()).startsWith("did you mean `control`?");
    }

    @Test
    void catalogWithoutTools() {
      Problem p = refused("catalog.yaml", "tool: {}\n").problems().get(1);
      assertProblem(p, "catalog.yaml", 1, 1, "missing key `tools` in the catalog");
    }

    @Test
    void agentWithoutTools() {
      BundleException e = refused("agents.yaml", "agents:\n  bot: {description: a bot}\n");
      assertThat(e.problems()).hasSize(1);
      assertProblem(e.problems().get(0), "agents.yaml", 2, 8, "missing key `tools` in agent `bot`");
    }

    @Test
    void agentsFileWithoutAgents() {
      BundleException e = refused("agents.yaml", "agent: {}\n");
      assertThat(e.problems())
          .extracting(Problem::message)
          .containsExactly(
              "unknown key `agent` in the agents file", "missing key `agents` in the agents file");
    }

    @Test
    void emptyAgentsFile() {
      BundleException e = refused("agents.yaml", "");
      assertThat(e.problems()).hasSize(1);
      assertProblem(e.problems().get(0), "agents.yaml", 0, 0, "empty agents file");
    }

    @Test
    void brokenAgentsYamlIsOneError() {
      BundleException e = refused("agents.yaml", "agents: [\n");
      assertThat(e.problems()).hasSize(1);
      assertProblem(
          e.problems().get(0),
          "agents.yaml",
          2,
          1,
          "invalid YAML: while parsing a flow"
              + " node: expected the node content, but found `<stream end>`");
    }

    @Test
    void oneBrokenFileRefusesTheWholeBundle() {
      BundleException e =
          refused(
              "good.yaml", "policies:\n  - {name: fine, effect: deny}\n",
              "catalog.yaml", "tools:\n  t: {kind: nope}\n");
      assertThat(e.problems()).extracting(Problem::file).containsExactly("catalog.yaml");
    }
  }

  @Test
  void renderLooksLikeACompilerError() {
    Problem p = problem("policies:\n  - name: a\n    effect: denny\n");
    assertThat(p.render())
        .isEqualTo(
            String.join(
                "\n",
                "error: policies.yaml:3:13: unknown effect `denny` in policy `a`",
                "   |",
                " 3 |     effect: denny",
                "   |             ^",
                "  = hint: did you mean `deny`? use one of allow, ask, deny"));
  }

  @Test
  void caretKeepsTabsUnderTabs() {
    Problem p = new Problem("f.yaml", 2, 4, "m", null, "\t\tab");
    assertThat(p.render()).isEqualTo("error: f.yaml:2:4: m\n   |\n 2 | \t\tab\n   | \t\t ^");
    assertThat(List.of(p).toString()).contains("f.yaml:2:4");
  }
}
