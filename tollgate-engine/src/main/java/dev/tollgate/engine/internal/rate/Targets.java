package dev.tollgate.engine.internal.rate;

import dev.tollgate.engine.internal.bundle.ToolSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an action's arguments say about its targets and amounts: the values rate counters and
 * novelty keep (as fingerprints), the number for {@code sum}, and how far one action reaches
 * ({@code blast}).
 */
public final class Targets {
  private Targets() {}

  /** Argument names {@code @amount} reads, in order of preference. */
  private static final List<String> AMOUNT_NAMES =
      List.of("amount", "total", "sum", "value", "price", "cost");

  /** Values that select everything rather than naming a target. */
  private static final Set<String> EVERYTHING =
      Set.of("*", "all", "any", "every", "everyone", "everybody", "everything", "everywhere", "%");

  /** Arguments that filter a query: present and empty, the query selects every record. */
  private static final Set<String> FILTERS =
      Set.of("filter", "filters", "where", "query", "selector", "match", "condition", "criteria");

  /**
   * The values of {@code arg} in {@code args}, each a string (list items and map values each; a
   * number in its plain form, so that {@code 5} and {@code 5.0} are one): an argument's name, or
   * {@code @targets} for every control argument of the tool.
   */
  public static List<String> values(Map<String, Object> args, ToolSpec tool, String arg) {
    List<String> out = new ArrayList<>(4);
    if (arg.equals("@targets")) {
      for (String c : tool.control()) {
        if (!isAmountName(c)) {
          flatten(args.get(c), out);
        }
      }
    } else if (arg.equals("@amount")) {
      String name = amountArg(args);
      if (name != null) {
        flatten(args.get(name), out);
      }
    } else {
      flatten(args.get(arg), out);
    }
    return out;
  }

  private static void flatten(Object v, List<String> out) {
    if (v == null) {
      return;
    }
    if (v instanceof List<?> l) {
      for (Object o : l) {
        flatten(o, out);
      }
    } else if (v instanceof Map<?, ?> m) {
      for (Object o : m.values()) {
        flatten(o, out);
      }
    } else if (v instanceof Number n) {
      out.add(plain(n));
    } else {
      String s = String.valueOf(v).strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
  }

  private static String plain(Number n) {
    try {
      return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    } catch (NumberFormatException e) {
      return n.toString();
    }
  }

  /**
   * The domain or host a target lies in: a mail address's domain, a URL's host, a host name itself;
   * {@code null} for a value that names none (an id, an amount).
   */
  public static String domain(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    int lt = v.lastIndexOf('<');
    if (lt >= 0 && v.endsWith(">")) {
      v = v.substring(lt + 1, v.length() - 1);
    }
    int scheme = v.indexOf("://");
    if (scheme > 0) {
      String rest = v.substring(scheme + 3);
      int end = 0;
      while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
        end++;
      }
      String host = rest.substring(0, end);
      int userInfo = host.lastIndexOf('@');
      host = userInfo >= 0 ? host.substring(userInfo + 1) : host;
      int port = host.lastIndexOf(':');
      host = port > 0 ? host.substring(0, port) : host;
      return host.isEmpty() ? null : host;
    }
    int at = v.lastIndexOf('@');
    if (at > 0 && at < v.length() - 1 && v.indexOf(' ') < 0) {
      return v.substring(at + 1);
    }
    if (v.indexOf('.') > 0 && v.indexOf(' ') < 0 && Character.isLetter(v.charAt(v.length() - 1))) {
      return v;
    }
    return null;
  }

  /** Whether an argument's name says it holds an amount (a control argument that is no target). */
  public static boolean isAmountName(String name) {
    String l = name.toLowerCase(Locale.ROOT);
    return AMOUNT_NAMES.contains(l)
        || l.startsWith("amount")
        || l.endsWith("amount")
        || l.endsWith("_total");
  }

  /** The argument {@code @amount} reads, or {@code null} when the action has none. */
  static String amountArg(Map<String, Object> args) {
    for (String name : AMOUNT_NAMES) {
      for (String k : args.keySet()) {
        if (k.equalsIgnoreCase(name)) {
          return k;
        }
      }
    }
    for (String k : args.keySet()) {
      String l = k.toLowerCase(Locale.ROOT);
      if (l.startsWith("amount") || l.endsWith("amount") || l.endsWith("_total")) {
        return k;
      }
    }
    return null;
  }

