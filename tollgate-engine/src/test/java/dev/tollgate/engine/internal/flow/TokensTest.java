package dev.tollgate.engine.internal.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void tokensAreWhatAPersonCopies() {
    assertThat(
            tokens(
                "Mail ap@globex.example re INV-4471: 12,400.00 EUR, see https://x.example/a?b=1."))
        .containsExactly(
            "mail",
            "ap@globex.example",
            "re",
            "inv-4471",
            "12,400.00",
            "eur",
            "see",
            "https://x.example/a?b=1");
  }

  @Test
  void distinctiveTokensAreIdsAmountsAddressesAndUrls() {
    Tokens.Runs runs =
        new Tokens.Runs().of("inv-4471 2026 12,400.00 ab12 abc1 the a@b.c https://x 99");
    List<Boolean> distinctive = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      distinctive.add(runs.distinctive(i));
    }
    assertThat(distinctive)
        .containsExactly(true, false, true, true, true, false, true, true, false);
  }

  /** The one-pass flags must say what the definition says, for any text. */
  @Property(tries = 2000)
  void runsAgreeWithTheDefinition(
      @ForAll
          @StringLength(max = 80)
          @Chars({'@', ':', '/', '.', ',', '-', ' ', '_', '?', '=', '1', '2', '0', '9'})
          @CharRange(from = 'a', to = 'e')
          String s) {
    Tokens.Runs runs = new Tokens.Runs().of(s);
    List<String> expected = new ArrayList<>();
    split(s, (t, from, to) -> expected.add(from + ":" + to + ":" + distinctive(t, from, to)));
    List<String> actual = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      actual.add(runs.from(i) + ":" + runs.to(i) + ":" + runs.distinctive(i));
    }
    assertThat(actual).isEqualTo(expected);
  }

  private static List<String> tokens(String text) {
    String folded = dev.tollgate.engine.internal.scan.Fold.fold(text);
    Tokens.Runs runs = new Tokens.Runs().of(folded);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      out.add(folded.substring(runs.from(i), runs.to(i)));
    }
    return out;
  }

  // The definition, written the plain way: Runs must agree with it.

  @FunctionalInterface
  private interface Sink {
    void token(String text, int from, int to);
  }

  private static void split(String s, Sink sink) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      while (i < n && !Tokens.alnum(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        return;
      }
      int start = i;
      while (i < n) {
        char c = s.charAt(i);
        if (Tokens.alnum(c)) {
          i++;
        } else if (c == ':' && s.startsWith("://", i) && alnumAt(s, i + 3)) {
          i += 3;
        } else if (c == ','
            ? digitAt(s, i - 1) && digitAt(s, i + 1)
            : Tokens.joins(c) && alnumAt(s, i + 1)) {
          i++;
        } else {
          break;
        }
      }
      sink.token(s, start, i);
    }
  }

  private static boolean alnumAt(String s, int i) {
    return i < s.length() && Tokens.alnum(s.charAt(i));
  }

  private static boolean digitAt(String s, int i) {
    return i >= 0 && i < s.length() && Tokens.isDigit(s.charAt(i));
  }

  /**
   * Distinctive: an id or amount of at least four characters with a digit (not a bare year), an
   * address or a URL.
   */
  private static boolean distinctive(String s, int from, int to) {
    int len = to - from;
    boolean digit = false;
    boolean allDigits = true;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (Tokens.isDigit(c)) {
        digit = true;
      } else {
        allDigits = false;
        if (c == '@') {
          return len >= 5;
        }
        if (c == ':' && i + 2 < to && s.charAt(i + 1) == '/' && s.charAt(i + 2) == '/') {
          return true;
        }
      }
    }
    if (!digit || len < 4) {
      return false;
    }
    boolean year = allDigits && len == 4 && (s.startsWith("19", from) || s.startsWith("20", from));
    return !year;
  }

  /** Folding while splitting gives what folding first and then splitting gives. */
  @Property(tries = 1000)
  void foldingWhileSplittingIsFoldingThenSplitting(
      @ForAll
          @Chars({'a', 'Z', '4', '-', '@', '.', ' ', ',', ':', '/', 'É', 'е', '\u200b', 'Σ'})
          @StringLength(max = 60)
          String raw) {
    Tokens.Runs fused = new Tokens.Runs().fold(raw);
    String folded = dev.tollgate.engine.internal.scan.Fold.fold(raw);
    Tokens.Runs reference = new Tokens.Runs().of(folded);
    assertThat(fused.text()).isEqualTo(folded);
    assertThat(fused.size()).isEqualTo(reference.size());
    for (int t = 0; t < reference.size(); t++) {
      assertThat(fused.from(t)).isEqualTo(reference.from(t));
      assertThat(fused.to(t)).isEqualTo(reference.to(t));
      assertThat(fused.distinctive(t)).isEqualTo(reference.distinctive(t));
    }
  }
}
