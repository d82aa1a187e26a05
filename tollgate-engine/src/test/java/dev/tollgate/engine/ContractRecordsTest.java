package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.ObservationResult;
import dev.tollgate.api.Reason;
import dev.tollgate.api.SessionSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract records of tollgate-api are immutable and validate what they must. */
class ContractRecordsTest {

  @Test
  void actionArgsAreADeepImmutableCopy() {
    List<Object> to = new ArrayList<>(List.of("a@x"));
    Map<String, Object> nested = new HashMap<>(Map.of("to", to));
    Map<String, Object> args = new HashMap<>(Map.of("mail", nested));
    args.put("nothing", null);
    Action a = Action.of("s", "u", "t", args);
    to.add("b@x");
    args.put("later", 1);
    assertThat(a.args()).containsOnlyKeys("mail", "nothing");
    assertThat(a.args().get("mail")).isEqualTo(Map.of("to", List.of("a@x")));
    assertThatThrownBy(() -> a.args().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> mail = (Map<String, Object>) a.args().get("mail");
    assertThatThrownBy(() -> ((List<Object>) mail.get("to")).add("c"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void actionNeedsATool() {
    assertThatThrownBy(() -> Action.of(null, null, null, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Action.of(null, null, " ", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tool must not be blank");
    assertThat(Action.of(null, null, "t", null).args()).isEmpty();
  }

  @Test
  void effectParsingAndPrecedence() {
    assertThat(Effect.parse("allow")).isEqualTo(Effect.ALLOW);
    assertThat(Effect.parse("ask")).isEqualTo(Effect.ASK);
    assertThat(Effect.parse("deny")).isEqualTo(Effect.DENY);
    assertThatThrownBy(() -> Effect.parse("DENY"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown effect `DENY`: use one of allow, ask, deny");
    assertThatThrownBy(() -> Effect.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Effect.ALLOW.strictest(Effect.ASK)).isEqualTo(Effect.ASK);
    assertThat(Effect.DENY.strictest(Effect.ASK)).isEqualTo(Effect.DENY);
    assertThat(Effect.ASK.strictest(Effect.ALLOW)).isEqualTo(Effect.ASK);
    assertThat(Effect.ASK.wireName()).isEqualTo("ask");
  }

  @Test
  void decisionCopiesItsLists() {
    List<Reason> reasons = new ArrayList<>(List.of(new Reason("p", "m")));
    Decision d = new Decision("d", Effect.DENY, null, reasons, List.of(), null, null, List.of());
    reasons.clear();
    assertThat(d.reasons()).hasSize(1);
    assertThat(d.policies()).containsExactly("p");
    assertThat(d.args()).isNull();
    assertThatThrownBy(
            () ->
                new Decision(null, Effect.DENY, null, List.of(), List.of(), null, null, List.of()))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Reason("p", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void sessionSpecDefaults() {
    SessionSpec s = SessionSpec.of("alice", null);
    assertThat(s.request()).isEmpty();
    assertThat(s.task()).isEmpty();
    assertThat(s.id()).isNull();
    assertThatThrownBy(() -> SessionSpec.of(null, "r")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void observationFreezesTheResult() {
    List<Object> result = new ArrayList<>(List.of(1));
    Observation o = new Observation("s", "t", null, result);
    result.add(2);
    assertThat(o.result()).isEqualTo(List.of(1L)); // numbers are normalised to Long/Double
    assertThat(new ObservationResult(List.of("a"), List.of()).labels()).containsExactly("a");
  }
}
