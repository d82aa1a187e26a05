package dev.tollgate.engine.internal.scan;

import static dev.tollgate.engine.internal.scan.DetectorsTest.detectors;
import static dev.tollgate.engine.internal.scan.DetectorsTest.scan;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An AWS secret access key has no prefix: it is found by its context, and masked whole. */
class AwsSecretKeyTest {
  private static final String KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Tk2Lm9d";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "aws_secret_access_key = " + KEY,
        "AWS_SECRET_ACCESS_KEY=" + KEY,
        "the secret access key is " + KEY + ", keep it safe",
        "creds: AKIAIOSFODNN7EXAMPLE " + KEY,
        KEY + " goes with ASIAY34FZKBOKMUTVV7A",
        "{\"AccessKeyId\":\"AKIA2E0A8F3B244C9986\",\"SecretAccessKey\":\"" + KEY + "\"}"
      })
  void foundInContext(String text) {
    List<Hit> hits =
        scan(text).stream().filter(h -> h.detector().equals("aws-secret-key")).toList();
    assertThat(hits).as(text).hasSize(1);
    Hit hit = hits.getFirst();
    assertThat(text.substring(hit.start(), hit.end())).isEqualTo(KEY);
    assertThat(hit.excerpt()).isEqualTo(Secrets.MASK);
    assertThat(hit.toString()).doesNotContain(KEY.substring(0, 10));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // the same key without any context
        "here it is: " + KEY,
        // a git SHA after a key id, lower-case hex
        "AKIAIOSFODNN7EXAMPLE commit 3f786850e387550fdab836ed7e6dc881de23001b",
        // a base64 SHA-256 (44 characters with padding) near the word
        "aws secret rotated, digest 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        // a long word-like run
        "secret access key: AbcdefghijAbcdefghijAbcdefghijAbcdefghij",
        // 41 characters is not a key
        "aws_secret_access_key=" + KEY + "x"
      })
  void ignoresLookAlikes(String text) {
    assertThat(detectors(text)).as(text).doesNotContain("aws-secret-key");
  }
}
