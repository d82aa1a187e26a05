package dev.tollgate.engine.internal.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.engine.internal.scan.Hit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the user named in the request does not flow, also when a detector matched it. */
class FlowIndexTest {
  private final Fingerprints fingerprints = new Fingerprints(1, 2);

  private static Hit invoice(String path, String value) {
    return new Hit(
        "invoice-number",
        "financial",
        path,
        0,
        value.length(),
        value,
        "INV-••71",
        false,
        null,
        value);
  }

  private FlowIndex index(String request) {
    FlowIndex index = new FlowIndex(fingerprints, request, Map.of());
    String result = "Invoice INV-4471 for Globex, 12,400.00 USD";
    byte[] prints = fingerprints.ofResult(result, List.of(invoice("/result", "INV-4471")));
    index.add(
        List.of(
            new ObservedResult(
                1, "invoices.search", ObservedResult.Trust.TRUSTED, List.of(), prints)));
    return index;
  }

  @Test
  void aDetectorMatchTheUserNamedDoesNotFlow() {
    FlowIndex named = index("Ask Globex whether they received our payment for invoice INV-4471");
    List<Hit> hits = List.of(invoice("/args/body", "INV-4471"));
    assertThat(named.flow(List.of("did you receive INV-4471?"), hits).sources()).isEmpty();

    FlowIndex unnamed = index("Ask Globex whether they received our payment");
    assertThat(unnamed.flow(List.of("did you receive INV-4471?"), hits).labels())
        .contains("financial");
  }

  @Test
  void aPartOfANamedValueIsNotNamed() {
    FlowIndex named = index("Ask Globex about invoice INV-4471 and 12,400.00 USD");
    assertThat(named.flow(List.of("INV-4471"), List.of()).sources()).isEmpty();
    assertThat(named.origin("C-104").origin()).isEqualTo("none");
    assertThat(named.origin("INV-447").origin()).isEqualTo("none");
    assertThat(named.origin("INV-4471").origin()).isEqualTo("request");
  }

  @Test
  void aDetectorsLabelGoesOnlyWithTheValueItFound() {
    // what observe stores: the catalog's labels for the whole result (here none, and untrusted);
    // the e-mail detector's label rides on the fingerprint of the address alone
    FlowIndex index = new FlowIndex(fingerprints, "Answer the delivery question", Map.of());
    Map<String, Object> mail =
        Map.of("from", "jane@initech.example", "body", "Where is order 7731?");
    Hit address =
        new Hit(
            "email",
            "personal",
            "/result/from",
            0,
            20,
            "jane@initech.example",
            "j•••",
            false,
            null,
            "jane@initech.example");
    byte[] prints = fingerprints.ofResult(mail, List.of(address));
    index.add(
        List.of(
            new ObservedResult(
                1, "mailbox.read", ObservedResult.Trust.UNTRUSTED, List.of("untrusted"), prints)));

    FlowIndex.Flow order = index.flow(List.of("Order 7731 arrives on Friday."), List.of());
    assertThat(order.sources()).containsExactly("mailbox.read");
    assertThat(order.labels()).containsExactly("untrusted");

    Hit again =
        new Hit(
            "email",
            "personal",
            "/args/body",
            0,
            20,
            "jane@initech.example",
            "j•••",
            false,
            null,
            null);
    FlowIndex.Flow forwarded = index.flow(List.of("write to jane@initech.example"), List.of(again));
    assertThat(forwarded.labels()).containsExactly("untrusted", "personal");
  }

  /**
   * Fingerprints stored before the format had a version (shingles keyed per word) keep their
   * values: an id copied out of such a result still flows; their shingles, which could no longer
   * match, are dropped. Fingerprints of this format decode to what was encoded.
   */
  @Test
  void fingerprintsOfAnEarlierFormatKeepTheirValuesAndDropTheirShingles() {
    String text =
        "the quarterly toner delivery to the Springfield warehouse is late again, INV-4471";
    byte[] current = fingerprints.ofResult(text, List.of());
    long[] decoded = Fingerprints.decode(current);
    assertThat(decoded.length * Long.BYTES).isEqualTo(current.length - Long.BYTES);
    assertThat(java.util.Arrays.stream(decoded).anyMatch(e -> (e & Fingerprints.SHINGLE) != 0))
        .isTrue();

    byte[] legacy = java.util.Arrays.copyOfRange(current, Long.BYTES, current.length);
    long[] old = Fingerprints.decode(legacy);
    assertThat(old).isNotEmpty();
    assertThat(java.util.Arrays.stream(old).allMatch(e -> (e & Fingerprints.SHINGLE) == 0))
        .isTrue();
    assertThat(old.length).isLessThan(decoded.length);

    String copied = "the quarterly toner delivery to the Springfield warehouse is late again";
    FlowIndex now = new FlowIndex(fingerprints, "", Map.of());
    now.add(
        List.of(
            new ObservedResult(
                1, "invoices.search", ObservedResult.Trust.TRUSTED, List.of(), current)));
    assertThat(now.flow(List.of(copied), List.of()).sources()).containsExactly("invoices.search");

    FlowIndex index = new FlowIndex(fingerprints, "", Map.of());
    index.add(
        List.of(
            new ObservedResult(
                1, "invoices.search", ObservedResult.Trust.TRUSTED, List.of(), legacy)));
    assertThat(index.flow(List.of("about INV-4471"), List.of()).sources())
        .containsExactly("invoices.search");
    assertThat(index.flow(List.of(copied), List.of()).sources()).isEmpty();
  }

  @Test
  void aChannelConflictsOnlyWithAChannelTheRequestNames() {
    FlowIndex plain = index("Pay Globex invoice INV-4471");
    assertThat(plain.conflicts("channel", "#accounts-payable")).isFalse();

    // a stored request keeps a flagged value as a token whose fingerprint starts with '#'
    String token = fingerprints.token("invoice-number", "INV-••71", "INV-4471");
    FlowIndex masked = index("Pay Globex invoice " + token);
    assertThat(masked.conflicts("channel", "#accounts-payable")).isFalse();

    FlowIndex named = index("Post the summary in #inc-4411 " + token);
    assertThat(named.conflicts("channel", "#inc-4411-shared")).isTrue();
    assertThat(named.conflicts("channel", "#inc-4411")).isFalse();
    assertThat(named.conflicts("channel", "inc-4411")).isFalse();
  }
}
