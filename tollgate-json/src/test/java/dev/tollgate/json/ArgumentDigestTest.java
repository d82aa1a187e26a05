package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/** The fast argument digest is byte for byte the digest of Jackson's canonical JSON. */
class ArgumentDigestTest {

  @Property(tries = 3000)
  void theFastDigestIsJacksonsDigest(@ForAll("args") Map<String, Object> args) throws Exception {
    boolean fast = ArgumentDigest.of(args) != null;
    Statistics.label("written without Jackson").collect(fast);
    assertThat(ApiJson.digest(args, true)).isEqualTo(ApiJson.digest(args, false));
    Statistics.label("written without Jackson")
        .coverage(cov -> cov.check(true).percentage(p -> p > 50));
  }

  @Test
  void whatItDoesNotWriteExactlyGoesToJackson() throws Exception {
    assertThat(ArgumentDigest.of(Map.of("amount", 12.5))).isNull();
    assertThat(ArgumentDigest.of(Map.of("emoji", "\uD83D\uDE00"))).isNull();
    assertThat(ArgumentDigest.of(Map.of("lone", "is this?\uD800 a question?"))).isNull();
    assertThat(ArgumentDigest.of(Map.of("q", "is this a question? yes it is, quite long")))
        .isNotNull();
    TreeMap<String, Object> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
    reversed.put("a", 1);
    reversed.put("b", 2);
    assertThat(ArgumentDigest.of(Map.of("m", reversed))).isNull();
    assertThat(ApiJson.digest(Map.of("m", reversed)))
        .isEqualTo(ApiJson.digest(Map.of("m", reversed), false));
    assertThat(ArgumentDigest.of(Map.of("to", List.of("a@b.example"), "n", 3L))).isNotNull();
    Map<String, Object> twice = new java.util.IdentityHashMap<>();
    twice.put(new String("a"), 1);
    twice.put(new String("a"), 2);
    assertThat(ArgumentDigest.of(twice)).isNull();
  }

  /**
   * A digest reuses its buffer, digest, key arrays and a character chunk: what one costs is the
   * digest itself and its text and the iterators over maps; no copy of any string or number text
   * (measured: see the printed line). The least of five rounds, the first warming up, so that a
   * collection or compilation in one round does not count.
   */
  @Test
  void aDigestCopiesNoString() throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    long text = 0;
    for (int i = 0; i < 20; i++) {
      String mail = "person" + i + "@vendor.example";
      args.put("field" + i, List.of(mail, (long) i * 1000, Map.of("n", "INV-" + i, "paid", true)));
      text += mail.length() + ("field" + i).length() + ("INV-" + i).length() + 5;
    }
    args.put("body", "A long body of a mail, the kind of text every decision digests. ".repeat(40));
    text += 40 * 64;
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().threadId();
    int n = 20_000;
    long perDigest = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < n; i++) {
        ApiJson.digest(args);
      }
      long measured = (threads.getThreadAllocatedBytes(id) - before) / n;
      if (round > 0) {
        perDigest = Math.min(perDigest, measured);
      }
    }
    System.out.printf("digest of 101 strings (%d chars): %d B%n", text, perDigest);
    // the digest and its hex text, and the key set and iterator of each of the 21 maps (about
    // 1,250 bytes); a copy of the strings alone would add over 4,000
    assertThat(perDigest).isLessThan(1_600);
  }

  @Provide
  Arbitrary<Map<String, Object>> args() {
    return Arbitraries.maps(keys(), value(3)).ofMaxSize(5);
  }

  private static Arbitrary<String> keys() {
    return Arbitraries.oneOf(
        Arbitraries.of("to", "body", "Body", "b", "a", "", "é", "z\n"), text());
  }

  /** Text as arguments hold it, with the characters JSON escapes and some it does not. */
  private static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(30),
        Arbitraries.strings()
            .withChars("aZ09 ?\uD800\uDC00\"\\/\n\r\t\b\f\u0000\u001f\u007f\u0080éü€\u2028\uFEFF")
            .ofMaxLength(30),
        Arbitraries.strings().withCharRange('\u0000', '\uFFFF').ofMaxLength(12));
  }

  private static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> leaf =
        Arbitraries.oneOf(
            text().map(s -> (Object) s),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just(null),
            Arbitraries.doubles().map(d -> (Object) d));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<Object> list = value(depth - 1).list().ofMaxSize(4).map(l -> (Object) l);
    Arbitrary<Object> map =
        Arbitraries.maps(keys(), value(depth - 1))
            .ofMaxSize(4)
            .map(m -> (Object) new LinkedHashMap<>(m));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, leaf),
        net.jqwik.api.Tuple.of(2, list),
        net.jqwik.api.Tuple.of(2, map));
  }
}
