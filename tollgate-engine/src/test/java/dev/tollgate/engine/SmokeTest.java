package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void externalMailAsks() throws Exception {
    Bundle bundle =
        Bundle.fromFiles(
            Map.of(
                "mail.yaml",
                """
        policies:
          - name: external-mail-asks
            match: {tools: ["email.*"]}
            when: >
              action.args.to.exists(r,
                !r.endsWith("@acme.example"))
            effect: ask
            message: '"mail to " + action.args.to.join(", ")'
        """));
    Tollgate t = Tollgate.builder().bundle(bundle).build();
    Decision d =
        t.decide(
            "bot",
            Action.of(null, "alice", "email.send", Map.of("to", List.of("ap@globex.example"))));
    assertEquals(Effect.ASK, d.effect(), d.toString());
    assertEquals("mail to ap@globex.example", d.reasons().get(0).message());
    System.out.println(Json.write(d));
    try {
      Bundle.fromFiles(
          Map.of(
              "mail.yaml",
              """
        policies:
          - name: external-mail-asks
            match: {tools: ["email.*"]}
            when: >
              action.args.to.exists(r,
                !r.endsWith("@acme.example")) && action.agnet == "x"
            effect: ask
        """));
    } catch (BundleException e) {
      System.out.println(e.render());
    }
  }
}
