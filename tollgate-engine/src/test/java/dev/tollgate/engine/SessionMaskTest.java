package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Gate;
import dev.tollgate.api.Reason;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.engine.internal.memory.MemorySessionStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A session's request and task are stored with every flagged value masked, mail addresses and phone
 * numbers included, while policies that compare a recipient with what the user named decide as
 * before, on the instance that opened the session and on any other with the same key; and a policy
 * message that quotes the user's words shows no flagged value.
 */
class SessionMaskTest {
  static final String EMAIL = "jane.doe@globex.example";
  static final String PHONE = "+1 (415) 555-0100";
  static final String IBAN = "DE89 3704 0044 0532 0130 00";
  static final String CARD = "4111 1111 1111 1111";
  static final String KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  static final List<String> CLEAR =
      List.of(
          EMAIL,
          "jane.doe",
          PHONE,
          "4155550100",
          IBAN,
          "DE89370400440532013000",
          CARD,
          "4111111111111111",
          KEY);

  static final String REQUEST =
      "Mail the invoice to "
          + EMAIL
          + " or text "
          + PHONE
          + "; pay to "
          + IBAN
          + " with card "
          + CARD
          + ", key "
          + KEY;

  static final String CATALOG =
      """
      tools:
        email.send: {kind: send, external: true, control: [to]}
        sms.send: {kind: send, external: true, control: [to]}
        notes.write: {kind: write}
      """;
  static final String POLICIES =
      """
      policies:
        - name: recipient-not-named
          match: {tools: ["email.send", "sms.send"]}
          when: provenance.to.origin != "request"
          effect: ask
          message: '"recipient not named by the user: " + action.args.to'
        - name: quotes-the-request
          match: {tools: ["notes.write"]}
          effect: deny
          message: '"the user asked: " + session.request + " / " + session.task.contact'
      """;

  private final byte[] key = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private final MemorySessionStore store = new MemorySessionStore(16);
  private final Bundle bundle = Bundles.of("catalog.yaml", CATALOG, "p.yaml", POLICIES);

  private Gate instance() {
    return Tollgate.builder()
        .bundle(bundle)
        .sessions(store)
        .fingerprintKey(key)
        .build()
        .gate("bot");
  }

  private String open(Gate gate) {
    return gate.openSession(
        new SessionSpec(
            null, "alice@acme.example", REQUEST, Map.of("contact", EMAIL + " " + PHONE)));
  }

  @Test
  void theStoreKeepsNoFlaggedValueOfTheRequestOrTask() {
    String id = open(instance());
    SessionRecord stored = store.get("bot/" + id).orElseThrow();
    String all = stored.request() + " " + stored.task();
    for (String clear : CLEAR) {
      assertThat(all).doesNotContainIgnoringCase(clear);
    }
    assertThat(stored.request())
        .contains("[email ")
        .contains("[phone ")
        .contains("[iban ")
        .contains("[payment-card ")
        .contains("[stripe-key ")
        .containsPattern("#[0-9a-f]{16}\\]");
    assertThat(String.valueOf(stored.task().get("contact")))
        .contains("[email ")
        .contains("[phone ");
  }

  @Test
  void aRecipientTheUserNamedIsKnownOnThisInstanceAndOnAnother() {
    Gate opener = instance();
    String id = open(opener);
    Gate other = instance();
    for (Gate gate : List.of(opener, other)) {
      assertThat(send(gate, id, "email.send", EMAIL.toUpperCase(java.util.Locale.ROOT)).effect())
          .isEqualTo(Effect.ALLOW);
      // the same number written another way is the same number
      assertThat(send(gate, id, "sms.send", "+1-415-555-0100").effect()).isEqualTo(Effect.ALLOW);
      Decision elsewhere = send(gate, id, "email.send", "john.doe@globex.example");
      assertThat(elsewhere.effect()).isEqualTo(Effect.ASK);
      assertThat(send(gate, id, "sms.send", "+1 415 555 0199").effect()).isEqualTo(Effect.ASK);
    }
  }

  @Test
  void aMessageThatQuotesTheRequestShowsNoFlaggedValue() {
    Gate opener = instance();
    String id = open(opener);
    for (Gate gate : List.of(opener, instance())) {
      Decision d = gate.decide(Action.of(id, "alice@acme.example", "notes.write", Map.of()));
      assertThat(d.effect()).isEqualTo(Effect.DENY);
      String message = d.reasons().stream().map(Reason::message).reduce("", String::concat);
      assertThat(message).startsWith("the user asked: Mail the invoice to [email ");
      for (String clear : CLEAR) {
        assertThat(message).doesNotContainIgnoringCase(clear);
      }
    }
  }

  private static Decision send(Gate gate, String session, String tool, String to) {
    return gate.decide(
        Action.of(session, "alice@acme.example", tool, Map.of("to", to, "body", "hi")));
  }
}
