package dev.tollgate.engine.internal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The hand-written checks on the scanner's hot path agree with the library code they replace: the
 * UTF-8 check with a strict decoder and the base64 decoder with the JDK's (base64 runs), the date
 * check with the regex it replaced (announced numbers).
 */
class Utf8AndDatesTest {
  private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  @Property(tries = 3000)
  void theUtf8CheckAcceptsWhatAStrictDecoderAccepts(@ForAll("bytes") byte[] bytes) {
    assertThat(Detectors.isWellFormedUtf8(bytes)).isEqualTo(strictlyDecodes(bytes));
  }

  @Property(tries = 1000)
  void encodedTextIsWellFormed(@ForAll String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    assertThat(Detectors.isWellFormedUtf8(bytes)).isEqualTo(strictlyDecodes(bytes));
  }

  @Property(tries = 3000)
  void theDateCheckEqualsTheRegex(@ForAll("dateLike") String s) {
    String padded = "x" + s + "y";
    assertThat(Words.AnnouncedNumber.isIsoDate(padded, 1, 1 + s.length()))
        .isEqualTo(ISO_DATE.matcher(s).matches());
  }

  @Property(tries = 3000)
  void theBase64DecoderDecodesAsTheJdksDoes(@ForAll("base64Runs") String run) {
    boolean url = run.indexOf('-') >= 0 || run.indexOf('_') >= 0;
    String body = run.length() % 4 == 1 ? run.substring(0, run.length() - 1) : run;
    byte[] expected;
    try {
      expected =
          url
              ? java.util.Base64.getUrlDecoder().decode(body)
              : java.util.Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      expected = null;
    }
    byte[] out = new byte[body.length()];
    int n =
        Detectors.base64(
            body, 0, body.length(), url ? Detectors.URL_BASE64 : Detectors.BASE64_VALUES, out);
    if (expected == null) {
      assertThat(n).isEqualTo(-1);
    } else {
      assertThat(java.util.Arrays.copyOf(out, n)).isEqualTo(expected);
    }
  }

  @Provide
  Arbitrary<String> base64Runs() {
    return Arbitraries.strings()
        .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
        .ofMinLength(0)
        .ofMaxLength(40);
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    // Mostly bytes around the UTF-8 boundaries, where a hand-written check goes wrong.
    Arbitrary<Byte> edgy =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.bytes()),
            net.jqwik.api.Tuple.of(
                5,
                Arbitraries.of(
                        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                        0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5,
                        0xFF)
                    .map(Integer::byteValue)));
    return edgy.array(byte[].class).ofMaxSize(12);
  }

  @Provide
  Arbitrary<String> dateLike() {
    return Arbitraries.strings().withChars("0123456789-a٣").ofMinLength(8).ofMaxLength(12);
  }

  private static boolean strictlyDecodes(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
