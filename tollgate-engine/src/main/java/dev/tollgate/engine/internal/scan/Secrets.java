package dev.tollgate.engine.internal.scan;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The built-in secret detectors (label {@code secret}), long because every built-in secret format
 * is checked by hand here, one method each, so that the formats read as one table. Each wakes on a
 * literal anchor (a token prefix or a key word) and checks the characters around it by hand: fixed
 * prefixes with their case, body alphabet and length, word boundaries, and for generic secrets
 * entropy and character classes. Excerpts keep at most the token's fixed prefix (cut to six
 * characters), never a character of the secret part; like every excerpt, each stands in for exactly
 * the span reported (redaction puts it in the span's place), so a password or a key after its key
 * word is masked alone.
 */
final class Secrets {
  static final String LABEL = "secret";
  static final String MASK = "••••••••";

  private Secrets() {}

  static List<Finder> all() {
    return List.of(
        new PrefixedToken(
            "aws-access-key", List.of("AKIA", "ASIA"), Secrets::isUpperAlnum, 16, 16, true),
        new AwsSecretKey(),
        new PrefixedToken("gcp-api-key", List.of("AIza"), Secrets::isTokenChar, 35, 35, false),
        new AzureStorageKey(),
        new PrefixedToken(
            "github-token",
            List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
            Text::isAlnum,
            36,
            36,
            false),
        new PrefixedToken(
            "github-token", List.of("github_pat_"), Secrets::isWordToken, 22, 255, false),
        new PrefixedToken("gitlab-token", List.of("glpat-"), Secrets::isTokenChar, 20, 64, false),
        new PrefixedToken(
            "slack-token",
            List.of("xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"),
            c -> Text.isAlnum(c) || c == '-',
            10,
            255,
            false),
        new SlackWebhook(),
        new PrefixedToken(
            "stripe-key",
            List.of("sk_live_", "rk_live_", "sk_test_"),
            Text::isAlnum,
            16,
            255,
            false),
        new PrivateKey(),
        new Jwt(),
        new ConnectionPassword(),
        new GenericSecret());
  }

  interface CharTest {
    boolean test(char c);
  }

  static boolean isUpperAlnum(char c) {
    return (c >= 'A' && c <= 'Z') || Text.isDigit(c);
  }

  static boolean isTokenChar(char c) {
    return Text.isAlnum(c) || c == '_' || c == '-';
  }

  static boolean isWordToken(char c) {
    return Text.isAlnum(c) || c == '_';
  }

  /** The excerpt of a token: its fixed prefix, at most six characters, then a mask. */
  static String prefixMask(String prefix) {
    return prefix.substring(0, Math.min(6, prefix.length())) + MASK;
  }

  /**
   * A token made of a case-sensitive prefix and a body of a fixed alphabet and length, standing
   * alone (no word character on either side). With {@code splittable}, single spaces or dashes
   * between characters are skipped, so {@code AKIA IOSF ODNN 7EXA MPLE} is seen as one key.
   */
  static final class PrefixedToken extends Finder {
    private final List<String> prefixes;
    private final CharTest body;
    private final int min;
    private final int max;
    private final boolean splittable;

    PrefixedToken(
        String name, List<String> prefixes, CharTest body, int min, int max, boolean splittable) {
      super(name, LABEL);
      this.prefixes = prefixes;
      this.body = body;
      this.min = min;
      this.max = max;
      this.splittable = splittable;
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return prefixes;
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      String prefix = prefixes.get(anchor);
      String v = t.view;
      if (!v.startsWith(prefix, start) || Text.isWordChar(t.at(start - 1))) {
        return;
      }
      StringBuilder value = new StringBuilder(prefix);
      int i = end;
      int count = 0;
      while (count < max) {
        char c = t.at(i);
        if (i < v.length() && body.test(c)) {
          value.append(c);
          count++;
          i++;
        } else if (splittable
            && (c == ' ' || c == '-')
            && i + 1 < v.length()
            && body.test(v.charAt(i + 1))
            && count < min) {
          i++;
        } else {
          break;
        }
      }
      if (count < min || Text.isWordChar(t.at(i)) || t.covered(this, start)) {
        return;
      }
      t.report(this, start, i, value.toString(), prefixMask(prefix));
    }
  }

  /** {@code AccountKey=} followed by the 88 base64 characters of an Azure storage key. */
  static final class AzureStorageKey extends Finder {
    AzureStorageKey() {
      super("azure-storage-key", LABEL);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return List.of("accountkey=");
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      int i = end;
      while (i < t.view.length() && i - end < 88 && isBase64(t.view.charAt(i))) {
        i++;
      }
      int body = i - end;
      while (i < t.view.length() && i - end < 88 && t.view.charAt(i) == '=') {
        i++;
      }
      if (body < 80 || i - end != 88 || isBase64(t.at(i))) {
        return;
      }
      t.report(this, end, i, t.view.substring(end, i), MASK);
    }
  }

  /**
   * An AWS secret access key: 40 characters of [A-Za-z0-9/+] with no prefix of its own, so it is
   * recognised only by its context in the same string, within {@link #WINDOW} characters: after a
   * word naming it ({@code aws_secret_access_key}, {@code secret access key}, {@code aws_secret}),
   * or on either side of an access key id ({@code AKIA}/{@code ASIA} and 16 characters). The run
   * must stand alone (no base64 character or {@code =} next to it) and mix upper and lower case
   * with a digit, {@code /} or {@code +}: a git SHA (lower-case hex), a base64 SHA-256 (44
   * characters with padding) or a word does not pass.
   */
  static final class AwsSecretKey extends Finder {
    static final int WINDOW = 100;
    private static final int LENGTH = 40;
    private static final List<String> WORDS =
        List.of(
            "secret_access_key",
            "secret access key",
            "secret-access-key",
            "secretaccesskey",
            "aws_secret",
            "aws secret",
            "aws-secret");
    private static final List<String> ANCHORS =
        java.util.stream.Stream.concat(WORDS.stream(), java.util.stream.Stream.of("akia", "asia"))
            .toList();

    AwsSecretKey() {
      super("aws-secret-key", LABEL);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return ANCHORS;
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      String v = t.view;
      if (anchor >= WORDS.size()) {
        // an access key id: upper case, 16 more upper-case letters or digits, alone
        if (!(v.startsWith("AKIA", start) || v.startsWith("ASIA", start))
            || Text.isWordChar(t.at(start - 1))) {
          return;
        }
        int i = end;
        while (i < v.length() && isUpperAlnum(v.charAt(i))) {
          i++;
        }
        if (i - end != 16) {
          return;
        }
        find(t, Math.max(0, start - WINDOW), start);
        find(t, i, Math.min(v.length(), i + WINDOW));
        return;
      }
      find(t, end, Math.min(v.length(), end + WINDOW));
    }

    /** Reports the first standalone key-like run of 40 characters in {@code [from, to)}. */
    private void find(Text t, int from, int to) {
      String v = t.view;
      int i = from;
      while (i < to) {
        if (!isBase64(v.charAt(i))) {
          i++;
          continue;
        }
        int s = i;
        while (i < v.length() && isBase64(v.charAt(i))) {
          i++;
        }
        if (i - s == LENGTH
            && !isBase64(t.at(s - 1))
            && !isBase64OrPad(t.at(i))
            && looksRandom(v, s, i)
            && !t.overlapsReported(s, i)) {
          t.report(this, s, i, v.substring(s, i), MASK);
          return;
        }
      }
    }

    private static boolean isBase64OrPad(char c) {
      return isBase64(c) || c == '=';
    }

    private static boolean looksRandom(String v, int s, int e) {
      boolean lower = false;
      boolean upper = false;
      boolean other = false;
      for (int i = s; i < e; i++) {
        char c = v.charAt(i);
        if (c >= 'a' && c <= 'z') {
          lower = true;
        } else if (c >= 'A' && c <= 'Z') {
          upper = true;
        } else {
          other = true;
        }
      }
      return lower && upper && other && entropy(v.substring(s, e)) >= 4.0;
    }
  }

  static boolean isBase64(char c) {
    return Text.isAlnum(c) || c == '+' || c == '/';
  }

  /** A Slack incoming-webhook URL: its path is the secret. */
  static final class SlackWebhook extends Finder {
    SlackWebhook() {
      super("slack-token", LABEL);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return List.of("hooks.slack.com/services/");
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      int i = end;
      while (i < t.view.length()
          && i - end < 256
          && (isWordToken(t.view.charAt(i)) || t.view.charAt(i) == '/')) {
        i++;
      }
      if (i - end < 20) {
        return;
      }
      t.report(this, start, i, t.view.substring(start, i), "hooks.slack.com/services/" + MASK);
    }
  }

  /** A PEM private key: from its BEGIN line to its END line (or the end of its base64 body). */
  static final class PrivateKey extends Finder {
    private static final int MAX_PEM = 20_000;

    PrivateKey() {
      super("private-key", LABEL);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return List.of("-----begin ");
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      String v = t.view;
      int i = end;
      while (i < v.length() && i - end < 40 && (isUpperAlnum(v.charAt(i)) || v.charAt(i) == ' ')) {
        i++;
      }
      String kind = v.substring(end, i);
      if (!kind.endsWith("PRIVATE KEY") || !v.startsWith("-----", i)) {
        return;
      }
      int headerEnd = i + 5;
      int stop = t.pemEnd(headerEnd);
      int finish;
      if (stop >= 0 && stop - headerEnd < MAX_PEM) {
        finish = stop + 8;
        while (finish < v.length() && finish - stop < 48 && v.charAt(finish) != '\n') {
          if (v.startsWith("-----", finish)) {
            finish += 5;
            break;
          }
          finish++;
        }
      } else {
        // No END line (a key cut short): the base64 body after the header is the secret.
        finish = headerEnd;
        while (finish < v.length()
            && finish - headerEnd < MAX_PEM
            && (isBase64(v.charAt(finish)) || "=\r\n\t \\".indexOf(v.charAt(finish)) >= 0)) {
          finish++;
        }
      }
      t.report(
          this, start, finish, v.substring(start, finish), v.substring(start, headerEnd) + " •••");
    }
  }

  /** A JSON Web Token: three base64url segments whose header decodes to JSON with {@code alg}. */
  static final class Jwt extends Finder {
    private static final int MAX_SEGMENT = 16_384;

    Jwt() {
      super("jwt", LABEL);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return List.of("eyJ");
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      String v = t.view;
      if (!v.startsWith("eyJ", start) || isTokenChar(t.at(start - 1)) || t.covered(this, start)) {
        return;
      }
      int headerEnd = segment(v, start);
      if (t.at(headerEnd) != '.' || !v.startsWith("eyJ", headerEnd + 1)) {
        return;
      }
      int payloadEnd = segment(v, headerEnd + 1);
      if (payloadEnd - headerEnd < 8 || t.at(payloadEnd) != '.') {
        return;
      }
      int signatureEnd = segment(v, payloadEnd + 1);
      String header = decodeUrl(v.substring(start, headerEnd));
      if (header == null || !header.contains("\"alg\"")) {
        return;
      }
      t.report(this, start, signatureEnd, v.substring(start, signatureEnd), "eyJ" + MASK);
    }

    private static int segment(String v, int from) {
      int i = from;
      while (i < v.length() && i - from < MAX_SEGMENT && isTokenChar(v.charAt(i))) {
        i++;
      }
      return i;
    }
  }

  /** Base64url without padding to text, or {@code null}. */
  static String decodeUrl(String segment) {
    try {
      return new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The password of {@code scheme://user:password@host}: only the password is the secret. */
  static final class ConnectionPassword extends Finder {
    ConnectionPassword() {
      super("connection-password", LABEL);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return List.of("://");
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      String v = t.view;
      int s = start;
      while (s > 0 && start - s < 32 && isSchemeChar(v.charAt(s - 1))) {
        s--;
      }
      if (s == start || !Text.isAsciiLetter(v.charAt(s))) {
        return;
      }
      int colon = -1;
      int at = -1;
      for (int i = end; i < v.length() && i - end < 256; i++) {
        char c = v.charAt(i);
        if (c == '@') {
          at = i;
          break;
        }
        if (c == ':' && colon < 0) {
          colon = i;
        }
        if (c == '/'
            || c == '?'
            || c == '#'
            || Character.isWhitespace(c)
            || c == '"'
            || c == '\''
            || c == '<'
            || c == '>') {
          break;
        }
      }
      if (colon < 0 || at < 0 || at == colon + 1) {
        return;
      }
      String password = v.substring(colon + 1, at);
      if (isPlaceholder(password)) {
        return;
      }
      t.report(this, colon + 1, at, password, "••••");
    }

    private static boolean isSchemeChar(char c) {
      return Text.isAlnum(c) || c == '+' || c == '.' || c == '-';
    }
  }

  static boolean isPlaceholder(String value) {
    String v = value.toLowerCase(Locale.ROOT);
    return v.startsWith("${")
        || v.startsWith("{{")
        || v.startsWith("<")
        || v.startsWith("%")
        || v.startsWith("$")
        || v.contains("xxxx")
        || v.contains("****")
        || v.contains("•")
        || v.contains("changeme")
        || v.contains("placeholder")
        || v.contains("redacted")
        || v.contains("example")
        || v.startsWith("your")
        || v.equals("password")
        || v.equals("secret");
  }

  /**
   * Key words that announce a secret, in prose ({@code password: X}, {@code token=X}) or as the key
   * of a map entry whose value is the secret.
   */
  static final List<String> KEY_WORDS =
      List.of(
          "password",
          "passwd",
          "passphrase",
          "pwd",
          "secret",
          "token",
          "api_key",
          "apikey",
          "api-key",
          "access_key",
          "accesskey",
          "access-key",
          "credential",
          "private_key",
          "bearer");

  /** Whether a map key names a secret, so that its string value is checked as one. */
  static boolean isSecretKey(String foldedKey) {
    for (int i = 0; i < KEY_WORDS.size(); i++) { // no iterator: this runs for every map key
      if (foldedKey.contains(KEY_WORDS.get(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code token} looks like a secret rather than a word, a number or a name: at least 8
   * characters, and either three character classes (lower, upper, digit, symbol), or digits with
   * letters over 16 characters, or 20 characters of high entropy; never a placeholder.
   */
  static boolean isSecretLike(String token) {
    int n = token.length();
    if (n < 8 || n > 512 || isPlaceholder(token) || token.contains("://")) {
      return false;
    }
    boolean lower = false;
    boolean upper = false;
    boolean digit = false;
    boolean symbol = false;
    for (int i = 0; i < n; i++) {
      char c = token.charAt(i);
      if (Character.isWhitespace(c)) {
        return false;
      }
      if (c >= 'a' && c <= 'z') {
        lower = true;
      } else if (c >= 'A' && c <= 'Z') {
        upper = true;
      } else if (Text.isDigit(c)) {
        digit = true;
      } else {
        symbol = true;
      }
    }
    int classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
    double entropy = entropy(token);
    if (!(lower || upper)) {
      return false;
    }
    if (classes >= 3) {
      return entropy >= 2.5;
    }
    if (classes == 2 && digit && n >= 16) {
      return entropy >= 3.0;
    }
    return classes == 2 && n >= 20 && entropy >= 3.5 && !symbol;
  }

  /** Shannon entropy in bits per character. */
  static double entropy(String s) {
    int[] counts = new int[128];
    int other = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 128) {
        counts[c]++;
      } else {
        other++;
      }
    }
    double h = 0;
    double n = s.length();
    for (int count : counts) {
      if (count > 0) {
        double p = count / n;
        h -= p * Math.log(p);
      }
    }
    if (other > 0) {
      double p = other / n;
      h -= p * Math.log(p);
    }
    return h / Math.log(2);
  }

  /**
   * A secret announced by a key word in the same string: {@code password: X}, {@code "api_key":
   * "X"}, {@code token=X}, {@code Bearer X}. The word may carry a short suffix ({@code secret_key},
   * {@code tokens}) and a prefix ({@code client_secret}).
   */
  static final class GenericSecret extends Finder {
    static final String NAME = "generic-secret";
    private static final int MAX_TOKEN = 512;

    GenericSecret() {
      super(NAME, LABEL);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return KEY_WORDS;
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      String v = t.view;
      boolean bearer = KEY_WORDS.get(anchor).equals("bearer");
      int i = end;
      while (i < v.length() && i - end < 12 && (isWordToken(v.charAt(i)) || v.charAt(i) == '-')) {
        i++;
      }
      if (i < v.length() && (v.charAt(i) == '"' || v.charAt(i) == '\'')) {
        i++;
      }
      while (i < v.length() && v.charAt(i) == ' ') {
        i++;
      }
      boolean separated = false;
      if (i < v.length() && (v.charAt(i) == ':' || v.charAt(i) == '=')) {
        i++;
        if (i < v.length() && (v.charAt(i) == '=' || v.charAt(i) == '>')) {
          i++;
        }
        separated = true;
      } else if (bearer && i > end) {
        separated = true;
      }
      if (!separated) {
        return;
      }
      while (i < v.length() && (v.charAt(i) == ' ' || v.charAt(i) == '\t')) {
        i++;
      }
      if (i < v.length() && (v.charAt(i) == '"' || v.charAt(i) == '\'')) {
        i++;
      }
      if (v.regionMatches(true, i, "bearer ", 0, 7)) {
        i += 7;
      }
      int tokenStart = i;
      while (i < v.length() && i - tokenStart <= MAX_TOKEN && isSecretChar(v.charAt(i))) {
        i++;
      }
      // A quote or bracket that closes the value is not part of it; trailing punctuation of a
      // sentence is not either.
      while (i > tokenStart && ".,;".indexOf(v.charAt(i - 1)) >= 0) {
        i--;
      }
      String token = v.substring(tokenStart, i);
      if (t.overlapsReported(tokenStart, i) || !isSecretLike(token)) {
        return;
      }
      t.report(this, tokenStart, i, token, MASK);
    }

    /** The whole string as a secret: it is the value of a map entry whose key names one. */
    void asValue(Text t) {
      String v = t.view;
      int s = 0;
      int e = v.length();
      while (s < e && Character.isWhitespace(v.charAt(s))) {
        s++;
      }
      while (e > s && Character.isWhitespace(v.charAt(e - 1))) {
        e--;
      }
      if (v.regionMatches(true, s, "bearer ", 0, 7) || v.regionMatches(true, s, "basic ", 0, 6)) {
        // the space may be past e when trailing space was trimmed ("bearer ")
        s = Math.min(e, v.indexOf(' ', s) + 1);
      }
      String token = v.substring(s, e);
      if (t.overlapsReported(s, e) || !isSecretLike(token)) {
        return;
      }
      t.report(this, s, e, token, MASK);
    }

    private static boolean isSecretChar(char c) {
      return c > ' ' && c < 127 && "\"'`,;<>(){}[]".indexOf(c) < 0;
    }
  }
}
