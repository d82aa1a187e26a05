package dev.tollgate.engine.internal.bundle;

import java.util.regex.Pattern;

/**
 * A name pattern: {@code *} matches any run of characters (dots included), {@code ?} one character;
 * everything else is literal. A pattern without wildcards is an exact name.
 */
public record Glob(String pattern, Pattern regex) {

  public static Glob of(String pattern) {
    if (!isWildcard(pattern)) {
      return new Glob(pattern, null);
    }
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          re.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        re.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      re.append(Pattern.quote(literal.toString()));
    }
    return new Glob(pattern, Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  public static boolean isWildcard(String pattern) {
    return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0;
  }

  public boolean exact() {
    return regex == null;
  }

  public boolean matches(String name) {
    return regex == null ? pattern.equals(name) : regex.matcher(name).matches();
  }
}
