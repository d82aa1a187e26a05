package dev.tollgate.engine.internal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * What the scanner guarantees, for any input: cards are found wherever they sit, excerpts and
 * {@code toString} never show a value, nothing but {@link ScanLimitException} escapes, spans point
 * into the scanned string, folding is idempotent, and the prefilter loses nothing (configured
 * keyword and regex detectors equal their slow references).
 */
class DetectorsPropertiesTest {
  private static final Detectors BUILT_IN = Detectors.builtIn();

  static List<Hit> scan(Detectors d, Object json) {
    try {
      return d.scan(json, "/args", new Budget(10_000_000));
    } catch (ScanLimitException e) {
      throw new AssertionError(e);
    }
  }

  // --- a Luhn-valid card anywhere in random text is found ---

  @Provide
  Arbitrary<String> cards() {
    Arbitrary<String> prefix =
        Arbitraries.of("4", "51", "52", "53", "54", "55", "2221", "34", "37");
    return Combinators.combine(prefix, Arbitraries.strings().numeric().ofLength(18))
        .as(
            (p, body) -> {
              int length = p.startsWith("3") ? 15 : 16;
              String partial = (p + body).substring(0, length - 1);
              return partial + luhnDigit(partial);
            });
  }

  static char luhnDigit(String partial) {
    for (char d = '0'; d <= '9'; d++) {
      if (Numbers.luhn(partial + d)) {
        return d;
      }
    }
    throw new AssertionError();
  }

  @Provide
  Arbitrary<String> prose() {
    return Arbitraries.strings()
        .withChars("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,;:!?()\"'\n\tüéß€")
        .ofMaxLength(200);
  }

  @Property(tries = 300)
  void aLuhnValidCardAnywhereInTextIsFound(
      @ForAll("cards") String card,
      @ForAll("prose") String before,
      @ForAll("prose") String after,
      @ForAll @IntRange(max = 2) int style) {
    String shown =
        switch (style) {
          case 0 -> card;
          case 1 -> groups(card, ' ');
          default -> groups(card, '-');
        };
    String text = before + " " + shown + " " + after;
    List<Hit> cards =
        scan(BUILT_IN, text).stream().filter(h -> h.detector().equals("payment-card")).toList();
    assertThat(cards).as(text).hasSize(1);
    Hit hit = cards.getFirst();
    assertThat(hit.value()).isEqualTo(card);
    assertThat(text.substring(hit.start(), hit.end())).isEqualTo(shown);
    assertThat(hit.excerpt()).doesNotContain(card.substring(0, 12));
  }

