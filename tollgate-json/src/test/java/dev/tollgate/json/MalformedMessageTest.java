package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/**
 * A malformed body's error quotes the character the parser stopped at: never as an unpaired
 * surrogate, which would make the error answer itself text a strict reader refuses (a fuzzing
 * finding of RequestFuzzTest).
 */
class MalformedMessageTest {

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aLoneSurrogateWhereAValueShouldStartIsQuotedEscaped() {
    for (Object body :
        new Object[] {
          "\n\uDB40", new byte[] {'\n', (byte) 0xED, (byte) 0xAD, (byte) 0x80}, "{\"a\": \uDC00}"
        }) {
      InputException e =
          catchThrowableOfType(
              InputException.class,
              () -> {
                if (body instanceof String s) {
                  ApiJson.readTree(s);
                } else {
                  ApiJson.readTree((byte[]) body);
                }
              });
      assertThat(e).isNotNull();
      assertThat(hasLoneSurrogate(e.getMessage())).as(e.getMessage()).isFalse();
      assertThat(e.getMessage()).containsAnyOf("malformed JSON", "not valid UTF-8");
    }
  }

  @Test
  void pairedSurrogatesStayAsTheyAre() {
    assertThat(ApiJson.noLoneSurrogates("a \uD83D\uDE00 b")).isEqualTo("a \uD83D\uDE00 b");
    assertThat(ApiJson.noLoneSurrogates("x\uDB40y")).isEqualTo("x\\udb40y");
  }
}
