package dev.tollgate.engine.internal.scan;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Scan#namesSecret} remembers its answer per key: whatever it has remembered, and after its
 * memory is full, it answers as judging the key afresh does.
 */
class SecretKeyMemoTest {

  @Property(tries = 10_000)
  void theMemoAnswersAsAFreshJudgement(@ForAll("keys") String key) {
    String folded = Fold.fold(key);
    boolean fresh = Secrets.isSecretKey(folded) || Detectors.isAuthorizationKey(folded);
    assertThat(Scan.namesSecret(key)).isEqualTo(fresh);
    assertThat(Scan.namesSecret(key)).as("asked again, from memory").isEqualTo(fresh);
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<String> words =
        Arbitraries.of(
            "password",
            "API_KEY",
            "Authorization",
            "x-auth",
            "token",
            "to",
            "body",
            "Pass",
            "ｐａｓｓｗｏｒｄ",
            "secret",
            "amount",
            "auth",
            "basic-auth",
            "pwd",
            "bearer");
    Arbitrary<String> noise = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(6);
    // Mostly distinct keys: 10,000 tries fill the memory (4,096 keys) and go on past it.
    return Arbitraries.oneOf(
        words, Arbitraries.strings().ofMaxLength(12), noise.map(n -> n + "password" + n));
  }
}
