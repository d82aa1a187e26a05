package dev.tollgate.api.store;

import dev.tollgate.api.internal.WireNames;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a session keeps of one observed tool result: never its text, only fingerprints (keyed hashes
 * of its values and of word shingles), so that later actions can be checked for data that flowed
 * out of it and for where their control arguments came from.
 *
 * @param seq the result's number in its session, from 1; assigned by the store
 * @param tool the tool that produced it
 * @param trust whether the tool that produced it is trusted
 * @param labels what the catalog and the detectors said of it
 * @param fingerprints the engine's encoding of its fingerprints (opaque to stores)
 */
public record ObservedResult(
    long seq, String tool, Trust trust, List<String> labels, byte[] fingerprints) {

  /**
   * How far a tool's results are trusted, as the tool catalog says. On the wire (the catalog's
   * {@code results.trust}, the store's {@code trust} column, the policies' {@code tool.trust}) each
   * is its lower-case name: {@code trusted}, {@code untrusted}.
   */
  public enum Trust {
    /** The company's own systems. */
    TRUSTED,
    /** Web pages, inbound mail, documents: text anyone could have written. */
    UNTRUSTED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    private static final WireNames<Trust> WIRE_NAMES =
        new WireNames<>("trust", values(), Trust::wireName);

    /** The lower-case name used in the catalog, the store and policies. */
    public String wireName() {
      return wireName;
    }

    /**
     * Parses {@code trusted} or {@code untrusted}.
     *
     * @throws IllegalArgumentException naming the accepted values, for anything else
     */
    public static Trust parse(String text) {
      return WIRE_NAMES.parse(text);
    }
  }

  public ObservedResult {
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(trust, "trust");
    labels = List.copyOf(labels);
    fingerprints = fingerprints.clone();
  }

  /** The same result under the sequence number the store gave it. */
  public ObservedResult numbered(long number) {
    return new ObservedResult(number, tool, trust, labels, fingerprints);
  }

  @Override
  public byte[] fingerprints() {
    return fingerprints.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ObservedResult r
        && r.seq == seq
        && r.tool.equals(tool)
        && r.trust == trust
        && r.labels.equals(labels)
        && Arrays.equals(r.fingerprints, fingerprints);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seq, tool, trust, labels, Arrays.hashCode(fingerprints));
  }

  @Override
  public String toString() {
    return "ObservedResult[" + seq + ", " + tool + ", " + trust + ", " + labels + "]";
  }
}
