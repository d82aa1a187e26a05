package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.api.Action;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.InputException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the engine refuses to read, with a message that names the limit and the place: long numbers,
 * lone surrogates, invalid session ids; and session ids that are per agent.
 */
class InputChecksTest {

  private static InputException refused(String json) {
    InputException e = catchThrowableOfType(InputException.class, () -> ApiJson.readAction(json));
    assertThat(e).as("should be refused: " + json).isNotNull();
    return e;
  }

  @Test
  void aLongNumberIsReportedAsALongNumberWhereItIs() {
    InputException e = refused("{\"tool\":\"t\",\"args\":{\"x\":" + "9".repeat(5_000) + "}}");
    assertThat(e.code()).isEqualTo("bad_request");
    assertThat(e.getMessage()).startsWith("number at $.args.x is longer than 1000 digits");
    assertThat(e.getMessage()).doesNotContain("nested");
    assertThat(e.field()).isEqualTo("/args/x");
  }

  @Test
  void deepNestingIsStillReportedAsNesting() {
    InputException e =
        refused("{\"tool\":\"t\",\"args\":{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}}");
    assertThat(e.getMessage()).startsWith("JSON nested deeper than 64 levels");
  }

  @Test
  void aLoneSurrogateIsRefusedWhereverItIs() throws Exception {
    record Case(String json, String field, String where) {}
    for (Case c :
        new Case[] {
          new Case("{\"tool\":\"a\\uD800b\"}", "/tool", "text at $.tool"),
          new Case("{\"tool\":\"t\",\"args\":{\"k\\uDC00\":1}}", "/args/k\uDC00", "the name at"),
          new Case(
              "{\"tool\":\"t\",\"args\":{\"to\":[\"x\",\"\\uD83D\"]}}",
              "/args/to/1",
              "$.args.to[1]"),
          new Case("{\"tool\":\"t\",\"args\":{\"k\":\"\uD800\"}}", "/args/k", "$.args.k"),
        }) {
      InputException e = refused(c.json());
      assertThat(e.code()).as(c.json()).isEqualTo("invalid_text");
      assertThat(e.field()).as(c.json()).isEqualTo(c.field());
      assertThat(e.getMessage()).as(c.json()).contains(c.where()).contains("unpaired");
      // the message quotes no raw surrogate of the client's
      assertThat(e.getMessage().chars().anyMatch(ch -> Character.isSurrogate((char) ch))).isFalse();
    }
    // a proper pair (an emoji) is text like any other
    Action ok =
        ApiJson.readAction(
            "{\"tool\":\"t\",\"args\":{\"k\":\"\\uD83D\\uDE00\"}}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(ok.args().get("k")).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void sessionIdsAreBoundedToADocumentedAlphabet() {
    Tollgate gate = Tollgate.builder().build();
    assertThat(Tollgate.sessionIdProblem("run-42:a_b.c")).isNull();
    assertThat(Tollgate.sessionIdProblem("x".repeat(128))).isNull();
    for (String bad : new String[] {"", "x".repeat(129), "a b", "a/b", "~memory", "é", "a\nb"}) {
      assertThat(Tollgate.sessionIdProblem(bad)).as(bad).contains("invalid session id");
      assertThatThrownBy(() -> gate.openSession("bot", new SessionSpec(bad, "alice", "", null)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid session id");
    }
    Outcome o = gate.outcome("bot", Action.of("x".repeat(200_000), "alice", "t", Map.of()));
    assertThat(o)
        .isInstanceOfSatisfying(
            Outcome.Refused.class,
            r -> assertThat(r.refusal()).isEqualTo(Outcome.Refusal.INVALID_SESSION_ID));
    assertThat(o.decision().effect()).isEqualTo(Effect.DENY);
    assertThat(o.decision().reasons().getFirst().message()).hasSizeLessThan(300);
  }

  @Test
  void twoAgentsEachHaveTheirOwnSessionOfOneId() {
    Tollgate gate = Tollgate.builder().build();
    assertThat(gate.openSession("a", new SessionSpec("s1", "alice", "pay rent", null)))
        .isEqualTo("s1");
    // B's create succeeds: it neither learns of A's session nor touches it
    assertThat(gate.openSession("b", new SessionSpec("s1", "bob", "read mail", null)))
        .isEqualTo("s1");
    assertThatThrownBy(() -> gate.openSession("a", new SessionSpec("s1", "alice", "", null)))
        .hasMessageContaining("already open");
    gate.decide("a", Action.of("s1", "alice", "bank.pay", Map.of()));
    gate.observe("b", new Observation("s1", "mail.read", null, "hello"));
    assertThat(gate.sessionUser("a", "s1")).contains("alice");
    assertThat(gate.sessionUser("b", "s1")).contains("bob");
    assertThat(gate.sessionUser("c", "s1")).isEmpty();
    assertThat(gate.outcome("c", Action.of("s1", "carol", "t", Map.of())))
        .isInstanceOfSatisfying(
            Outcome.Refused.class,
            r -> assertThat(r.refusal()).isEqualTo(Outcome.Refusal.UNKNOWN_SESSION));
  }
}
