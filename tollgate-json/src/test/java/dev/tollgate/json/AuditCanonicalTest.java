package dev.tollgate.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.Checkpoint;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The canonical encoding moved without changing a byte: it equals the store's old {@code
 * AuditChain} ({@link LegacyAuditChain}) on the store's test fixtures and on generated entries, and
 * reproduces the entries and hashes of an audit log written by the old code.
 */
class AuditCanonicalTest {

  /** The entries of {@code AuditVerifierTest} in the store, as built there. */
  static AuditEntry verifierFixture(int i) {
    return new AuditEntry(
        Instant.parse("2026-01-01T00:00:00Z").plusMillis(i),
        AuditEntry.Kind.DECISION,
        "bot",
        "alice@acme.example",
        "s-1",
        "email.send",
        i % 2 == 0 ? Effect.ALLOW : Effect.DENY,
        "d-" + i,
        List.of(new Reason("p", "message \"" + i + "\"\n")),
        List.of(new Finding("iban", "financial", "/args/body", "DE89 •••• 3000")),
        "sha256:" + "ab".repeat(32),
        42,
        Map.of("n", (long) i, "x", 1.5, "nested", Map.of("b", List.of(true, "é")), "z", "end"));
  }

  @Test
  void theStoresFixturesEncodeAndHashAsBefore() {
    String prev = AuditCanonical.GENESIS;
    for (int i = 1; i <= 20; i++) {
      AuditEntry e = verifierFixture(i);
      assertThat(AuditCanonical.canonicalEntry(e)).isEqualTo(LegacyAuditChain.canonicalEntry(e));
      assertThat(AuditCanonical.hash(i, e, prev)).isEqualTo(LegacyAuditChain.hash(i, e, prev));
      assertThat(AuditCanonical.link(i, e, prev)).isEqualTo(LegacyAuditChain.link(i, e, prev));
      prev = AuditCanonical.hash(i, e, prev);
    }
    Checkpoint cp = new Checkpoint(20, prev, Instant.parse("2026-01-02T00:00:00Z"), "key", "sig");
    assertThat(AuditCanonical.canonicalCheckpoint(cp))
        .isEqualTo(LegacyAuditChain.canonicalCheckpoint(cp));
  }

  /**
   * {@code audit-96a9bcb.tsv}: seq, prevHash, hash and the stored entry of each record of an audit
   * log that the store wrote at 96a9bcb (every kind, escapes, big and odd numbers, the first and
   * last instants). Each entry reads back and encodes to the same text, and hashes to its hash.
   */
  @Test
  void anAuditLogWrittenBeforeTheMoveStillHashes() throws IOException {
    List<String> lines =
        Files.readAllLines(Path.of("src/test/resources/audit-96a9bcb.tsv"), StandardCharsets.UTF_8);
    assertThat(lines).hasSize(27);
    String prev = AuditCanonical.GENESIS;
    for (String line : lines) {
      String[] f = line.split("\t", 4);
      long seq = Long.parseLong(f[0]);
      assertThat(f[1]).as("prevHash of %d", seq).isEqualTo(prev);
      AuditEntry e = AuditCanonical.parseEntry(f[3]);
      assertThat(AuditCanonical.canonicalEntry(e)).as("entry %d", seq).isEqualTo(f[3]);
      assertThat(AuditCanonical.hashCanonical(seq, f[3], f[1])).isEqualTo(f[2]);
      assertThat(AuditCanonical.hash(seq, e, f[1])).as("hash of %d", seq).isEqualTo(f[2]);
      assertThat(e).isEqualTo(LegacyAuditChain.parseEntry(f[3]));
      prev = f[2];
    }
  }

  @Property(tries = 500)
  void generatedEntriesEncodeHashAndReadBackAsBefore(@ForAll("entries") AuditEntry e) {
    String canonical = AuditCanonical.canonicalEntry(e);
    assertThat(canonical).isEqualTo(LegacyAuditChain.canonicalEntry(e));
    assertThat(AuditCanonical.hash(7, e, AuditCanonical.GENESIS))
        .isEqualTo(LegacyAuditChain.hash(7, e, LegacyAuditChain.GENESIS));
    assertThat(AuditCanonical.parseEntry(canonical))
        .isEqualTo(LegacyAuditChain.parseEntry(canonical));
    assertThat(AuditCanonical.canonicalEntry(AuditCanonical.parseEntry(canonical)))
        .isEqualTo(canonical);
  }

