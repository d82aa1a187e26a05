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
    Tokens.split(
        s, (t, from, to) -> expected.add(from + ":" + to + ":" + Tokens.distinctive(t, from, to)));
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
}
