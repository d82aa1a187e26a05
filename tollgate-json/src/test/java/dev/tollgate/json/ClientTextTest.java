package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** A client's text quoted back is bounded and cannot forge a line or hide what it is. */
class ClientTextTest {

  @Test
  void printableTextIsQuotedAsIs() {
    assertThat(ClientText.shown("grant-42 ✓ 😀")).isEqualTo("grant-42 ✓ 😀");
    assertThat(ClientText.shown(null)).isEmpty();
  }

  @Test
  void controlCharactersAndLoneSurrogatesAreEscaped() {
    assertThat(ClientText.shown("a\nb\r\u0000\u2028\ud800z"))
        .isEqualTo("a\\u000ab\\u000d\\u0000\\u2028\\ud800z");
  }

  @Test
  void longTextIsCutAtTheLimit() {
    String shown = ClientText.shown("x".repeat(10_000));
    assertThat(shown).hasSize(ClientText.MAX_SHOWN + 1).endsWith("x…");
  }

  @Property(tries = 2000)
  void neverALineBreakAndNeverLong(@ForAll String text) {
    String shown = ClientText.shown(text);
    assertThat(shown).doesNotContain("\n", "\r", "\u2028", "\u2029");
    // MAX_SHOWN code points, each at most a six-character escape, then the ellipsis.
    assertThat(shown.length()).isLessThanOrEqualTo(ClientText.MAX_SHOWN * 6 + 1);
  }
}