  /**
   * The fast reading of a stored time gives what {@link Instant#parse} gives, or fails as it does.
   */
  @Property(tries = 2000)
  void parseTimeReadsWhatTimeWritesAndOtherwiseAgreesWithInstantParse(
      @ForAll("instants") Instant instant, @ForAll("timeLike") String text) {
    String written = AuditCanonical.time(instant);
    assertThat(AuditCanonical.parseTime(written))
        .isEqualTo(instant)
        .isEqualTo(Instant.parse(written));
    Instant expected;
    try {
      expected = Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuditCanonical.parseTime(text))
          .isInstanceOf(java.time.format.DateTimeParseException.class);
      return;
    }
    assertThat(AuditCanonical.parseTime(text)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs()
        .between(-62167219200L, 253402300799L)
        .flatMap(
            s ->
                Arbitraries.integers()
                    .between(0, 999_999_999)
                    .map(n -> Instant.ofEpochSecond(s, n)));
  }

  /** Texts shaped like a stored time, with fields that are often out of range or not digits. */
  @Provide
  Arbitrary<String> timeLike() {
    Arbitrary<String> two = Arbitraries.strings().withChars("0123456789").ofLength(2);
    Arbitrary<String> field =
        Arbitraries.oneOf(
            two,
            Arbitraries.of(
                "00", "12", "13", "23", "24", "29", "30", "31", "59", "60", "99", "1a", " 1"));
    return Combinators.combine(
            Arbitraries.of("2024", "2023", "1900", "2000", "0000", "9999", "20x4"),
            field,
            field,
            field,
            field,
            field,
            Arbitraries.strings().withChars("0123456789").ofLength(9),
            Arbitraries.of("Z", "Z", "Z", "z", "+"))
        .as(
            (y, mo, d, h, mi, se, n, z) ->
                y + "-" + mo + "-" + d + "T" + h + ":" + mi + ":" + se + "." + n + z);
  }

  @Provide
  Arbitrary<AuditEntry> entries() {
    Arbitrary<String> text = text();
    Arbitrary<String> maybe = Arbitraries.oneOf(text, Arbitraries.just(null));
    Arbitrary<Instant> time =
        Arbitraries.longs()
            .between(-62167219200L, 253402300799L)
            .flatMap(
                s ->
                    Arbitraries.integers()
                        .between(0, 999_999_999)
                        .map(n -> Instant.ofEpochSecond(s, n)));
    Arbitrary<List<Reason>> reasons =
        Combinators.combine(text, text).as(Reason::new).list().ofMaxSize(3);
    Arbitrary<List<Finding>> findings =
        Combinators.combine(maybe, maybe, maybe, maybe).as(Finding::new).list().ofMaxSize(3);
    Arbitrary<Map<String, Object>> detail =
        // an entry copies its detail with Map.copyOf: no null at the top level
        Arbitraries.maps(text, value(3).filter(v -> v != null))
            .ofMaxSize(5)
            .map(LinkedHashMap::new);
    Arbitrary<Tuple.Tuple6<Instant, AuditEntry.Kind, String, String, String, String>> head =
        Combinators.combine(time, Arbitraries.of(AuditEntry.Kind.class), maybe, maybe, maybe, maybe)
            .as(Tuple::of);
    return Combinators.combine(
            head,
            Arbitraries.oneOf(Arbitraries.of(Effect.class), Arbitraries.just(null)),
            maybe,
            reasons,
            findings,
            maybe,
            Arbitraries.longs(),
            detail)
        .as(
            (h, effect, decision, r, f, digest, latency, d) ->
                new AuditEntry(
                    h.get1(), h.get2(), h.get3(), h.get4(), h.get5(), h.get6(), effect, decision, r,
                    f, digest, latency, d));
  }

  static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(12),
        Arbitraries.strings()
            .withChars("aZ \"\\/\n\r\t\b\f\u0000\u001f\u007f\u0080é€\u2028\uD83D\uDE00")
            .ofMaxLength(12),
        Arbitraries.strings().withCharRange('\u0000', '\uFFFF').ofMaxLength(8));
  }

  /** JSON values as embedders hand them in: every number type the encoding accepts. */
  private static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> leaf =
        Arbitraries.oneOf(
            text().map(s -> (Object) s),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.shorts().map(s -> (Object) s),
            Arbitraries.bigIntegers()
                .between(BigInteger.TEN.pow(19).negate(), BigInteger.TEN.pow(30))
                .map(b -> (Object) b),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.floats().map(f -> (Object) f),
            Arbitraries.bigDecimals()
                .between(BigDecimal.valueOf(-1e9), BigDecimal.valueOf(1e9))
                .map(b -> (Object) b),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just(null));
    if (depth == 0) {
      return leaf;
    }
    return Arbitraries.frequencyOf(
        Tuple.of(6, leaf),
        Tuple.of(2, value(depth - 1).list().ofMaxSize(3).map(l -> (Object) l)),
        Tuple.of(
            2,
            Arbitraries.maps(text(), value(depth - 1))
                .ofMaxSize(3)
                .map(m -> (Object) new LinkedHashMap<>(m))));
  }
}
