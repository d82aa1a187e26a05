package dev.tollgate.engine.internal.decide;

import dev.tollgate.engine.internal.scan.Detectors;
import java.util.List;
import java.util.Map;

/**
 * What the links and addresses of an action carry and where they point: a URL's query values and
 * base64-encoded text (payload, whatever the URL is a control argument for; see {@code
 * Inspection}), and the domains of links and addresses ({@code data.domains}).
 */
final class Links {
  private Links() {}

  /**
   * The values of a URL query, percent-decoded, without the parameter names, and lists split into
   * their items: {@code ch=eval&members=priya.nair,tomas.ruiz} is {@code eval priya.nair
   * tomas.ruiz}.
   */
  static String queryValues(String query) {
    StringBuilder out = new StringBuilder(query.length());
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String value = Detectors.percentDecoded(eq < 0 ? pair : pair.substring(eq + 1));
      // a list in a query is one value per item: "db-prd-03,10.40.2.13" is two hosts
      out.append(value.replace(',', ' ').replace(';', ' ').replace('|', ' ')).append(' ');
    }
    return out.toString();
  }

  /**
   * The hosts of the URLs and the domains of the mail addresses written in {@code json}, lower
   * case, each once: where the links and addresses of an action point ({@code data.domains}), so
   * that a policy can tell a look-alike of the organisation's own domain.
   */
  static void domains(Object json, List<String> out, int depth) {
    if (json instanceof String s) {
      for (int at = s.indexOf("://"); at >= 0; at = s.indexOf("://", at + 3)) {
        addDomain(s, at + 3, out);
      }
      for (int at = s.indexOf('@'); at >= 0; at = s.indexOf('@', at + 1)) {
        if (at > 0 && Character.isLetterOrDigit(s.charAt(at - 1))) {
          addDomain(s, at + 1, out);
        }
      }
    } else if (depth < 16 && json instanceof Map<?, ?> m) {
      for (Object v : m.values()) {
        domains(v, out, depth + 1);
      }
    } else if (depth < 16 && json instanceof List<?> l) {
      for (Object v : l) {
        domains(v, out, depth + 1);
      }
    }
  }

  private static void addDomain(String s, int from, List<String> out) {
    int end = from;
    while (end < s.length()
        && (Character.isLetterOrDigit(s.charAt(end))
            || s.charAt(end) == '.'
            || s.charAt(end) == '-')) {
      end++;
    }
    while (end > from && s.charAt(end - 1) == '.') {
      end--;
    }
    String domain = s.substring(from, end).toLowerCase(java.util.Locale.ROOT);
    if (domain.indexOf('.') > 0 && !out.contains(domain)) {
      out.add(domain);
    }
  }

  /** Base64 runs shorter than this are words, ids and tokens, not text someone encoded. */
  private static final int MIN_ENCODED = 16;

  /**
   * The text of the base64 runs in a URL's path and query ({@code unfurl.example/c/Tm9ydGh3...}),
   * each run that decodes to readable text, joined by spaces; {@code null} when there is none.
   * Encoding is how injected instructions get data past a reader of the URL: what it carries is
   * payload like a query's.
   */
  static String encodedText(String url) {
    int scheme = url.indexOf("://");
    int path = url.indexOf('/', scheme < 0 ? 0 : scheme + 3);
    if (path < 0) {
      return null;
    }
    StringBuilder out = null;
    int i = path;
    while (i < url.length()) {
      while (i < url.length() && !isBase64(url.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < url.length() && isBase64(url.charAt(i))) {
        i++;
      }
      int end = i;
      while (i < url.length() && url.charAt(i) == '=') {
        i++;
      }
      if (end - start >= MIN_ENCODED) {
        String text = decodedText(url.substring(start, end));
        if (text != null) {
          out = out == null ? new StringBuilder() : out.append(' ');
          out.append(text);
        }
      }
    }
    return out == null ? null : out.toString();
  }

  private static boolean isBase64(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == '-'
        || c == '_';
  }

  /**
   * The text a base64 run decodes to, if nearly all of it is printable ASCII; else {@code null}.
   */
  private static String decodedText(String run) {
    String standard = run.replace('-', '+').replace('_', '/');
    int pad = (4 - standard.length() % 4) % 4;
    byte[] bytes;
    try {
      bytes = java.util.Base64.getDecoder().decode(standard + "=".repeat(pad == 3 ? 0 : pad));
    } catch (IllegalArgumentException e) {
      return null;
    }
    int printable = 0;
    for (byte b : bytes) {
      // ASCII only: random bytes are printable ASCII one time in three, text nearly always
      if ((b >= 0x20 && b < 0x7F) || b == '\n' || b == '\t') {
        printable++;
      }
    }
    return bytes.length > 0 && printable * 10 >= bytes.length * 9
        ? new String(bytes, java.nio.charset.StandardCharsets.US_ASCII)
        : null;
  }
}
