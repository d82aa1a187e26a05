package dev.tollgate.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one parser of {@code application/x-www-form-urlencoded} text, for the API's query strings and
 * the console's queries and forms. A malformed percent-escape is refused with a message that names
 * the parameter, never dropped or turned into a 500.
 */
public final class QueryString {
  private QueryString() {}

  /** Text that is not valid form encoding; {@link #parameter} names where. */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String parameter;

    MalformedException(String parameter, String message) {
      super(message);
      this.parameter = parameter;
    }

    /** The parameter whose name or value is malformed (its raw name when that is the culprit). */
    public String parameter() {
      return parameter;
    }
  }

  /**
   * Decodes {@code name=value&...} (the raw, still encoded text; {@code null} or empty gives an
   * empty map). The first value of a repeated name wins; a pair without {@code =} has the value
   * {@code ""}.
   *
   * @throws MalformedException when a {@code %} is not followed by two hex digits
   */
  public static Map<String, String> parse(String raw) throws MalformedException {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String rawName = eq < 0 ? pair : pair.substring(0, eq);
      String name = decode(rawName, rawName);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
      out.putIfAbsent(name, value);
    }
    return out;
  }

  private static String decode(String text, String parameter) throws MalformedException {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
      throw new MalformedException(
          parameter,
          "malformed percent-escape in `"
              + shown
              + "`: `%` must be followed by two hex digits (write a literal `%` as `%25`)");
    }
  }
}
