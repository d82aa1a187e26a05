package dev.tollgate.engine.internal.scan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in detectors of numbers: IBANs and payment cards (label {@code financial}), phone
 * numbers and US social security numbers (label {@code personal}). They wake when the pass saw a
 * digit, group the text's digit runs into chunks joined by single separators (so {@code 4242 4242
 * 4242 4242} and {@code 123-45-6789} are one value each), and accept a chunk only when a checksum
 * or a rule holds: mod 97 for IBANs, Luhn and issuer prefixes for cards, area/group/serial rules
 * for SSNs, and for phone numbers the international {@code +} form or a context word nearby.
 */
final class Numbers {
  private Numbers() {}

  /** Digit runs of a text joined by allowed separators: {@code starts[k]..ends[k]} is group k. */
  record Chunk(int[] starts, int[] ends, int count) {
    int start() {
      return starts[0];
    }

    int end() {
      return ends[count - 1];
    }

    int digits(int from, int to) {
      int n = 0;
      for (int k = from; k <= to; k++) {
        n += ends[k] - starts[k];
      }
      return n;
    }

    int length(int k) {
      return ends[k] - starts[k];
    }

    String digitsOf(String view, int from, int to) {
      StringBuilder out = new StringBuilder();
      for (int k = from; k <= to; k++) {
        out.append(view, starts[k], ends[k]);
      }
      return out.toString();
    }
  }

  private static final int MAX_GROUPS = 12;

  /**
   * Fewest digits any numeric detector accepts (a phone number in E.164 form): shorter chunks are
   * not materialized, which keeps dates, times, amounts and counts cheap.
   */
  static final int MIN_CHUNK_DIGITS = 8;

  /**
   * The chunks of a text with {@value #MIN_CHUNK_DIGITS} digits or more: with {@code phoneStyle},
   * gaps of one or two of {@code " -.()"}; else a single space or dash.
   */
  static Chunk[] chunks(Text t, boolean phoneStyle) {
    if (!phoneStyle && t.maxChunkDigits < MIN_CHUNK_DIGITS) {
      return new Chunk[0];
    }
    Text.Ints runs = t.digitRuns;
    int n = runs.size() / 2;
    List<Chunk> out = new ArrayList<>();
    int i = 0;
    while (i < n) {
      int j = i;
      int digits = runs.get(2 * i + 1) - runs.get(2 * i);
      while (j + 1 < n
          && j + 1 - i < MAX_GROUPS
          && gapAllowed(t.view, runs.get(2 * j + 1), runs.get(2 * (j + 1)), phoneStyle)) {
        j++;
        digits += runs.get(2 * j + 1) - runs.get(2 * j);
      }
      if (digits >= MIN_CHUNK_DIGITS) {
        int count = j - i + 1;
        int[] starts = new int[count];
        int[] ends = new int[count];
        for (int k = 0; k < count; k++) {
          starts[k] = runs.get(2 * (i + k));
          ends[k] = runs.get(2 * (i + k) + 1);
        }
        out.add(new Chunk(starts, ends, count));
      }
      i = j + 1;
    }
    return out.toArray(new Chunk[0]);
  }

  private static boolean gapAllowed(String v, int from, int to, boolean phoneStyle) {
    int width = to - from;
    if (!phoneStyle) {
      return width == 1 && (v.charAt(from) == ' ' || v.charAt(from) == '-');
    }
    if (width < 1 || width > 2) {
      return false;
    }
    for (int k = from; k < to; k++) {
      if (" -.()".indexOf(v.charAt(k)) < 0) {
        return false;
      }
    }
    // Two-character gaps are an area code's parenthesis and a space: "(030) 1234", "+1 (415)".
    // Others, like the ". " that ends a sentence, end the number.
    return width == 1
        || (v.charAt(from) != v.charAt(from + 1)
            && (v.charAt(from) == '(' || v.charAt(from) == ')' || v.charAt(from + 1) == '('));
  }

