package dev.tollgate.engine.internal.yaml;

import java.util.Collection;
import java.util.regex.Pattern;

/** Naming rules and "did you mean" suggestions. */
public final class Names {
  private static final Pattern POLICY_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  private Names() {}

  public static boolean isPolicyName(String name) {
    return POLICY_NAME.matcher(name).matches();
  }

  /** The candidate within edit distance 2 of {@code word}, or {@code null}. */
  public static String nearest(String word, Collection<String> candidates) {
    return dev.tollgate.json.Names.nearest(word, candidates);
  }

  static int distance(String a, String b) {
    return dev.tollgate.json.Names.distance(a, b);
  }
}
