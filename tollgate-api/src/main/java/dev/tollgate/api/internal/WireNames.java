package dev.tollgate.api.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The wire-name lookup of one of the contract's enums, built once: {@link #parse} maps a wire name
 * back to its constant, and refuses anything else with a message naming the accepted values in
 * declaration order ({@code unknown <what> `<text>`: use one of a, b, c}).
 *
 * @param <E> the enum
 */
public final class WireNames<E extends Enum<E>> {
  private final String what;
  private final Map<String, E> byName;
  private final String accepted;

  /**
   * @param what the noun in the error message, e.g. {@code approval status}
   * @param constants the enum's {@code values()}
   * @param wireName each constant's wire name; distinct per constant
   */
  public WireNames(String what, E[] constants, Function<E, String> wireName) {
    this.what = what;
    Map<String, E> names = new LinkedHashMap<>();
    for (E e : constants) {
      if (names.put(wireName.apply(e), e) != null) {
        throw new IllegalArgumentException("duplicate wire name " + wireName.apply(e));
      }
    }
    this.byName = Map.copyOf(names);
    this.accepted = String.join(", ", names.keySet());
  }

  /**
   * The constant whose wire name is {@code text}.
   *
   * @throws IllegalArgumentException naming the accepted values, for anything else (also {@code
   *     null})
   */
  public E parse(String text) {
    E e = text == null ? null : byName.get(text);
    if (e == null) {
      throw new IllegalArgumentException(
          "unknown " + what + " `" + text + "`: use one of " + accepted);
    }
    return e;
  }
}