  /**
   * An amount written as a number or as text ({@code 1200}, {@code "1,200.50"}, {@code
   * "€1.200,50"}, {@code "USD 300"}), or {@link Double#NaN} when the text is not an amount.
   */
  public static double amount(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (!(value instanceof String s)) {
      return Double.NaN;
    }
    StringBuilder digits = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isDigit(c) || c == '.' || c == ',' || c == '-') {
        digits.append(c);
      } else if (!Character.isLetter(c)
          && !Character.isWhitespace(c)
          && Character.getType(c) != Character.CURRENCY_SYMBOL
          && c != '\'') {
        return Double.NaN;
      } else if (Character.isLetter(c) && !isCurrencyLetters(s, i)) {
        return Double.NaN;
      }
    }
    return number(digits.toString());
  }

  /** Whether the letter at {@code i} is part of a three-letter currency code (USD, eur). */
  private static boolean isCurrencyLetters(String s, int i) {
    int from = i;
    while (from > 0 && Character.isLetter(s.charAt(from - 1))) {
      from--;
    }
    int to = i;
    while (to < s.length() && Character.isLetter(s.charAt(to))) {
      to++;
    }
    return to - from == 3;
  }

  /** A number with thousands separators and a decimal point or comma, or NaN. */
  static double number(String text) {
    String t = text;
    if (t.isEmpty() || t.chars().noneMatch(Character::isDigit)) {
      return Double.NaN;
    }
    int dot = t.lastIndexOf('.');
    int comma = t.lastIndexOf(',');
    if (dot >= 0 && comma >= 0) {
      // the later separator is the decimal one
      t = dot > comma ? t.replace(",", "") : t.replace(".", "").replace(',', '.');
    } else if (comma >= 0) {
      boolean decimal = t.indexOf(',') == comma && t.length() - comma - 1 <= 2;
      t = decimal ? t.replace(',', '.') : t.replace(",", "");
    } else if (dot >= 0 && t.indexOf('.') != dot) {
      t = t.replace(".", ""); // 1.200.000
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static final String CODES =
      "usd|eur|gbp|chf|jpy|cad|aud|inr|sek|nok|dkk|pln|czk|cny|brl|mxn|dollars?|euros?|pounds?"
          + "|bucks";

  private static final String NUMBER = "(\\d[\\d,.'’]*)(?:\\s?([km])\\b)?";

  /**
   * Amounts in the user's words: a number written with a currency sign or code, or after a word
   * that sets one (budget, limit, up to, at most, total, amount, approved).
   */
  private static final java.util.regex.Pattern REQUEST_AMOUNT =
      java.util.regex.Pattern.compile(
          "(?:[$€£¥₹]\\s?|\\b(?:"
              + CODES
              + ")\\s?|\\b(?:budget|limit|cap|up to|at most|no more than|maximum|max|total"
              + "|amount|approved|approve)\\s+(?:is\\s+|of\\s+|at\\s+|for\\s+)?(?:[$€£¥₹]\\s?)?)"
              + NUMBER
              + "|"
              + NUMBER
              + "\\s?(?:[$€£¥₹]|\\b(?:"
              + CODES
              + ")\\b)",
          java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE);

  /**
   * Each thread's last request and its amounts: a session's request is read on every decision that
   * reads {@code scope}, and the same text gives the same amounts.
   */
  private static final ThreadLocal<Object[]> LAST_REQUEST = new ThreadLocal<>();

  /** The amounts the user's request names, in the order written (see {@link #REQUEST_AMOUNT}). */
  public static List<Double> requestAmounts(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    Object[] last = LAST_REQUEST.get();
    if (last != null && text.equals(last[0])) {
      @SuppressWarnings("unchecked")
      List<Double> cached = (List<Double>) last[1];
      return cached;
    }
    List<Double> amounts = scanAmounts(text);
    if (text.length() <= 4096) {
      LAST_REQUEST.set(new Object[] {text, amounts});
    }
    return amounts;
  }

  private static List<Double> scanAmounts(String text) {
    List<Double> out = new ArrayList<>(2);
    java.util.regex.Matcher m = REQUEST_AMOUNT.matcher(text);
    while (m.find()) {
      String digits = m.group(1) != null ? m.group(1) : m.group(3);
      String scale = m.group(1) != null ? m.group(2) : m.group(4);
      double v = number(stripTrailingPunctuation(digits).replace("'", "").replace("’", ""));
      if (Double.isNaN(v)) {
        continue;
      }
      if (scale != null) {
        v *= scale.equalsIgnoreCase("k") ? 1_000 : 1_000_000;
      }
      out.add(v);
    }
    return List.copyOf(out);
  }

  private static String stripTrailingPunctuation(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == ',')) {
      end--;
    }
    return s.substring(0, end);
  }

  /**
   * How far one action reaches: the number of values its control arguments hold, and whether one of
   * them selects everything (a wildcard or "all") or a filter argument is present and empty.
   */
  public record Blast(long targets, boolean all) {
    public Map<String, Object> facts() {
      return Map.of("targets", targets, "all", all);
    }
  }

  public static Blast blast(Map<String, Object> args, ToolSpec tool) {
    long targets = 0;
    boolean all = false;
    List<String> values = new ArrayList<>(4);
    for (String c : tool.control()) {
      if (isAmountName(c)) {
        continue;
      }
      values.clear();
      flatten(args.get(c), values);
      targets = Math.max(targets, values.size());
      for (String v : values) {
        String l = v.toLowerCase(Locale.ROOT);
        all |= EVERYTHING.contains(l) || l.startsWith("all ") || l.indexOf('*') >= 0;
      }
    }
    for (Map.Entry<String, Object> e : args.entrySet()) {
      if (FILTERS.contains(e.getKey().toLowerCase(Locale.ROOT))) {
        Object v = e.getValue();
        all |=
            (v instanceof Map<?, ?> m && m.isEmpty())
                || (v instanceof List<?> l && l.isEmpty())
                || (v instanceof String s
                    && (s.isBlank()
                        || EVERYTHING.contains(s.strip())
                        || s.strip().equals("1=1")
                        || s.strip().equalsIgnoreCase("true")));
      }
    }
    return new Blast(targets, all);
  }
}
