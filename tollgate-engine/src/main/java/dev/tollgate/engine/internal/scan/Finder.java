package dev.tollgate.engine.internal.scan;

import java.util.List;

/**
 * One detector as the scanner runs it. A finder says what wakes it: literal anchors (which join the
 * shared automaton) or a character class seen during the pass; it is then called for that text
 * only, and looks around the trigger. Implementations are immutable and thread-safe; all per-scan
 * state lives in the {@link Text}.
 */
abstract class Finder {
  /** What makes the scanner call a finder on a text. */
  enum Trigger {
    /** One of {@link #anchors()} occurred: {@link #atAnchor} runs once per occurrence. */
    ANCHOR,
    /** The text has a digit: {@link #afterPass} runs. */
    DIGITS,
    /** The text has an {@code @}: {@link #afterPass} runs. */
    AT_SIGN,
    /** Every text: {@link #afterPass} runs (configured regexes without anchors, exact data). */
    ALWAYS
  }

  final String name;
  final String label;

  Finder(String name, String label) {
    this.name = name;
    this.label = label;
  }

  abstract Trigger trigger();

  /** Literal anchors, matched case-insensitively on the folded text. */
  List<String> anchors() {
    return List.of();
  }

  /**
   * Called for each occurrence of anchor number {@code anchor} (an index into {@link #anchors()})
   * at {@code [start, end)} of {@code text.view}.
   */
  void atAnchor(Text text, int anchor, int start, int end) {}

  /** Called once per text when the trigger's character class occurred. */
  void afterPass(Text text) {}
}
