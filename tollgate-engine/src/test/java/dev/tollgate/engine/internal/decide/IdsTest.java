package dev.tollgate.engine.internal.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {
  private static final String CROCKFORD = "[0-9A-HJKMNP-TV-Z]";

  @Test
  void layoutIsPrefixPlus26CrockfordCharacters() {
    assertThat(Ids.next("dec_", 0)).matches("dec_" + CROCKFORD + "{26}");
    assertThat(Ids.unguessable("ses_", 1_700_000_000_000L)).matches("ses_" + CROCKFORD + "{26}");
  }

  @Test
  void timePartEncodesMillisecondsBigEndian() {
    assertThat(Ids.next("", 0).substring(0, 10)).isEqualTo("0000000000");
    assertThat(Ids.next("", 1).substring(0, 10)).isEqualTo("0000000001");
    assertThat(Ids.next("", 32).substring(0, 10)).isEqualTo("0000000010");
    assertThat(Ids.next("", (1L << 48) - 1).substring(0, 10)).isEqualTo("7ZZZZZZZZZ");
  }

  @Test
  void idsSortByTime() {
    String earlier = Ids.next("dec_", 1_700_000_000_000L);
    String later = Ids.next("dec_", 1_700_000_000_001L);
    assertThat(earlier.substring(0, 14)).isLessThan(later.substring(0, 14));
    assertThat(Ids.next("", 1_000).compareTo(Ids.next("", 2_000_000))).isNegative();
  }

  @Test
  void idsAreUniqueWithinOneMillisecond() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(Ids.next("", 42))).isTrue();
      assertThat(seen.add(Ids.unguessable("", 42))).isTrue();
    }
  }
}
