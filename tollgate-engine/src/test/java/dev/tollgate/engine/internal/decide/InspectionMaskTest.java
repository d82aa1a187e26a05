package dev.tollgate.engine.internal.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.scan.Detectors;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * What policies render from the arguments is shown with every flagged value masked; the one-pass
 * replacement that does it equals the obvious position-by-position one.
 */
class InspectionMaskTest {

  @Test
  void aMessageQuotingFlaggedArgumentsShowsThemMasked() throws ScanLimitException {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("to", List.of("carol.ng@acme.example", "j.doe@gmail.example"));
    args.put("subject", "Invoice INV-2024-0042");
    Inspection inspection =
        Inspection.of(Detectors.builtIn(), ToolSpec.unknown("mail.send"), args, null);

    String masked =
        inspection.mask("mail to carol.ng@acme.example, j.doe@gmail.example about INV-2024-0042");

    assertThat(masked)
        .doesNotContain("carol.ng@acme.example")
        .doesNotContain("j.doe@gmail.example")
        .doesNotContain("2024-0042")
        .startsWith("mail to c•••@acme.example, j•••@gmail.example about ");
    assertThat(inspection.mask("nothing flagged here")).isEqualTo("nothing flagged here");
  }

  @Property(tries = 2000)
  void oneStringPassEqualsThePositionByPositionReplacement(
      @ForAll("texts") String text, @ForAll("needles") List<String> needles) {
    String[] texts =
        needles.stream()
            .distinct()
            .sorted((a, b) -> Integer.compare(b.length(), a.length()))
            .toArray(String[]::new);
    String[] replacements =
        Arrays.stream(texts).map(t -> "[" + t.length() + "•]").toArray(String[]::new);

    assertThat(Inspection.replaceAll(text, texts, replacements))
        .isEqualTo(reference(text, texts, replacements));
  }

  private static String reference(String text, String[] texts, String[] replacements) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int k = 0;
      while (k < texts.length && !text.startsWith(texts[k], i)) {
        k++;
      }
      if (k == texts.length) {
        out.append(text.charAt(i++));
      } else {
        out.append(replacements[k]);
        i += texts[k].length();
      }
    }
    return out.toString();
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().withChars("ab@.é ").ofMaxLength(40);
  }

  @Provide
  Arbitrary<List<String>> needles() {
    return Arbitraries.strings()
        .withChars("ab@.é ")
        .ofMinLength(1)
        .ofMaxLength(5)
        .list()
        .ofMaxSize(5);
  }
}
