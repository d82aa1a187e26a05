package dev.tollgate.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A policy directory that a running gate reloads from, with the checks that keep a deploy in
 * progress from ever opening the gate. Thread-safe: it holds only its settings.
 *
 * <p>A reload ends in one of four {@link Outcome}s:
 *
 * <ul>
 *   <li>{@code REFUSED}: the directory does not load whole (a broken or half-written file, a
 *       manifest mismatch, a missing or emptied directory), or it would leave the gate with no
 *       policies or no {@code agents.yaml} while {@code bundle.yaml} does not say {@code
 *       noPolicies: true} / {@code noAgents: true}. The bundle in use stays.
 *   <li>{@code UNCHANGED}: the directory holds the bundle in use (same digest).
 *   <li>{@code LOADED}: the new bundle is to be used.
 *   <li>{@code HELD}: the new bundle would drop policies, agents or catalog entries, and the
 *       directory did not stay quiet long enough to tell a finished deploy from one in progress.
 *       The bundle in use stays; the caller tries again later.
 * </ul>
 *
 * <p>Why the hold: a copy that is half done parses fine more often than not (a policy file cut
 * after its first policy is valid YAML). So a bundle that is smaller than the one in use is loaded
 * only once the directory has been quiet (no file name, size or modification time changed) for the
 * settle time and a second read gives the same digest.
 *
 * <p>The settle wait goes through a {@link Sleeper}, so that a test decides when a wait ends
 * instead of waiting on the clock; the number of waits, not the time they took, bounds a reload.
 */
public final class PolicyDirectory {

  /** How a reload went. */
  public enum Outcome {
    LOADED,
    UNCHANGED,
    HELD,
    REFUSED;

    /** The lower-case name used in the audit, {@code /ready} and {@code /metrics}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * The result of one reload.
   *
   * @param bundle the bundle to use from now on when {@code outcome} is {@code LOADED}, else the
   *     bundle in use
   * @param detail why it was held or refused, in a sentence; {@code null} otherwise
   * @param problems the problems behind a refusal (empty otherwise)
   */
  public record Reload(Outcome outcome, Bundle bundle, String detail, List<Problem> problems) {
    public Reload {
      problems = List.copyOf(problems);
    }
  }

  /** How a reload waits out one settle time. */
  @FunctionalInterface
  public interface Sleeper {
    /** Returns after {@code period}, or earlier if the test behind it says so. */
    void sleep(Duration period) throws InterruptedException;
  }

  /** How many settle times a reload waits at most for a quiet directory before it is held. */
  static final int MAX_SETTLES = 8;

  /** The settle time of a directory that is only loaded, never reloaded: it is never waited. */
  private static final Duration DEFAULT_SETTLE = Duration.ofSeconds(1);

  private final Path directory;
  private final Duration settle;
  private final Sleeper sleeper;

  /**
   * A directory to load once, with the checks a serving gate applies ({@link #load}), as {@code
   * tollgate validate} does.
   */
  public PolicyDirectory(Path directory) {
    this(directory, DEFAULT_SETTLE);
  }

  /**
   * @param settle how long the directory must stay quiet before a bundle that drops something is
   *     loaded
   */
  public PolicyDirectory(Path directory, Duration settle) {
    this(directory, settle, Thread::sleep);
  }

  /**
   * @param settle how long the directory must stay quiet before a bundle that drops something is
   *     loaded
   * @param sleeper waits out each settle time ({@code Thread::sleep} but in tests)
   */
  public PolicyDirectory(Path directory, Duration settle, Sleeper sleeper) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.settle = Objects.requireNonNull(settle, "settle");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  public Path directory() {
    return directory;
  }

  /**
   * Loads the bundle to start with: as {@link Bundle#load}, and also refused when it holds no
   * policies or no {@code agents.yaml} without saying in {@code bundle.yaml} that this is meant.
   * These are the checks of {@code serve}, of every reload and of {@code tollgate validate}: a
   * bundle that validates is one a gate accepts.
   *
   * @throws BundleException listing every problem
   */
  public Bundle load() throws BundleException {
    Bundle bundle = Bundle.load(directory);
    List<Problem> unmeant = unmeant(bundle);
    if (!unmeant.isEmpty()) {
      throw new BundleException(unmeant);
    }
    return bundle;
  }

  /**
   * Reads the directory again and says whether its bundle should replace {@code current}. May block
   * for up to eight settle times while a deploy that drops something settles.
   */
  public Reload reload(Bundle current) {
    try {
      return reloadOrThrow(current);
    } catch (RuntimeException | StackOverflowError e) {
      // The caller audits every outcome; a reload that failed in an unforeseen way must be one of
      // them (refused, the bundle in use stays), not an exception a watcher can only log.
      String why =
          "the reload failed unexpectedly ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "); the bundle in use stays";
      return refused(current, List.of(new Problem(directory.toString(), 0, 0, why, null, null)));
    }
  }

