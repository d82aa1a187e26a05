package dev.tollgate.engine.internal.cel;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One call of a rate function in a policy, with its literal arguments: what the decide shell
 * tallies before the policies run. The functions, as a policy writes them:
 *
 * <ul>
 *   <li>{@code count(by, tools, window)}: allowed actions of {@code tools} in the window;
 *   <li>{@code sum(by, tools, arg, window)}: the sum of the numeric argument {@code arg};
 *   <li>{@code distinct(by, tools, arg, window)}: distinct values of {@code arg} (list items each);
 *   <li>{@code novel(arg)}, {@code novel(arg, by)}, {@code novel(arg, by, history)}: whether a value
 *       of {@code arg} was never acted on before (over {@value #DEFAULT_HISTORY_TEXT} by default);
 *   <li>{@code novelDomain(...)}: the same for the domains and hosts of the values.
 * </ul>
 *
 * <p>Arguments are string literals, checked when the bundle loads, so that the shell knows every
 * counter before any policy runs and can count this action atomically with reading the tallies.
 *
 * @param by whose actions: {@code session}, {@code agent}, {@code user} or {@code org}
 * @param tools which tools' actions: a glob ({@code config.*}), {@code kind:<kind>}, or several
 *     separated by commas; empty for the novelty functions
 * @param arg an argument's name, {@code @targets} (the catalog's control arguments) or {@code
 *     @amount} (the first of amount, total, sum, value, price, cost); empty for {@code count}
 * @param window the sliding window, or for novelty the history looked back on
 * @param key the call as written (function and literal arguments), which its value is found by
 */
public record RateCall(
    Function function, String by, String tools, String arg, Duration window, String key) {

  /** The rate functions. */
  public enum Function {
    COUNT("count"),
    SUM("sum"),
    DISTINCT("distinct"),
    NOVEL("novel"),
    NOVEL_DOMAIN("novelDomain");

    private final String celName;

    Function(String celName) {
      this.celName = celName;
    }

    public String celName() {
      return celName;
    }

    public boolean novelty() {
      return this == NOVEL || this == NOVEL_DOMAIN;
    }

    static Function of(String celName) {
      for (Function f : values()) {
        if (f.celName.equals(celName)) {
          return f;
        }
      }
      return null;
    }
  }

  public static final Set<String> SUBJECTS = Set.of("session", "agent", "user", "org");

  /** The history {@code novel} looks back on when the policy does not say. */
  public static final Duration DEFAULT_HISTORY = Duration.ofDays(90);

  static final String DEFAULT_HISTORY_TEXT = "90 days";

  /** The longest window or history: counters and fingerprints are kept no longer than this. */
  public static final Duration MAX_WINDOW = Duration.ofDays(400);

  private static final Pattern WINDOW = Pattern.compile("(\\d{1,6})([smhd])");

  /**
   * The call {@code function(args)}, or a problem in words a policy author can act on.
   *
   * @param args the literal arguments, in the policy's order
   * @throws IllegalArgumentException saying what is wrong with them
   */
  static RateCall of(String function, List<String> args) {
    Function f = Function.of(function);
    if (f == null) {
      throw new IllegalArgumentException("unknown rate function `" + function + "`");
    }
    String key = key(function, args);
    return switch (f) {
      case COUNT ->
          new RateCall(f, subject(args.get(0)), tools(args.get(1)), "", window(args.get(2)), key);
      case SUM, DISTINCT ->
          new RateCall(
              f,
              subject(args.get(0)),
              tools(args.get(1)),
              arg(args.get(2)),
              window(args.get(3)),
              key);
      case NOVEL, NOVEL_DOMAIN ->
          new RateCall(
              f,
              args.size() > 1 ? subject(args.get(1)) : "org",
              "",
              arg(args.get(0)),
              args.size() > 2 ? window(args.get(2)) : DEFAULT_HISTORY,
              key);
    };
  }

  /** The key a call's value is found by at decision time: its function and literal arguments. */
  static String key(String function, List<?> args) {
    StringBuilder k = new StringBuilder(function);
    for (Object a : args) {
      k.append('\u0000').append(a);
    }
    return k.toString();
  }

  private static String subject(String by) {
    if (!SUBJECTS.contains(by)) {
      throw new IllegalArgumentException(
          "`"
              + by
              + "` is not whose actions to count: use \"session\", \"agent\", \"user\" or"
              + " \"org\"");
    }
    return by;
  }

  private static String tools(String tools) {
    if (tools.isBlank()) {
      throw new IllegalArgumentException(
          "no tools to count: give a tool pattern (\"config.*\", \"*\") or a kind (\"kind:send\")");
    }
    for (String part : tools.split(",", -1)) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("an empty tool pattern in `" + tools + "`");
      }
      if (p.startsWith("kind:")
          && !Set.of("read", "write", "send", "delete", "execute", "memory", "unknown")
              .contains(p.substring(5))) {
        throw new IllegalArgumentException(
            "unknown kind `"
                + p.substring(5)
                + "`: use read, write, send, delete, execute, memory or unknown");
      }
    }
    return tools;
  }

  private static String arg(String arg) {
    if (arg.isBlank()) {
      throw new IllegalArgumentException(
          "no argument named: give an argument's name, \"@targets\" or \"@amount\"");
    }
    if (arg.startsWith("@") && !arg.equals("@targets") && !arg.equals("@amount")) {
      throw new IllegalArgumentException(
          "unknown `" + arg + "`: use an argument's name, \"@targets\" or \"@amount\"");
    }
    return arg;
  }

  /**
   * A window written as a number and a unit, or several ({@code 30s}, {@code 10m}, {@code 1h30m},
   * {@code 7d}), from a second up to {@link #MAX_WINDOW}.
   */
  static Duration window(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = WINDOW.matcher(t);
    Duration d = Duration.ZERO;
    int at = 0;
    while (at < t.length() && m.find(at) && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      at = m.end();
    }
    if (t.isEmpty() || at != t.length()) {
      throw new IllegalArgumentException(
          "`"
              + text
              + "` is not a window: write a number and a unit (s, m, h, d) such as \"10m\","
              + " \"1h30m\" or \"7d\"");
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "window `" + text + "` must be from 1s to " + MAX_WINDOW.toDays() + "d");
    }
    return d;
  }

  /** The number of literal arguments each function takes, as {min, max}. */
  static int[] arity(Function f) {
    return switch (f) {
      case COUNT -> new int[] {3, 3};
      case SUM, DISTINCT -> new int[] {4, 4};
      case NOVEL, NOVEL_DOMAIN -> new int[] {1, 3};
    };
  }
}
