package dev.tollgate.engine.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Effect;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyIndexTest {
  private static CompiledPolicy policy(
      String name, int order, List<String> agents, List<String> tools) {
    return new CompiledPolicy(
        name,
        null,
        agents == null ? null : agents.stream().map(Glob::of).toList(),
        tools == null ? null : tools.stream().map(Glob::of).toList(),
        null,
        null,
        Effect.DENY,
        null,
        "m",
        null,
        null,
        false,
        "f.yaml",
        1,
        order,
        List.of(),
        false);
  }

  private static List<String> names(CompiledPolicy[] candidates) {
    return Arrays.stream(candidates).map(CompiledPolicy::name).toList();
  }

  private final List<CompiledPolicy> policies =
      List.of(
          policy("a-every", 0, null, null),
          policy("b-exact", 1, null, List.of("email.send", "email.send")),
          policy("c-pattern", 2, null, List.of("email.*")),
          policy("d-mixed", 3, null, List.of("pay", "files.*")),
          policy("e-agent", 4, List.of("bot-*"), List.of("email.send")),
          policy("f-exact-two", 5, List.of("human"), List.of("pay", "email.send")));

  @Test
  void candidatesAreExactlyTheMatchingPoliciesInOrder() {
    PolicyIndex index = new PolicyIndex(policies);
    assertThat(names(index.candidates("bot-a", "email.send")))
        .containsExactly("a-every", "b-exact", "c-pattern", "e-agent");
    assertThat(names(index.candidates("human", "email.send")))
        .containsExactly("a-every", "b-exact", "c-pattern", "f-exact-two");
    assertThat(names(index.candidates("human", "pay")))
        .containsExactly("a-every", "d-mixed", "f-exact-two");
    assertThat(names(index.candidates("bot-a", "files.rm"))).containsExactly("a-every", "d-mixed");
    assertThat(names(index.candidates("x", "nothing"))).containsExactly("a-every");
  }

  @Test
  void emptyIndexHasNoCandidates() {
    assertThat(new PolicyIndex(List.of()).candidates("a", "t")).isEmpty();
  }

  @Test
  void cachedAnswersEqualFreshOnes() {
    PolicyIndex index = new PolicyIndex(policies);
    CompiledPolicy[] first = index.candidates("bot-a", "email.send");
    CompiledPolicy[] second = index.candidates("bot-a", "email.send");
    assertThat(second).isSameAs(first);
    assertThat(names(index.candidates("bot-b", "email.send")))
        .containsExactly("a-every", "b-exact", "c-pattern", "e-agent");
  }

  @Test
  void beyondTheCacheBoundAnswersStayCorrect() {
    PolicyIndex index = new PolicyIndex(policies);
    List<String> last = new ArrayList<>();
    for (int i = 0; i < 20_100; i++) {
      last = names(index.candidates("agent-" + i, "email.send"));
    }
    assertThat(last).containsExactly("a-every", "b-exact", "c-pattern");
    assertThat(names(index.candidates("bot-z", "email.send")))
        .containsExactly("a-every", "b-exact", "c-pattern", "e-agent");
  }
}