  private Reload reloadOrThrow(Bundle current) {
    Bundle candidate;
    try {
      candidate = load();
    } catch (BundleException e) {
      return refused(current, e.problems());
    }
    for (int waits = 0; ; waits++) {
      if (candidate.digest().equals(current.digest())) {
        return new Reload(Outcome.UNCHANGED, current, null, List.of());
      }
      String dropped = dropped(current, candidate);
      if (dropped == null) {
        return new Reload(Outcome.LOADED, candidate, null, List.of());
      }
      if (waits == MAX_SETTLES) {
        return held(current, dropped, "the directory kept changing");
      }
      boolean quiet;
      try {
        quiet = quietFor(settle);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return held(current, dropped, "the wait was interrupted");
      }
      if (quiet) {
        Bundle again;
        try {
          again = load();
        } catch (BundleException e) {
          return refused(current, e.problems());
        }
        if (again.digest().equals(candidate.digest())) {
          return new Reload(Outcome.LOADED, candidate, null, List.of());
        }
        candidate = again;
      }
    }
  }

  private Reload refused(Bundle current, List<Problem> problems) {
    Problem first = problems.get(0);
    String detail =
        first.file()
            + (first.line() > 0 ? ":" + first.line() : "")
            + ": "
            + first.message()
            + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    return new Reload(Outcome.REFUSED, current, detail, problems);
  }

  private Reload held(Bundle current, String dropped, String why) {
    return new Reload(
        Outcome.HELD,
        current,
        "the new bundle would drop " + dropped + " and " + why + "; the bundle in use stays",
        List.of());
  }

  /** The problems of a bundle that would leave the gate emptier than anyone can have meant. */
  private List<Problem> unmeant(Bundle bundle) {
    List<Problem> problems = new ArrayList<>();
    String where = directory.toString();
    if (bundle.policyNames().isEmpty() && !bundle.meansNoPolicies()) {
      problems.add(
          new Problem(
              where,
              0,
              0,
              "the bundle holds no policies",
              "restore the policy files; if an empty policy set is meant, say `noPolicies: true`"
                  + " in bundle.yaml",
              null));
    }
    if (!bundle.hasProfiles() && !bundle.meansNoAgents()) {
      problems.add(
          new Problem(
              where,
              0,
              0,
              "the bundle has no agents.yaml",
              "restore agents.yaml; if a bundle that denies every action is meant, say `noAgents:"
                  + " true` in bundle.yaml",
              null));
    }
    return problems;
  }

  /** What {@code next} lacks that {@code current} has, in words, or {@code null}. */
  static String dropped(Bundle current, Bundle next) {
    List<String> parts = new ArrayList<>();
    TreeSet<String> policies = new TreeSet<>(current.policyNames());
    policies.removeAll(next.policyNames());
    if (!policies.isEmpty()) {
      parts.add("policies " + names(policies));
    }
    TreeSet<String> agents = new TreeSet<>(current.agentNames());
    agents.removeAll(next.agentNames());
    if (!agents.isEmpty()) {
      parts.add("agents " + names(agents));
    }
    if (next.catalogSize() < current.catalogSize()) {
      parts.add(
          (current.catalogSize() - next.catalogSize())
              + " of "
              + current.catalogSize()
              + " catalog entries");
    }
    return parts.isEmpty() ? null : String.join(", ", parts);
  }

  private static String names(TreeSet<String> names) {
    List<String> shown = names.stream().limit(5).map(n -> "`" + n + "`").toList();
    return String.join(", ", shown) + (names.size() > 5 ? " (" + names.size() + " in all)" : "");
  }

  /** Whether no file of the directory changed over {@code period}. */
  private boolean quietFor(Duration period) throws InterruptedException {
    String before = fingerprint(directory);
    sleeper.sleep(period);
    return before.equals(fingerprint(directory));
  }

  /**
   * The names, sizes and modification times of a directory's files, as one string: equal
   * fingerprints mean nothing visible changed. An absent or unreadable directory has a fingerprint
   * of its own.
   */
  public static String fingerprint(Path directory) {
    if (!Files.isDirectory(directory)) {
      return "absent";
    }
    StringBuilder out = new StringBuilder();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path file : entries.sorted().toList()) {
        out.append(file.getFileName()).append('\0');
        try {
          out.append(Files.size(file))
              .append('\0')
              .append(Files.getLastModifiedTime(file))
              .append('\n');
        } catch (IOException e) {
          out.append("gone\n");
        }
      }
    } catch (IOException e) {
      return "unreadable";
    }
    return out.toString();
  }
}
