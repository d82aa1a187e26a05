package dev.tollgate.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, order-preserving immutable copies of JSON-shaped values (nulls allowed, unlike Map.copyOf).
 */
final class JsonValues {
  private JsonValues() {}

  static Map<String, Object> freezeMap(Map<String, ?> map) {
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
    for (Map.Entry<String, ?> e : map.entrySet()) {
      copy.put(e.getKey(), freeze(e.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  @SuppressWarnings("unchecked")
  static Object freeze(Object value) {
    if (value instanceof Map<?, ?> m) {
      return freezeMap((Map<String, ?>) m);
    }
    if (value instanceof List<?> l) {
      List<Object> copy = new ArrayList<>(l.size());
      for (Object o : l) {
        copy.add(freeze(o));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Number n) {
      return number(n);
    }
    return value;
  }

  /**
   * Integers become {@code Long} and other numbers {@code Double}: the two number types policy
   * conditions compute with, whatever the caller passed.
   */
  private static Object number(Number n) {
    if (n instanceof Long || n instanceof Double) {
      return n;
    }
    if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    if (n instanceof java.math.BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : (Object) big.doubleValue();
    }
    if (n instanceof java.math.BigDecimal dec) {
      try {
        return dec.longValueExact();
      } catch (ArithmeticException notAnInteger) {
        return dec.doubleValue();
      }
    }
    return n.doubleValue();
  }
}