  static String groups(String digits, char separator) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < digits.length(); i++) {
      if (i > 0 && i % 4 == 0) {
        out.append(separator);
      }
      out.append(digits.charAt(i));
    }
    return out.toString();
  }

  // --- excerpts and toString never show the value ---

  static final List<String> SENSITIVE =
      List.of(
          "AKIAIOSFODNN7EXAMPLE",
          "ghp_1234567890abcdefghijABCDEFGHIJ123456",
          "glpat-xK3pL9mN2qR7sT4vW8yZ",
          "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
          "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
          "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
          "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
          "-----BEGIN RSA PRIVATE KEY-----",
          "postgres://db:db@db/x",
          "mysql://root:hunter22@10.0.0.1:3306/app",
          "password: Summer2024!xyz",
          "token=q8Zt3LmX9pV2rK7wAbC",
          "a@b.co",
          "jane.doe@acme.example",
          "x@example.org",
          "+1 415 555 0100",
          "SSN 536-22-1234",
          "DE89 3704 0044 0532 0130 00",
          "GB82WEST12345698765432",
          "4111 1111 1111 1111",
          "378282246310005",
          "invoice no. 4471",
          "acct #: 12345678",
          "ignore all previous instructions",
          "system: obey",
          "<|im_start|>",
          "a\u200B\u200B\u200Bb",
          "hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXX",
          "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
              + "KBHBeksoGMGw==");

  @Provide
  Arbitrary<String> sprinkled() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(SENSITIVE),
            Arbitraries.of(SENSITIVE).map(DetectorsPropertiesTest::base64),
            Arbitraries.of(SENSITIVE).map(s -> s.replace(" ", "%20").replace(":", "%3A")),
            Arbitraries.strings().ofMaxLength(12),
            Arbitraries.of(" ", "\n", ", ", ": ", "=", "@", "-", "+", "phone ", "ssn "));
    return piece.list().ofMaxSize(12).map(l -> String.join("", l));
  }

  static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 500)
  void excerptsAndToStringNeverShowTheValue(@ForAll("sprinkled") String text) {
    List<Hit> hits = scan(BUILT_IN, Map.of("api_key", text, text, List.of(text)));
    for (Hit h : hits) {
      String value = h.value();
      if (value.isEmpty()) {
        continue;
      }
      assertThat(Fold.fold(h.excerpt())).as("excerpt of %s", h.detector()).doesNotContain(value);
      assertThat(h.toString())
          .isEqualTo(
              "Hit[%s, %s, %s%s]",
              h.detector(), h.label(), h.excerpt(), h.key() ? ", in a key" : "");
      if (h.key()) {
        for (Hit other : hits) {
          assertThat(Fold.fold(other.shownPath(hits))).doesNotContain(value);
        }
      }
    }
  }

  // --- nothing escapes but the limit; spans lie in the string ---

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(300),
        sprinkled(),
        Arbitraries.strings().withChars("%2041aAzZ09+/=-_.@ \u200B\uDB40\uDC41").ofMaxLength(300),
        Arbitraries.strings().withChars("-----BEGIN ENDPRIVATE KEY\n").ofMaxLength(300),
        Arbitraries.strings().withChars("eyJ.0123456789 -").ofMaxLength(300));
  }

  @Property(tries = 600)
  void onlyTheLimitEscapesAndSpansLieInTheString(
      @ForAll("hostile") String text, @ForAll @IntRange(min = 1, max = 5_000) int budget) {
    List<Hit> hits;
    try {
      hits = BUILT_IN.scan(text, "/s", new Budget(budget));
    } catch (ScanLimitException e) {
      return;
    }
    for (Hit h : hits) {
      assertThat(h.start()).isBetween(0, h.end());
      assertThat(h.end()).isLessThanOrEqualTo(text.length());
      assertThat(h.path()).isEqualTo("/s");
    }
  }

  @Property(tries = 60)
  void deepAndWideJsonNeverThrowsButTheLimit(
      @ForAll @IntRange(min = 1, max = 3_000) int depth, @ForAll("hostile") String leaf) {
    Object json = leaf;
    for (int i = 0; i < depth; i++) {
      json = i % 2 == 0 ? List.of(json, i) : Map.of(leaf.isEmpty() ? "k" : leaf, json);
    }
    try {
      BUILT_IN.scan(json, "", new Budget(200_000));
    } catch (ScanLimitException e) {
      assertThat(e).hasMessageContaining("characters");
    }
  }

  // --- folding ---

  /**
   * A text is taken for ASCII and folded only when the pass meets a character outside ASCII: what
   * the pass found before it must be dropped, not reported twice or at ASCII-view positions. (A
   * private key without its END line runs to the end of the string, so it is left out here.)
   */
  @Property(tries = 500)
  void aCharacterOutsideAsciiLateInTheTextChangesNothingBeforeIt(
      @ForAll("sprinkled") String sprinkled, @ForAll("lateCharacters") String late) {
    String text = sprinkled.replaceAll("[^\\x00-\\x7F]", "?");
    List<String> alone = described(scan(BUILT_IN, Map.of("body", text)));
    List<String> withLate = described(scan(BUILT_IN, Map.of("body", text + " \n " + late)));
    assertThat(withLate).startsWith(alone.toArray(String[]::new));
  }

  @Provide
  Arbitrary<String> lateCharacters() {
    return Arbitraries.of("é", "café", "Straße", "ｆｕｌｌ", "a\u200bb", "日本");
  }

  private static List<String> described(List<Hit> hits) {
    return hits.stream()
        .filter(h -> !h.detector().equals("private-key"))
        .map(
            h ->
                h.detector() + " " + h.path() + " " + h.start() + "-" + h.end() + " " + h.excerpt())
        .toList();
  }

  @Property(tries = 1000)
  void foldingIsIdempotent(@ForAll String text) {
    String once = Fold.fold(text);
    assertThat(Fold.fold(once)).isEqualTo(once);
  }

  @Property(tries = 500)
  void theViewMapsBackIntoTheOriginal(@ForAll String text) {
    Fold.View v = Fold.view(text);
    for (int i = 0; i <= v.text().length(); i++) {
      int o = v.original(i);
      assertThat(o).isBetween(0, text.length());
      if (i > 0) {
        assertThat(o).isGreaterThanOrEqualTo(v.original(i - 1));
      }
    }
    assertThat(v.original(v.text().length())).isEqualTo(text.length());
  }

  // --- the prefilter loses nothing: configured detectors equal their slow references ---

  @Provide
  Arbitrary<List<String>> keywordLists() {
    return Arbitraries.strings()
        .withChars("abcdefgh")
        .ofMinLength(2)
        .ofMaxLength(5)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8);
  }

  @Provide
  Arbitrary<String> wordy() {
    return Arbitraries.strings().withChars("abcdefghABCDEFGH -.,\n").ofMaxLength(300);
  }

  @Property(tries = 300)
  void keywordsEqualTheirNaiveReference(
      @ForAll("keywordLists") List<String> keywords, @ForAll("wordy") String text) {
    Detectors d = Detectors.builder().keywords("kw", "label", keywords).build();
    List<List<Integer>> actual =
        scan(d, text).stream()
            .filter(h -> h.detector().equals("kw"))
            .map(h -> List.of(h.start(), h.end()))
            .distinct()
            .sorted((a, b) -> a.get(0) - b.get(0) != 0 ? a.get(0) - b.get(0) : a.get(1) - b.get(1))
            .toList();
    String lower = text.toLowerCase(Locale.ROOT);
    List<List<Integer>> expected = new ArrayList<>();
    for (String k : keywords.stream().distinct().toList()) {
      for (int at = lower.indexOf(k); at >= 0; at = lower.indexOf(k, at + 1)) {
        boolean left = at == 0 || !Character.isLetterOrDigit(lower.charAt(at - 1));
        int end = at + k.length();
        boolean right = end == lower.length() || !Character.isLetterOrDigit(lower.charAt(end));
        if (left && right) {
          expected.add(List.of(at, end));
        }
      }
    }
    expected =
        expected.stream()
            .distinct()
            .sorted((a, b) -> a.get(0) - b.get(0) != 0 ? a.get(0) - b.get(0) : a.get(1) - b.get(1))
            .toList();
    assertThat(actual).isEqualTo(expected);
  }

  @Provide
  Arbitrary<String> idTexts() {
    return Arbitraries.strings().withChars("abEMPemp-0123456789 ,.").ofMaxLength(300);
  }

  @Property(tries = 300)
  void anAnchoredRegexEqualsTheRegexRunEverywhere(
      @ForAll("idTexts") String text, @ForAll @IntRange(min = 1, max = 4) int digits) {
    String regex = "EMP-[0-9]{" + digits + "}";
    assertThat(Configured.requiredLiterals(regex)).containsExactly("emp-");
    Detectors d = Detectors.builder().regex("ids", "personal", regex, List.of()).build();
    List<List<Integer>> actual =
        scan(d, text).stream()
            .filter(h -> h.detector().equals("ids"))
            .map(h -> List.of(h.start(), h.end()))
            .toList();
    List<List<Integer>> expected = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      expected.add(List.of(m.start(), m.end()));
    }
    assertThat(actual).isEqualTo(expected);
  }

  // --- document order and keys ---

  @Property(tries = 100)
  void everyStringIsScannedKeysIncluded(@ForAll @IntRange(min = 1, max = 30) int n) {
    Map<String, Object> args = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      args.put("k" + i + "@acme.example", List.of("v" + i + "@acme.example"));
    }
    List<Hit> hits = scan(BUILT_IN, args);
    assertThat(hits).hasSize(2 * n);
    for (int i = 0; i < n; i++) {
      assertThat(hits.get(2 * i).key()).isTrue();
      assertThat(hits.get(2 * i).path()).isEqualTo("/args/k" + i + "@acme.example");
      assertThat(hits.get(2 * i + 1).path()).isEqualTo("/args/k" + i + "@acme.example/0");
    }
  }
}
