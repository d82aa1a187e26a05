package dev.tollgate.engine.internal.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void policyNames() {
    assertThat(Names.isPolicyName("external-mail.v2_x")).isTrue();
    assertThat(Names.isPolicyName("9lives")).isTrue();
    assertThat(Names.isPolicyName("a".repeat(128))).isTrue();
    assertThat(Names.isPolicyName("a".repeat(129))).isFalse();
    assertThat(Names.isPolicyName("")).isFalse();
    assertThat(Names.isPolicyName("-lead")).isFalse();
    assertThat(Names.isPolicyName("Upper")).isFalse();
    assertThat(Names.isPolicyName("with space")).isFalse();
    assertThat(Names.isPolicyName("profile:bot")).isFalse();
  }

  @Test
  void nearestWithinTwoEdits() {
    List<String> keys = List.of("name", "effect", "message", "mode");
    assertThat(Names.nearest("efect", keys)).isEqualTo("effect");
    assertThat(Names.nearest("mesage", keys)).isEqualTo("message");
    assertThat(Names.nearest("nmae", keys)).isEqualTo("name");
    assertThat(Names.nearest("colour", keys)).isNull();
    assertThat(Names.nearest("x", List.of())).isNull();
  }

  @Test
  void editDistance() {
    assertThat(Names.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Names.distance("", "abc")).isEqualTo(3);
    assertThat(Names.distance("same", "same")).isZero();
  }
}
