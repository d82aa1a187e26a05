package dev.tollgate.engine.internal.scan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A compiled set of detectors: the built-in ones (secrets, personal data, financial markers,
 * instruction-like text), less those disabled, plus configured regex, keyword and exact-data
 * detectors. Immutable and thread-safe; one per bundle.
 */
public final class Detectors {
  private static final Detectors BUILT_IN = builder().build();

  private Detectors() {}

  public static Detectors builtIn() {
    return BUILT_IN;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Scans every string in {@code json} (a map, list, string, number, boolean or null), map keys
   * included, and returns the matches in document order.
   *
   * @param path JSON pointer of {@code json} itself, for example {@code /args}
   */
  public List<Hit> scan(Object json, String path, Budget budget) throws ScanLimitException {
    return new ArrayList<>();
  }

  /** Names of the detectors in use. */
  public List<String> names() {
    return List.of();
  }

  /** Builds a set of detectors, starting from the built-in ones. */
  public static final class Builder {
    private Builder() {}

    /** Turns a built-in detector off. */
    public Builder disable(String name) {
      return this;
    }

    /**
     * A regular-expression detector.
     *
     * @param anchors literal strings of which every match contains one (case-insensitive), for the
     *     prefilter; empty to derive them from the expression
     */
    public Builder regex(String name, String label, String regex, List<String> anchors) {
      return this;
    }

    /** A detector that fires on any of these words or phrases (case-insensitive, folded). */
    public Builder keywords(String name, String label, List<String> keywords) {
      return this;
    }

    /** A detector that fires on exactly these values; they are kept only as salted hashes. */
    public Builder exact(String name, String label, Collection<String> values) {
      return this;
    }

    public Detectors build() {
      return new Detectors();
    }
  }
}
