package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `matches` (with compiled patterns kept) behaves as CEL's: RE2, partial match, fail closed. */
class MatchesTest {
  private static Effect decide(String when, Map<String, Object> args) throws BundleException {
    Tollgate t =
        Tollgate.builder()
            .bundle(
                Bundle.fromFiles(
                    Map.of(
                        "p.yaml",
                        "policies:\n  - name: m\n    when: '" + when + "'\n    effect: deny\n",
                        "agents.yaml",
                        Bundles.UNPROFILED_ALLOWED)))
            .build();
    return t.decide("bot", Action.of(null, "u", "x", args)).effect();
  }

  @Test
  void matchesIsAPartialRe2MatchInBothForms() throws Exception {
    Map<String, Object> args = Map.of("body", "Invoice #4471 is overdue", "re", "(?i)invoice");
    for (int i = 0; i < 3; i++) { // the second and third calls use the kept pattern
      assertEquals(Effect.DENY, decide("action.args.body.matches(\"\\\\d{4}\")", args));
      assertEquals(Effect.DENY, decide("matches(action.args.body, \"overdue$\")", args));
      assertEquals(Effect.DENY, decide("action.args.body.matches(action.args.re)", args));
      assertEquals(Effect.ALLOW, decide("action.args.body.matches(\"^overdue\")", args));
    }
  }

  @Test
  void anInvalidPatternFromTheArgumentsDeniesNamingThePolicy() throws Exception {
    Tollgate t =
        Tollgate.builder()
            .bundle(
                Bundle.fromFiles(
                    Map.of(
                        "p.yaml",
                        "policies:\n  - name: m\n    when: action.args.s.matches(action.args.re)\n"
                            + "    effect: allow\n",
                        "agents.yaml",
                        Bundles.UNPROFILED_ALLOWED)))
            .build();
    Decision d = t.decide("bot", Action.of(null, "u", "x", Map.of("s", "a", "re", "(")));
    assertEquals(Effect.DENY, d.effect());
    assertEquals(List.of("m"), d.policies());
    assertTrue(d.reasons().get(0).message().contains("failed at decision time"), d.toString());
  }
}
