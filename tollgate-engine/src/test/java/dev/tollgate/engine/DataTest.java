package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Gate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sensitive data in an action's arguments, end to end through the engine with the built-in
 * detectors: what policies see, allow with redaction, and that a flagged value never comes back in
 * clear through a decision (findings, paths, messages).
 */
class DataTest {
  static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
  static final String CARD = "4242 4242 4242 4242";

  static final String CATALOG =
      """
      tools:
        email.send: {kind: send, external: true, control: [to]}
        chat.post: {kind: send, external: false, control: [channel]}
        notes.save: {kind: write, control: [id]}
      """;
  static final String POLICIES =
      """
      policies:
        - name: secret-out
          match: {tools: ["email.send"]}
          when: '"secret" in data.labels'
          effect: deny
          message: '"a secret in the mail: " + action.args.body'
        - name: chat-without-cards
          match: {tools: ["chat.post"]}
          when: '"personal" in data.labels || "financial" in data.labels'
          effect: allow
          redact: {mode: mask, labels: [personal]}
        - name: notes-drop-secrets
          match: {tools: ["notes.save"]}
          when: '"secret" in data.labels'
          effect: allow
          redact: drop
      """;

  private final Gate gate =
      Tollgate.builder()
          .bundle(Bundles.of("catalog.yaml", CATALOG, "p.yaml", POLICIES))
          .build()
          .gate("bot");

  private Decision decide(String tool, Map<String, Object> args) {
    return gate.decide(Action.of(null, "alice@acme.example", tool, args));
  }

  @Test
  void aMessageQuotingAFlaggedValueShowsItMasked() {
    Decision d =
        decide(
            "email.send",
            Map.of("to", List.of("ops@partner.example"), "body", "the key is " + AWS_KEY));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message())
        .startsWith("a secret in the mail: the key is ")
        .doesNotContain(AWS_KEY)
        .contains("AKIA••••");
    assertThat(d.findings())
        .extracting(Finding::detector, Finding::label, Finding::path)
        .contains(org.assertj.core.groups.Tuple.tuple("aws-access-key", "secret", "/args/body"));
    assertThat(d.toString()).doesNotContain(AWS_KEY);
  }

  @Test
  void aFlaggedMapKeyIsMaskedInTheFindingsPath() {
    Map<String, Object> byAddress = new LinkedHashMap<>();
    byAddress.put("jane.doe@customer.example", "gold tier");
    Decision d = decide("notes.save", Map.of("id", "N-1", "tiers", byAddress));
    assertThat(d.findings()).isNotEmpty();
    assertThat(d.findings())
        .allSatisfy(f -> assertThat(f.path()).doesNotContain("jane.doe@customer.example"));
    assertThat(d.toString()).doesNotContain("jane.doe@customer.example");
  }

  @Test
  void allowWithMaskRedactsOnlyTheLabelsItNames() {
    Decision d =
        decide(
            "chat.post",
            Map.of(
                "channel",
                "#billing",
                "text",
                "card " + CARD + " of jane.doe@customer.example, invoice INV-20931"));
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.args()).isNotNull();
    String text = (String) d.args().get("text");
    assertThat(text).doesNotContain("jane.doe@customer.example").contains("j•••@customer.example");
    assertThat(d.args().get("channel")).isEqualTo("#billing");
    assertThat(d.findings()).extracting(Finding::label).contains("personal");
  }

  @Test
  void allowWithDropRemovesTheStringsThatHoldAFlaggedValue() {
    Decision d =
        decide(
            "notes.save",
            Map.of(
                "id",
                "N-7",
                "lines",
                List.of("deploy notes", "aws key " + AWS_KEY, "rotate monthly")));
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.args().get("lines")).isEqualTo(List.of("deploy notes", "rotate monthly"));
    assertThat(d.args().get("id")).isEqualTo("N-7");
  }

  @Test
  void nothingFlaggedMeansNoChangedArguments() {
    Decision d = decide("notes.save", Map.of("id", "N-8", "text", "lunch at noon"));
    assertThat(d.effect()).isEqualTo(Effect.ALLOW);
    assertThat(d.args()).isNull();
    assertThat(d.findings()).isEmpty();
  }

  @Test
  void argumentsTooLargeToScanAreDenied() {
    String big = "x".repeat(600_000);
    Decision d = decide("notes.save", Map.of("id", "N-9", "a", big, "b", big));
    assertThat(d.effect()).isEqualTo(Effect.DENY);
    assertThat(d.reasons().getFirst().message()).contains("too large to scan");
  }
}
