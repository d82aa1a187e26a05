package dev.tollgate.engine;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A policy bundle (or a test or trace file) that cannot be used. It lists every problem found, not
 * only the first, so that an author can fix them in one pass. Nothing of a refused bundle is ever
 * used.
 */
public final class BundleException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  public BundleException(List<Problem> problems) {
    super(summary(problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, in file and line order. */
  public List<Problem> problems() {
    return problems;
  }

  /** All problems rendered, one block each, followed by a count. */
  public String render() {
    return problems.stream().map(Problem::render).collect(Collectors.joining("\n\n"))
        + "\n\n"
        + problems.size()
        + (problems.size() == 1 ? " error" : " errors");
  }

  private static String summary(List<Problem> problems) {
    if (problems.isEmpty()) {
      return "invalid bundle";
    }
    Problem first = problems.get(0);
    String where = first.file() + (first.line() > 0 ? ":" + first.line() : "");
    return where
        + ": "
        + first.message()
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
  }
}
