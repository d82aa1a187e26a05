package dev.tollgate.engine.internal.scan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The state of one call to {@link Detectors#scan}: its budget and the hits so far. */
final class Scan {
  /**
   * Work units a hit costs, beside the characters read: a text full of matches costs more to report
   * than to read, and this keeps the number of hits of one scan bounded by the budget.
   */
  static final int HIT_COST = 16;

  final Budget budget;
  private final List<Hit> hits = new ArrayList<>();
  private final Set<String> seen = new HashSet<>();

  Scan(Budget budget) {
    this.budget = budget;
  }

  /**
   * Charges {@code units} of work to the budget from inside a finder, which cannot throw the
   * checked exception: {@link Exhausted} carries it out to {@link Detectors#scan}.
   */
  void charge(long units) {
    try {
      budget.spend(units);
    } catch (ScanLimitException e) {
      throw new Exhausted(e);
    }
  }

  /** The budget ran out inside a finder; {@link Detectors#scan} rethrows the cause. */
  static final class Exhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exhausted(ScanLimitException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    ScanLimitException limit() {
      return (ScanLimitException) getCause();
    }
  }

  private char[] chars = new char[0];

  private final Text.Ints[][] lists = new Text.Ints[Detectors.MAX_DECODING_DEPTH + 1][];

  /** The six lists a text of this decoding depth records its pass in, cleared. */
  Text.Ints[] lists(int depth) {
    Text.Ints[] l = lists[depth];
    if (l == null) {
      l = new Text.Ints[6];
      for (int i = 0; i < l.length; i++) {
        l[i] = new Text.Ints();
      }
      lists[depth] = l;
    } else {
      for (Text.Ints ints : l) {
        ints.clear();
      }
    }
    return l;
  }

  /** A buffer of at least {@code length} chars, shared by the texts of this scan, one at a time. */
  char[] chars(int length) {
    if (chars.length < length) {
      chars = new char[Math.max(length, Math.min(2 * chars.length, 1 << 20))];
    }
    return chars;
  }

  void add(Hit hit) {
    // The same value can be reached twice (a regex run twice, a decoded run holding what the
    // plain text already showed): one hit per detector, place and value.
    String identity =
        hit.detector()
            + '\0'
            + hit.path()
            + '\0'
            + hit.key()
            + '\0'
            + hit.start()
            + '\0'
            + hit.end()
            + '\0'
            + hit.value();
    if (seen.add(identity)) {
      charge(HIT_COST);
      hits.add(hit);
    }
  }

  /** The hits in document order: by string, then by position in it. */
  List<Hit> hits() {
    List<Hit> ordered = new ArrayList<>(hits);
    // Strings are visited in document order, so a stable sort within each string suffices.
    List<Hit> out = new ArrayList<>(ordered.size());
    int i = 0;
    while (i < ordered.size()) {
      int j = i;
      Hit first = ordered.get(i);
      while (j < ordered.size()
          && ordered.get(j).path().equals(first.path())
          && ordered.get(j).key() == first.key()) {
        j++;
      }
      List<Hit> group = new ArrayList<>(ordered.subList(i, j));
      group.sort(Comparator.comparingInt(Hit::start).thenComparingInt(Hit::end));
      out.addAll(group);
      i = j;
    }
    return out;
  }
}
