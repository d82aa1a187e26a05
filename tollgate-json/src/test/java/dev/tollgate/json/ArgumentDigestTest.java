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
   * A digest reuses its buffer, digest and key arrays: what one costs is the digest itself, its
   * text and a copy of each string as UTF-8 (measured: see the printed line).
   */
  @Test
  void aDigestAllocatesLittleMoreThanItsStrings() throws Exception {
    Map<String, Object> args = new LinkedHashMap<>();
    long text = 0;
    for (int i = 0; i < 20; i++) {
      String mail = "person" + i + "@vendor.example";
      args.put("field" + i, List.of(mail, (long) i * 1000, Map.of("n", "INV-" + i, "paid", true)));
      text += mail.length() + ("field" + i).length() + ("INV-" + i).length() + 5;
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().threadId();
    int n = 20_000;
    long perDigest = 0;
    for (int round = 0; round < 2; round++) { // the first round warms up
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < n; i++) {
        ApiJson.digest(args);
      }
      perDigest = (threads.getThreadAllocatedBytes(id) - before) / n;
    }
    // each string's UTF-8 copy: a 16-byte header, its bytes rounded up to 8
    long copies = 100 * 16 + text + 100 * 8;
    System.out.printf(
        "digest of %d strings (%d chars): %d B, of which UTF-8 copies about %d B%n",
        100, text, perDigest, copies);
    // the rest: iterators over the maps and lists, each number's text, the digest and its hex
    assertThat(perDigest - copies).isLessThan(1_500);
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
