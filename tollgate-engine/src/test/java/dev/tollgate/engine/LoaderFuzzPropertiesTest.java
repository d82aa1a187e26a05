package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The loader refuses any text with a {@link BundleException} whose problems point inside the file;
 * it never throws anything else. Inputs are random mutations of a valid bundle, so they reach deep
 * into the loader rather than failing on the first character.
 */
class LoaderFuzzPropertiesTest {
  private static final String POLICIES =
      """
      policies:
        - name: external-mail-with-financial-data
          description: Financial data leaving the company needs a human.
          match: {tools: ["email.*"], agents: ["*-bot"]}
          when: >
            action.args.to.exists(r, !r.endsWith("@acme.example")) &&
            ("financial" in data.labels || "financial" in flow.labels)
          effect: ask
          message: '"financial data to " + action.args.to.join(", ")'
        - name: "no-shell"
          match:
            tools:
              - shell.*
          when: "action.args.cmd.startsWith(\\"rm \\") || action.user == 'x'"
          effect: deny
          mode: shadow
      """;
  private static final String CATALOG =
      """
      tools:
        email.send:      {kind: send, external: true, control: [to, cc, bcc]}
        invoices.search: {kind: read, results: {labels: [financial], trust: trusted}}
      """;
  private static final String AGENTS = "agents:\n  invoice-bot: {tools: [\"invoices.*\"]}\n";
  private static final String NOISE = " \t\n:-[]{}\"'>|#&*!%@`,?.\\\u00e9\uD83D\uDE00abc1";

  @Property(tries = 300)
  void refusalsAreBundleExceptionsPointingIntoTheFile(@ForAll long seed) {
    Random r = new Random(seed);
    String[] names = {"p.yaml", "catalog.yaml", "agents.yaml"};
    String[] texts = {mutate(POLICIES, r), mutate(CATALOG, r), mutate(AGENTS, r)};
    Map<String, String> files = Map.of(names[0], texts[0], names[1], texts[1], names[2], texts[2]);
    try {
      Bundle b = Bundle.fromFiles(files);
      assertThat(b.digest()).startsWith("sha256:");
    } catch (BundleException e) {
      assertThat(e.problems()).isNotEmpty();
      assertThat(e.render()).endsWith(e.problems().size() == 1 ? "1 error" : " errors");
      for (Problem p : e.problems()) {
        int index = java.util.Arrays.asList(names).indexOf(p.file());
        assertThat(index).as(p.render()).isNotNegative();
        int lines = texts[index].split("\r?\n", -1).length;
        assertThat(p.line()).as(p.render()).isBetween(0, lines);
        assertThat(p.column()).as(p.render()).isNotNegative();
        assertThat(p.message()).as(p.render()).isNotBlank();
        if (p.line() > 0) {
          assertThat(p.sourceLine()).as(p.render()).isNotNull();
          assertThat(p.column()).as(p.render()).isBetween(1, p.sourceLine().length() + 1);
        }
      }
    }
  }

  /** A sample the property found: a folded condition with a blank line pointed past the line. */
  @net.jqwik.api.Example
  void aSampleThatOnceFailed() {
    refusalsAreBundleExceptionsPointingIntoTheFile(-59474L);
  }

  private static String mutate(String text, Random r) {
    StringBuilder s = new StringBuilder(text);
    int edits = r.nextInt(9);
    for (int i = 0; i < edits && s.length() > 0; i++) {
      int at = r.nextInt(s.length());
      switch (r.nextInt(3)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, NOISE.charAt(r.nextInt(NOISE.length())));
        default -> s.setCharAt(at, NOISE.charAt(r.nextInt(NOISE.length())));
      }
    }
    return s.toString();
  }
}
