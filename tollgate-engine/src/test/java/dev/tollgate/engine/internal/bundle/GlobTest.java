package dev.tollgate.engine.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
    "email.send, email.send, true",
    "email.send, email.sendx, false",
    "email.*, email.send, true",
    "email.*, email., true",
    "email.*, email, false",
    "email.*, emailXsend, false",
    "*, '', true",
    "*, a.b.c, true",
    "*.delete, files.delete, true",
    "*.delete, files.deleted, false",
    "?ay, pay, true",
    "?ay, ay, false",
    "?ay, play, false",
    "a*b*c, abc, true",
    "a*b*c, aXXbYYc, true",
    "a*b*c, acb, false",
    "a.b, aXb, false",
    "(x)+, (x)+, true",
    "(x)+, xx, false",
    "[ab]*, [ab]z, true",
    "[ab]*, az, false",
    "\\Q*, \\Qz, true",
    "x$, x$, true",
  })
  void matches(String pattern, String name, boolean expected) {
    assertThat(Glob.of(pattern).matches(name)).isEqualTo(expected);
  }

  @Test
  void starMatchesNewlinesToo() {
    assertThat(Glob.of("a*").matches("a\nb")).isTrue();
  }

  @Test
  void exactPatternsHaveNoRegex() {
    assertThat(Glob.of("email.send").exact()).isTrue();
    assertThat(Glob.of("email.*").exact()).isFalse();
    assertThat(Glob.of("?").exact()).isFalse();
    assertThat(Glob.isWildcard("a.b")).isFalse();
    assertThat(Glob.isWildcard("a*")).isTrue();
  }
}
