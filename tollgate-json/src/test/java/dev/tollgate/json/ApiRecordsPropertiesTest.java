package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.ApprovalRef;
import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.ShadowOutcome;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Every decision reads back from its map, and from its JSON text, as it was written. */
class ApiRecordsPropertiesTest {

  @Property(tries = 300)
  void aDecisionReadsBackFromItsMap(@ForAll("decisions") Decision d) {
    assertThat(ApiRecords.decision(ApiRecords.toMap(d))).isEqualTo(d);
  }

  @Property(tries = 300)
  @SuppressWarnings("unchecked")
  void aDecisionReadsBackFromItsWireText(@ForAll("decisions") Decision d) throws Exception {
    String wire = ApiJson.write(d);
    assertThat(ApiJson.write(ApiRecords.toMap(d))).isEqualTo(wire);
    Object read = ApiJson.toJava(ApiJson.readTree(wire));
    assertThat(ApiRecords.decision((Map<String, Object>) read)).isEqualTo(d);
  }

  @Provide
  Arbitrary<Decision> decisions() {
    Arbitrary<String> text = AuditCanonicalTest.text().filter(ApiRecordsPropertiesTest::unicode);
    Arbitrary<String> maybe = Arbitraries.oneOf(text, Arbitraries.just(null));
    Arbitrary<Effect> effect = Arbitraries.of(Effect.class);
    Arbitrary<ApprovalRef> approval =
        Arbitraries.oneOf(
            Arbitraries.just(null),
            Combinators.combine(
                    text,
                    Arbitraries.of(ApprovalStatus.class),
                    Arbitraries.longs()
                        .between(0, 253402300799L)
                        .map(s -> Instant.ofEpochSecond(s, s % 1000 * 1_000_000)))
                .as(ApprovalRef::new));
    Arbitrary<Map<String, Object>> args =
        Arbitraries.oneOf(
            Arbitraries.just(null),
            Arbitraries.maps(text, value(2)).ofMaxSize(4).map(LinkedHashMap::new));
    return Combinators.combine(
            Combinators.combine(text, effect, args).as(Tuple::of),
            Combinators.combine(text, text).as(Reason::new).list().ofMaxSize(3),
            Combinators.combine(maybe, maybe, maybe, maybe).as(Finding::new).list().ofMaxSize(3),
            approval,
            maybe,
            Combinators.combine(text, effect, text).as(ShadowOutcome::new).list().ofMaxSize(2))
        .as(
            (head, reasons, findings, ref, grant, shadow) ->
                new Decision(
                    head.get1(), head.get2(), head.get3(), reasons, findings, ref, grant, shadow));
  }

  /** What JSON can carry: no lone surrogate (refused as invalid_text when read). */
  private static boolean unicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Argument values as the codec reads them: Long and finite Double numbers. */
  private static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> leaf =
        Arbitraries.oneOf(
            AuditCanonicalTest.text()
                .filter(ApiRecordsPropertiesTest::unicode)
                .map(s -> (Object) s),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just(null));
    if (depth == 0) {
      return leaf;
    }
    return Arbitraries.frequencyOf(
        Tuple.of(6, leaf),
        Tuple.of(2, value(depth - 1).list().ofMaxSize(3).map(l -> (Object) l)),
        Tuple.of(
            2,
            Arbitraries.maps(
                    AuditCanonicalTest.text().filter(ApiRecordsPropertiesTest::unicode),
                    value(depth - 1))
                .ofMaxSize(3)
                .map(m -> (Object) new LinkedHashMap<>(m))));
  }
}
