package dev.tollgate.engine;

import static dev.tollgate.engine.Bundles.action;
import static dev.tollgate.engine.Bundles.tollgate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tool catalog as policies see it ({@code tool.*}). */
class CatalogTest {
  private static final String CATALOG =
      """
      tools:
        email.send:      {kind: send, external: true, control: [to, cc, bcc]}
        invoices.search: {kind: read, results: {labels: [financial], trust: trusted}}
        web.*:           {kind: read, results: {trust: untrusted}}
        web.post:        {kind: send, external: true}
      """;

  private static final String SHOW =
      """
      policies:
        - name: show
          effect: ask
          message: >
            tool.name + "|" + string(tool.known) + "|" + tool.kind + "|" + string(tool.external)
            + "|" + tool.control.join(",") + "|" + tool.labels.join(",") + "|" + tool.trust
      """;

  private String facts(String toolName) {
    Decision d =
        tollgate(Bundles.of("catalog.yaml", CATALOG, "p.yaml", SHOW))
            .decide("bot", action(toolName, Map.of()));
    assertThat(d.effect()).as(d.toString()).isEqualTo(Effect.ASK);
    return d.reasons().get(0).message();
  }

  @Test
  void exactEntry() {
    assertThat(facts("email.send")).isEqualTo("email.send|true|send|true|to,cc,bcc||trusted");
    assertThat(facts("invoices.search"))
        .isEqualTo("invoices.search|true|read|false||financial|trusted");
  }

  @Test
  void patternEntryIsRenamedToTheTool() {
    assertThat(facts("web.fetch")).isEqualTo("web.fetch|true|read|false|||untrusted");
  }

  @Test
  void exactEntryWinsOverPattern() {
    assertThat(facts("web.post")).isEqualTo("web.post|true|send|true|||trusted");
  }

  @Test
  void unknownToolIsTreatedWithSuspicion() {
    assertThat(facts("shell.exec")).isEqualTo("shell.exec|false|unknown|true|||untrusted");
  }

  @Test
  void generalPolicyOnCatalogFacts() {
    Tollgate t =
        tollgate(
            Bundles.of(
                "catalog.yaml",
                CATALOG,
                "p.yaml",
                """
        policies:
          - name: external-sends-ask
            when: tool.kind == "send" && tool.external
            effect: ask
        """));
    assertThat(t.decide("bot", action("email.send", Map.of())).effect()).isEqualTo(Effect.ASK);
    assertThat(t.decide("bot", action("invoices.search", Map.of())).effect())
        .isEqualTo(Effect.ALLOW);
  }

  @Test
  void catalogSizeCountsExactAndPatternEntries() {
    assertThat(Bundles.of("catalog.yaml", CATALOG).catalogSize()).isEqualTo(4);
  }
}