  /** The excerpt of a number: every digit but the last {@code keep} masked, separators kept. */
  static String maskDigits(String text, int keep) {
    int digits = 0;
    for (int i = 0; i < text.length(); i++) {
      if (Text.isDigit(text.charAt(i))) {
        digits++;
      }
    }
    StringBuilder out = new StringBuilder(text.length());
    int seen = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Text.isDigit(c)) {
        seen++;
        out.append(seen > digits - keep ? c : '•');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static boolean luhn(String digits) {
    int sum = 0;
    boolean twice = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (twice) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      twice = !twice;
    }
    return sum % 10 == 0;
  }

  /** Whether the number starts like a card of a known network and has that network's length. */
  static boolean plausibleIssuer(String d) {
    int n = d.length();
    int p2 = Integer.parseInt(d.substring(0, 2));
    int p3 = Integer.parseInt(d.substring(0, 3));
    int p4 = Integer.parseInt(d.substring(0, 4));
    boolean visa = d.charAt(0) == '4' && (n == 13 || n == 16 || n == 19);
    boolean mastercard = ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n == 16;
    boolean amex = (p2 == 34 || p2 == 37) && n == 15;
    boolean discover = (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65) && n >= 16;
    boolean jcb = p4 >= 3528 && p4 <= 3589 && n >= 16;
    boolean diners = ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) && n >= 14;
    boolean unionPay = p2 == 62 && n >= 16;
    boolean maestro = (p2 == 50 || (p2 >= 56 && p2 <= 58) || p2 == 63 || p2 == 67) && n >= 13;
    return visa || mastercard || amex || discover || jcb || diners || unionPay || maestro;
  }

  /** A payment card number: 13 to 19 digits, whole or in groups, Luhn-valid, known issuer. */
  static final class PaymentCard extends Finder {
    PaymentCard() {
      super("payment-card", "financial");
    }

    @Override
    Trigger trigger() {
      return Trigger.DIGITS;
    }

    @Override
    void afterPass(Text t) {
      if (t.maxChunkDigits < 13) {
        return;
      }
      for (Chunk c : t.chunks(false)) {
        boolean leftOpen = !Text.isWordChar(t.at(c.start() - 1)) && t.at(c.start() - 1) != '.';
        boolean rightOpen = !Text.isWordChar(t.at(c.end()));
        int a = 0;
        while (a < c.count()) {
          int matched = -1;
          for (int b = c.count() - 1; b >= a; b--) {
            int digits = c.digits(a, b);
            if (digits < 13 || digits > 19) {
              continue;
            }
            if ((a == 0 && !leftOpen) || (b == c.count() - 1 && !rightOpen)) {
              continue;
            }
            if (!grouped(c, a, b)) {
              continue;
            }
            String number = c.digitsOf(t.view, a, b);
            if (luhn(number)
                && plausibleIssuer(number)
                && !t.overlapsReported(c.starts()[a], c.ends()[b])) {
              t.report(
                  this,
                  c.starts()[a],
                  c.ends()[b],
                  number,
                  "•••• •••• •••• " + number.substring(number.length() - 4));
              matched = b;
              break;
            }
          }
          a = matched >= 0 ? matched + 1 : a + 1;
        }
      }
    }

    /** Cards are written whole or in groups of 4 to 6 digits (the last group may be shorter). */
    private static boolean grouped(Chunk c, int a, int b) {
      for (int k = a; k < b; k++) {
        if (c.length(k) < 4 || c.length(k) > 6) {
          return false;
        }
      }
      return true;
    }
  }

  /** Lengths of IBANs by country (ISO 13616 registry). */
  static final Map<String, Integer> IBAN_LENGTHS = new HashMap<>();

  static {
    String table =
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22"
            + " DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28"
            + " HN28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20"
            + " LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28"
            + " PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28"
            + " TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30";
    for (String entry : table.split(" ")) {
      IBAN_LENGTHS.put(entry.substring(0, 2), Integer.parseInt(entry.substring(2)));
    }
  }

  /** ISO 7064 mod 97-10 over the IBAN moved round (country and check digits last). */
  static boolean mod97(String iban) {
    String moved = iban.substring(4) + iban.substring(0, 4);
    int remainder = 0;
    for (int i = 0; i < moved.length(); i++) {
      char c = moved.charAt(i);
      int value = Text.isDigit(c) ? c - '0' : Character.toUpperCase(c) - 'A' + 10;
      remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
    }
    return remainder == 1;
  }

  /** An IBAN: country code, check digits and the country's length, spaces allowed, mod 97. */
  static final class Iban extends Finder {
    Iban() {
      super("iban", "financial");
    }

    @Override
    Trigger trigger() {
      return Trigger.DIGITS;
    }

    @Override
    void afterPass(Text t) {
      if (!t.ibanCandidate) {
        return;
      }
      String v = t.view;
      for (int r = 0; r < t.digitRuns.size(); r += 2) {
        int p = t.digitRuns.get(r);
        if (p < 2 || t.digitRuns.get(r + 1) - p < 2) {
          continue;
        }
        char c0 = v.charAt(p - 2);
        char c1 = v.charAt(p - 1);
        if (!Text.isAsciiLetter(c0) || !Text.isAsciiLetter(c1) || Text.isWordChar(t.at(p - 3))) {
          continue;
        }
        String country = ("" + c0 + c1).toUpperCase(java.util.Locale.ROOT);
        Integer length = IBAN_LENGTHS.get(country);
        if (length == null) {
          continue;
        }
        StringBuilder iban = new StringBuilder(length);
        int i = p - 2;
        while (iban.length() < length && i < v.length()) {
          char c = v.charAt(i);
          if (Text.isAlnum(c)) {
            iban.append(c);
            i++;
          } else if ((c == ' ' || c == '-')
              && i + 1 < v.length()
              && Text.isAlnum(v.charAt(i + 1))) {
            i++;
          } else {
            break;
          }
        }
        if (iban.length() != length || Text.isWordChar(t.at(i)) || !mod97(iban.toString())) {
          continue;
        }
        String value = iban.toString().toUpperCase(java.util.Locale.ROOT);
        t.report(
            this,
            p - 2,
            i,
            value,
            value.substring(0, 4) + " •••• •••• " + value.substring(value.length() - 4));
      }
    }
  }

  /**
   * A US social security number: {@code 123-45-6789} alone, or spaced or bare nine digits beside a
   * context word; area not 000, 666 or 900-999, group not 00, serial not 0000.
   */
  static final class Ssn extends Finder {
    Ssn() {
      super("ssn", "personal");
    }

    @Override
    Trigger trigger() {
      return Trigger.DIGITS;
    }

    @Override
    void afterPass(Text t) {
      // Without a context word only the dashed form counts: look for it in the digit runs before
      // building chunks (dates and times in logs make chunks of nine digits and more).
      if (t.maxChunkDigits < 9 || (t.ssnContext.isEmpty() && !hasDashedForm(t))) {
        return;
      }
      for (Chunk c : t.chunks(false)) {
        if (Text.isWordChar(t.at(c.start() - 1)) || Text.isWordChar(t.at(c.end()))) {
          continue;
        }
        boolean context = Text.near(t.ssnContext, c.start(), 40);
        boolean dashed =
            c.count() == 3
                && c.length(0) == 3
                && c.length(1) == 2
                && c.length(2) == 4
                && t.at(c.ends()[0]) == t.at(c.ends()[1]);
        boolean accepted =
            (dashed && (t.at(c.ends()[0]) == '-' || context))
                || (c.count() == 1 && c.length(0) == 9 && context);
        if (!accepted || t.at(c.start() - 1) == '-' || t.at(c.end()) == '-') {
          continue;
        }
        String digits = c.digitsOf(t.view, 0, c.count() - 1);
        if (!valid(digits) || t.overlapsReported(c.start(), c.end())) {
          continue;
        }
        t.report(this, c.start(), c.end(), digits, "•••-••-••" + digits.substring(7));
      }
    }

    /** Whether three digit runs of 3, 2 and 4 digits are joined by single dashes. */
    private static boolean hasDashedForm(Text t) {
      Text.Ints runs = t.digitRuns;
      for (int r = 0; r + 5 < runs.size(); r += 2) {
        int s0 = runs.get(r);
        int e0 = runs.get(r + 1);
        int s1 = runs.get(r + 2);
        int e1 = runs.get(r + 3);
        int s2 = runs.get(r + 4);
        int e2 = runs.get(r + 5);
        if (e0 - s0 == 3
            && e1 - s1 == 2
            && e2 - s2 == 4
            && s1 == e0 + 1
            && s2 == e1 + 1
            && t.at(e0) == '-'
            && t.at(e1) == '-') {
          return true;
        }
      }
      return false;
    }

    static boolean valid(String digits) {
      int area = Integer.parseInt(digits.substring(0, 3));
      int group = Integer.parseInt(digits.substring(3, 5));
      int serial = Integer.parseInt(digits.substring(5));
      return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    }
  }

  /**
   * A phone number: {@code +} and 8 to 15 digits (E.164), or a formatted national number (groups,
   * parentheses) of 9 to 12 digits within 30 characters after a context word such as phone, tel,
   * mobile or call. Dates, IP addresses and version strings have no {@code +} and no context word.
   */
  static final class Phone extends Finder {
    Phone() {
      super("phone", "personal");
    }

    @Override
    Trigger trigger() {
      return Trigger.DIGITS;
    }

    @Override
    void afterPass(Text t) {
      if (!t.plus && t.phoneContext.isEmpty()) {
        return;
      }
      for (Chunk c : t.chunks(true)) {
        int start = c.start();
        boolean plus = t.at(start - 1) == '+' || (t.at(start - 1) == ' ' && t.at(start - 2) == '+');
        boolean paren = t.at(start - 1) == '(';
        int from =
            plus ? (t.at(start - 1) == '+' ? start - 1 : start - 2) : paren ? start - 1 : start;
        if (Text.isWordChar(t.at(from - 1)) || Text.isWordChar(t.at(c.end()))) {
          continue;
        }
        if (".-/".indexOf(t.at(from - 1)) >= 0 && from > 0 || t.at(c.end()) == '-') {
          continue;
        }
        int digits = c.digits(0, c.count() - 1);
        boolean accepted;
        if (plus) {
          accepted =
              digits >= 8 && digits <= 15 && t.at(start) != '0' && (c.count() > 1 || digits >= 10);
        } else {
          accepted =
              digits >= 9
                  && digits <= 12
                  && (c.count() > 1 || paren)
                  && Text.near(t.phoneContext, from, 30)
                  && !looksLikeAddressOrDate(t, c);
        }
        if (!accepted || t.overlapsReported(from, c.end())) {
          continue;
        }
        String shown = t.view.substring(from, c.end());
        t.report(this, from, c.end(), c.digitsOf(t.view, 0, c.count() - 1), maskDigits(shown, 2));
      }
    }

    private static boolean looksLikeAddressOrDate(Text t, Chunk c) {
      boolean dotsOnly = true;
      for (int k = 0; k + 1 < c.count(); k++) {
        if (t.at(c.ends()[k]) != '.') {
          dotsOnly = false;
        }
      }
      if (dotsOnly && c.count() == 4) {
        return true;
      }
      return c.count() == 3
          && ((c.length(0) == 4 && c.length(1) == 2 && c.length(2) == 2)
              || (c.length(0) == 2 && c.length(1) == 2 && c.length(2) == 4));
    }
  }

  /**
   * Context words for the numeric detectors: it records where they end, and reports nothing itself.
   * A word counts only at a word start (so {@code hotel} is not {@code tel}).
   */
  static final class ContextWords extends Finder {
    private final List<String> words;
    private final boolean phone;

    ContextWords(boolean phone) {
      super(phone ? "context:phone" : "context:ssn", "");
      this.phone = phone;
      this.words =
          phone
              ? List.of(
                  "phone",
                  "tel",
                  "mobile",
                  "cell",
                  "call",
                  "fax",
                  "whatsapp",
                  "telefon",
                  "handy",
                  "mob.")
              : List.of("ssn", "social security", "ss#", "soc. sec", "soc sec");
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return words;
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      if (Text.isAsciiLetter(t.at(start - 1))) {
        return;
      }
      (phone ? t.phoneContext : t.ssnContext).add(end);
    }
  }
}
