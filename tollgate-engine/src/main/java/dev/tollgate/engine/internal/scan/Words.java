package dev.tollgate.engine.internal.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Built-in detectors that read words: e-mail addresses, invoice and account numbers announced by
 * their word, and instruction-like text (label {@code injection}).
 */
final class Words {
  private Words() {}

  /** An e-mail address around an {@code @}: a local part and a domain with a letter TLD. */
  static final class Email extends Finder {
    private static final List<String> FILE_EXTENSIONS =
        List.of("png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css", "ts");

    Email() {
      super("email", "personal");
    }

    @Override
    Trigger trigger() {
      return Trigger.AT_SIGN;
    }

    @Override
    void afterPass(Text t) {
      String v = t.view;
      for (int k = 0; k < t.atSigns.size(); k++) {
        int at = t.atSigns.get(k);
        int s = at;
        while (s > 0 && at - s < 64 && isLocalChar(v.charAt(s - 1))) {
          s--;
        }
        while (s < at && !Text.isAlnum(v.charAt(s))) {
          s++;
        }
        if (s == at || t.at(s - 1) == ':' || t.at(s - 1) == '/') {
          continue;
        }
        int e = at + 1;
        int lastDot = -1;
        while (e < v.length() && e - at < 254 && isDomainChar(v.charAt(e))) {
          if (v.charAt(e) == '.') {
            lastDot = e;
          }
          e++;
        }
        while (e > at + 1 && (v.charAt(e - 1) == '.' || v.charAt(e - 1) == '-')) {
          e--;
        }
        if (lastDot >= e - 1 || lastDot <= at + 1) {
          lastDot = v.lastIndexOf('.', e - 1);
        }
        if (lastDot <= at + 1 || e - lastDot - 1 < 2 || v.charAt(at + 1) == '.') {
          continue;
        }
        if (!allLetters(v, lastDot + 1, e) || isFileExtension(v, lastDot + 1, e)) {
          continue;
        }
        if (t.overlapsReported(s, e)) {
          continue; // part of a secret found first, like the password of user:password@host
        }
        String address = v.substring(s, e);
        t.report(this, s, e, address, address.charAt(0) + "•••" + v.substring(at, e));
      }
    }

    // Per @ sign of every string: compared in place, no substring of the top-level domain.
    private static boolean allLetters(String v, int from, int to) {
      for (int i = from; i < to; i++) {
        if (!Text.isAsciiLetter(v.charAt(i))) {
          return false;
        }
      }
      return true;
    }

    private static boolean isFileExtension(String v, int from, int to) {
      for (String ext : FILE_EXTENSIONS) {
        if (ext.length() == to - from && v.regionMatches(true, from, ext, 0, ext.length())) {
          return true;
        }
      }
      return false;
    }

    private static boolean isLocalChar(char c) {
      return Text.isAlnum(c) || ".%+-_".indexOf(c) >= 0;
    }

    private static boolean isDomainChar(char c) {
      return Text.isAlnum(c) || c == '.' || c == '-';
    }
  }

  /**
   * An invoice or account number announced by its word: {@code invoice no. 4471}, {@code INV-2024-
   * 0042}, {@code acct #: 12345678}, {@code a/c 0042-7781}. The id must hold digits (invoices two,
   * accounts four); a date or a bare year is not an id.
   */
  static final class AnnouncedNumber extends Finder {
    private static final List<String> NUMBER_WORDS =
        List.of("number", "num", "nr", "no", "n°", "nº", "#");

    private final List<String> words;
    private final int minDigits;

    AnnouncedNumber(String name, List<String> words, int minDigits) {
      super(name, "financial");
      this.words = words;
      this.minDigits = minDigits;
    }

    static AnnouncedNumber invoice() {
      return new AnnouncedNumber(
          "invoice-number", List.of("invoice", "inv", "rechnung", "facture"), 2);
    }

    static AnnouncedNumber account() {
      return new AnnouncedNumber("account-number", List.of("account", "acct", "a/c"), 4);
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
      String v = t.view;
      if (Text.isWordChar(t.at(start - 1)) || Text.isWordChar(t.at(end))) {
        return;
      }
      int i = skip(v, end, " \t:#.-", 4);
      for (String word : NUMBER_WORDS) {
        if (v.regionMatches(true, i, word, 0, word.length())
            && !Text.isAsciiLetter(t.at(i + word.length()))) {
          i = skip(v, i + word.length(), " \t:#.", 3);
          break;
        }
      }
      int s = i;
      int digits = 0;
      while (i < v.length() && i - s < 40 && isIdChar(v.charAt(i))) {
        if (Text.isDigit(v.charAt(i))) {
          digits++;
        }
        i++;
      }
      while (i > s && "-/_".indexOf(v.charAt(i - 1)) >= 0) {
        i--;
      }
      if (i == s || !Text.isAlnum(v.charAt(s)) || Text.isWordChar(t.at(i))) {
        return;
      }
      int length = i - s;
      if (digits < minDigits
          || length < 3
          || isIsoDate(v, s, i)
          || (length == 4 && digits == 4 && (v.startsWith("19", s) || v.startsWith("20", s)))
          || t.covered(this, s)) {
        return;
      }
      String id = v.substring(s, i);
      t.report(this, s, i, id, Configured.mask(id));
    }

    /** Whether {@code v[s, e)} is {@code dddd-dd-dd}: a date, not an id (no regex per anchor). */
    static boolean isIsoDate(String v, int s, int e) {
      if (e - s != 10) {
        return false;
      }
      for (int k = 0; k < 10; k++) {
        char c = v.charAt(s + k);
        if (k == 4 || k == 7 ? c != '-' : !Text.isDigit(c)) {
          return false;
        }
      }
      return true;
    }

    private static int skip(String v, int from, String chars, int max) {
      int i = from;
      while (i < v.length() && i - from < max && chars.indexOf(v.charAt(i)) >= 0) {
        i++;
      }
      return i;
    }

    private static boolean isIdChar(char c) {
      return Text.isAlnum(c) || c == '-' || c == '/' || c == '_';
    }
  }

  /**
   * Instruction-like text: the "ignore previous instructions" family and its paraphrases, chat role
   * markers, imperatives addressed to an assistant, and (see {@link #hidden}) hidden Unicode. Each
   * phrase's first words are an anchor; a short regular expression then reads the next characters
   * only, so the cost stays with the anchors.
   */
  static final class Instructions extends Finder {
    static final String NAME = "instructions";

    private static final String QUALIFIERS =
        "all|any|every|the|your|my|our|these|those|of|everything|previous|previously|prior|above"
            + "|earlier|preceding|foregoing|original|initial|current|existing|system|safety|and"
            + "|given|former|developer";
    private static final Pattern FAMILY =
        Pattern.compile(
            "(?:ignore|disregard|forget|override|bypass)\\s+(?:(?:"
                + QUALIFIERS
                + ")\\s+){0,5}(?:instructions?|prompts?|rules|directions|directives|guidelines"
                + "|commands|context|messages|guidance|programming|constraints|restrictions"
                + "|policies|above|before)\\b");
    private static final Pattern STRONG =
        Pattern.compile(
            "\\b(?:all|any|your|previous|previously|prior|above|earlier|preceding|foregoing"
                + "|original|initial|system|former|developer|before)\\b");
    private static final Pattern YOU_ARE_NOW =
        Pattern.compile(
            "you are now (?:dan\\b|an? (?:unrestricted|unfiltered|different|new|evil|jailbroken"
                + "|ai|assistant|language model)|no longer|free (?:from|of)|unrestricted"
                + "|acting as|in (?:developer|dan|god|jailbreak) mode|jailbroken)");
    private static final Pattern AS_AN_AI =
        Pattern.compile(
            "as an ai(?: language model| assistant| model| agent)?,? you (?:must|should|will|need"
                + " to|are required to|have to)\\b");
    private static final Pattern SEND =
        Pattern.compile(
            "send (?:(?:all|the|this|these|your|my|every|of|entire|full|whole|complete|previous"
                + "|user's|stored|saved)\\s+){0,4}(?:conversation|chat|history|credentials"
                + "|passwords?|secrets?|api keys?|tokens?|system prompt|prompt|instructions"
                + "|(?<=all )(?:data|emails|files|contacts|documents|messages|summaries|notes"
                + "|replies|answers|results))\\b[^.\\n]{0,60}?"
                + "\\bto\\b");

    /** A directive after an address: what the text tells the reader to do. */
    private static final String DIRECTIVE =
        "\\s*(?:(?:please|kindly|also|then|and)\\s+)?[^.\\n]{0,60}?\\b(?:add|send|forward"
            + "|post|include|write|end|close|append|insert|mention|tell|reply|respond|invite|grant"
            + "|share|upload|delete|remove|run|execute|pay|transfer|click|visit|open|update|change"
            + "|use|copy|cc|bcc|always|never|do|make|put|unlock|disable|ignore|say|set|book|cancel"
            + "|move|create|schedule|confirm|approve|point|direct|redirect|ask|link|fetch|download"
            + "|install|sign|log)(?:s|d|ed|ing)?\\b";

    /**
     * Text addressed to an AI reader rather than to the person the content is for ("AI assistant:
     * in the invite write ...", "Assistants replying: include ...", "Bots managing this channel:
     * please add ...", "Whoever compiles notes for this channel: always send ...", "[Instruction
     * for the replying assistant: ...]", "<!-- assistant: ..."): a person is not told what to write
     * into their own reply.
     */
    private static final Pattern ADDRESSEE =
        Pattern.compile(
            "(?:(?:ai|llm|gpt|chatbot|copilot|automated|virtual)[ -]?(?:assistants?|agents?"
                + "|models?|bots?|helpers?)?\\s*[:,]"
                + "|(?:assistants|agents|bots)\\s*[:,]"
                + "|anyone'?s\\s+(?:ai\\s+)?(?:assistants?|agents?|bots?)\\s*[:,]"
                + "|(?:assistants?|agents?|bots?|models?)\\s+(?:replying|reading|managing"
                + "|processing|compiling|summari[sz]ing|handling|answering|drafting|writing"
                + "|that|who|which)\\b[^:.\\n]{0,50}[:,]"
                + "|whoever\\s+(?:compiles|reads|summari[sz]es|processes|handles|answers|replies"
                + "|drafts|writes|prepares)\\b[^:.\\n]{0,60}:)"
                + DIRECTIVE
                + "|instructions?\\s+(?:for|to)\\s+(?:the\\s+|any\\s+)?(?:ai\\s+|llm\\s+"
                + "|replying\\s+|automated\\s+|summari[sz]ing\\s+|reading\\s+)?(?:assistants?"
                + "|agents?|bots?|models?)\\b"
                + "|<!--\\s*(?:ai|assistant|agent|bot|llm|system|model)\\b"
                + "|when\\s+(?:summari[sz]ing|replying(?:\\s+to)?|answering|processing|compiling"
                + "|drafting|forwarding|reading|handling)\\s+(?:this|the|these)\\b[^.\\n]{0,40}?"
                + "[,:]\\s*(?:please\\s+)?(?:include|add|mention|write|append|insert|end|close|say"
                + "|tell|send|forward|cc|bcc|use|link|point)\\b");

    /**
     * A lure for the person who will read the text, of the kinds phishing uses: confirm an account
     * or hand over credentials at a link, pay at a new place, switch a protection off. Content that
     * says so to its reader is a lure whoever wrote it, and an agent that copies it into a message
     * makes it come from a colleague.
     */
    private static final Pattern LURE =
        Pattern.compile(
            "(?:re-?verify|re-?confirm|re-?authenticate|re-?enter|re-?validate|verify|confirm"
                + "|reset|rotate|validate)\\s+(?:your|their)\\s+(?:[\\w-]+\\s+){0,3}?(?:passwords?"
                + "|credentials|logins?|sso|sessions?|accounts?|api keys|keys|tokens?"
                + "|(?:bank|banking|payment|card) details|pin)\\b[^\\n]{0,40}?"
                + "(?:https?://|\\bat\\s|\\bhere\\b|\\bvia\\s)"
                + "|with your\\s+(?:[\\w-]+\\s+){0,3}?(?:passwords?|credentials|passcodes?|pin"
                + "|one-time codes?|2fa codes?|security codes?)\\b"
                + "|(?:turn off|switch off|disable|deactivate|uninstall|pause) (?:your|their)\\s+"
                + "(?:[\\w-]+\\s+)?"
                + "(?:antivirus|anti-virus|virus scanner|endpoint protection|firewall|2fa|mfa"
                + "|two-factor)"
                + "|(?:bank|banking|payment|account) details\\s+(?:have\\s+|has\\s+)?(?:changed"
                + "|been updated|were updated|are new)"
                + "|pre-?pay\\s+(?:[\\w-]+\\s+){0,4}?(?:deposit|fee|charge|balance)\\s+(?:at|via"
                + "|here|on)\\b");

    /**
     * A note addressed to AI assistants, in the languages a team writes ("Note for the
     * assistants:", "Nota para los asistentes:", "Hinweis für KI-Assistenten:"): content for people
     * does not address their assistants.
     */
    private static final Pattern NOTE_TO_ASSISTANTS =
        Pattern.compile(
            "(?:notes?|nota|notas|hinweis|remarque|reminder|aviso|avviso)\\s+(?:for|to|para|fur"
                + "|an|pour|aux?|per)\\s+(?:the\\s+|all\\s+|los\\s+|las\\s+|die\\s+|les\\s+"
                + "|den\\s+|gli\\s+|os\\s+)?(?:ai\\s+|ki-?\\s*|ia\\s+)?(?:assistants?"
                + "|asistentes?|assistent(?:en|es|s)?|assistentes?|assistenti|agents?|agentes?"
                + "|bots?)\\b");

    private static final Pattern FROM_NOW_ON =
        Pattern.compile("from now on,? (?:you )?(?:are|will|must|should|always|never)\\b");
    private static final Pattern CONCEAL =
        Pattern.compile(
            "(?:do not|don't|never|without)\\s+(?:tell|telling|mention|mentioning|inform|informing"
                + "|reveal|revealing|disclose|disclosing|show|showing|let|letting)\\b[^.\\n]{0,40}?"
                + "\\b(?:the |your )?user\\b");

    /** What a phrase is; its description is the excerpt (the phrase itself is the value). */
    private enum Kind {
      FAMILY("override of earlier instructions"),
      LINE_START("role marker"),
      MARKER("chat template marker"),
      PHRASE("concealment from the user"),
      YOU_ARE_NOW("persona override"),
      AS_AN_AI("imperative to the assistant"),
      SEND("request to send data out"),
      FROM_NOW_ON("imperative to the assistant"),
      ADDRESSEE("instructions addressed to an AI reader"),
      LURE("lure for the reader"),
      NOTE("note addressed to AI assistants");

      final String excerpt;

      Kind(String description) {
        this.excerpt = "[injection: " + description + "]";
      }
    }

    private final List<String> anchors = new ArrayList<>();
    private final List<Kind> kinds = new ArrayList<>();

    Instructions() {
      super(NAME, "injection");
      for (String verb : List.of("ignore", "disregard", "forget", "override", "bypass")) {
        add(verb, Kind.FAMILY);
      }
      add("system:", Kind.LINE_START);
      add("assistant:", Kind.LINE_START);
      for (String marker :
          List.of(
              "<|im_start|>",
              "<|im_end|>",
              "<|system|>",
              "[inst]",
              "<<sys>>",
              "### instruction",
              "### system",
              "new instructions:",
              "new instructions :",
              "updated instructions:")) {
        add(marker, Kind.MARKER);
      }
      for (String phrase : List.of("do not ", "don't ", "never ", "without ")) {
        add(phrase, Kind.PHRASE);
      }
      add("you are now", Kind.YOU_ARE_NOW);
      add("as an ai", Kind.AS_AN_AI);
      add("send ", Kind.SEND);
      add("from now on", Kind.FROM_NOW_ON);
      // one string, not a list of lines: the lures' anchors are many and short
      for (String anchor :
          ("re-verify|reverify|re-confirm|reconfirm|re-authenticate|reauthenticate"
                  + "|re-enter|reenter|re-validate|verify your|verify their|confirm your"
                  + "|confirm their|reset your|reset their|rotate your|rotate their"
                  + "|validate your|with your|turn off your|turn off their|switch off your"
                  + "|switch off their|disable your|disable their|deactivate your"
                  + "|deactivate their|uninstall your|uninstall their|pause your|pause their"
                  + "|bank details|banking details|payment details|account details|pre-pay"
                  + "|prepay")
              .split("\\|")) {
        add(anchor, Kind.LURE);
      }
      // with the word after them: "notes" alone is in every other text
      for (String anchor :
          ("note for|note to|notes for|notes to|nota para|notas para|hinweis fur|hinweis an"
                  + "|remarque pour|remarque aux|reminder for|reminder to|aviso para|avviso per")
              .split("\\|")) {
        add(anchor, Kind.NOTE);
      }
      // anchors as specific as the pattern allows: "ai" alone would start a match at every "aim"
      for (String anchor :
          List.of(
              "ai ",
              "ai-",
              "ai:",
              "ai,",
              "llm",
              "gpt",
              "chatbot",
              "copilot",
              "automated ",
              "virtual ",
              "assistant",
              "agent",
              "bot ",
              "bots",
              "bot:",
              "bot,",
              "model ",
              "models",
              "whoever ",
              "anyone",
              "instruction",
              "<!--",
              "when summar",
              "when repl",
              "when answer",
              "when process",
              "when compil",
              "when draft",
              "when forward",
              "when read",
              "when handl")) {
        add(anchor, Kind.ADDRESSEE);
      }
    }

    private void add(String anchor, Kind kind) {
      anchors.add(anchor);
      kinds.add(kind);
    }

    @Override
    Trigger trigger() {
      return Trigger.ANCHOR;
    }

    @Override
    List<String> anchors() {
      return anchors;
    }

    @Override
    void atAnchor(Text t, int anchor, int start, int end) {
      Kind kind = kinds.get(anchor);
      if (Text.isWordChar(t.at(start - 1)) || t.covered(this, start)) {
        return;
      }
      switch (kind) {
        case MARKER -> found(t, start, end, kind);
        case PHRASE -> matched(t, start, CONCEAL, kind);
        case LINE_START -> {
          int i = start - 1;
          while (i >= 0 && " \t#>*-".indexOf(t.view.charAt(i)) >= 0) {
            i--;
          }
          if ((i < 0 || t.view.charAt(i) == '\n' || t.view.charAt(i) == '\r')
              && addressesTheModel(t, start, end)) {
            found(t, start, end, kind);
          }
        }
        case FAMILY -> {
          Matcher m = match(t, start, FAMILY);
          if (m != null && STRONG.matcher(m.group()).find()) {
            found(t, start, start + m.end(), kind);
          }
        }
        case YOU_ARE_NOW -> matched(t, start, YOU_ARE_NOW, kind);
        case AS_AN_AI -> matched(t, start, AS_AN_AI, kind);
        case SEND -> matched(t, start, SEND, kind);
        case FROM_NOW_ON -> matched(t, start, FROM_NOW_ON, kind);
        case ADDRESSEE -> matched(t, start, ADDRESSEE, kind);
        case LURE -> matched(t, start, LURE, kind);
        case NOTE -> matched(t, start, NOTE_TO_ASSISTANTS, kind);
      }
    }

    /**
     * Whether a role marker at a line start is one: it stands alone on its line (the turn follows
     * below), it is written in capitals ({@code SYSTEM:}), or the rest of its line speaks to the
     * model (second person, a command, the word instructions). Not a specification sheet's "System:
     * embedded Linux 5.10".
     */
    private static boolean addressesTheModel(Text t, int start, int end) {
      String rest = t.lowerWindow(end, end + MAX_MARKER_LINE);
      int newline = rest.indexOf('\n');
      String line = newline < 0 ? rest : rest.substring(0, newline);
      if (line.isBlank()) {
        return true;
      }
      String marker = t.view.substring(start, end - 1);
      if (marker.equals(marker.toUpperCase(java.util.Locale.ROOT))) {
        return true;
      }
      return ADDRESSED.matcher(line).find();
    }

    /** How much of a role marker's line is read for words that address the model. */
    private static final int MAX_MARKER_LINE = 2_000;

    private static final Pattern ADDRESSED =
        Pattern.compile(
            "\\b(?:you|your|yourself|ignore|disregard|forget|override|obey|comply|must|always"
                + "|never|instructions?|rules|respond|reply|answer|forward|send|email|upload|post"
                + "|share|open|visit|click|print|reveal|output|tell|say|give|write|pay|transfer"
                + "|delete|remove|execute|run|act|pretend|do not|don't)\\b");

    private void matched(Text t, int start, Pattern pattern, Kind kind) {
      Matcher m = match(t, start, pattern);
      if (m != null) {
        found(t, start, start + m.end(), kind);
      }
    }

    private static Matcher match(Text t, int start, Pattern pattern) {
      Matcher m = pattern.matcher(t.lowerWindow(start, start + 160));
      return m.lookingAt() ? m : null;
    }

    private void found(Text t, int start, int end, Kind kind) {
      String phrase = Text.SPACES.matcher(t.lowerWindow(start, end)).replaceAll(" ");
      t.report(this, start, end, phrase, kind.excerpt);
    }

    /**
     * Reports hidden Unicode in the raw text, before folding removes it: the runs of Unicode tag
     * characters the scanner found (which spell ASCII text no one sees; the scanner scans that text
     * for every detector), bidirectional overrides, and runs of two or more zero-width characters.
     */
    void hidden(Text t, List<Detectors.TagRun> tagRuns) {
      for (Detectors.TagRun run : tagRuns) {
        t.reportRaw(
            this,
            run.start(),
            run.end(),
            "tags:" + run.spelled(),
            "hidden unicode: " + (run.end() - run.start()) / 2 + " tag characters");
      }
      String raw = t.raw;
      int i = 0;
      while (i < raw.length()) {
        int cp = raw.codePointAt(i);
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
          t.reportRaw(
              this,
              i,
              i + 1,
              "bidi:" + Integer.toHexString(cp),
              "hidden unicode: bidirectional override");
          i++;
        } else if (isZeroWidth(cp)) {
          int s = i;
          while (i < raw.length() && isZeroWidth(raw.charAt(i))) {
            i++;
          }
          if (i - s >= 2) {
            t.reportRaw(
                this,
                s,
                i,
                "zero-width:" + (i - s),
                "hidden unicode: " + (i - s) + " zero-width characters");
          }
        } else {
          i += Character.charCount(cp);
        }
      }
    }

    private static boolean isZeroWidth(int c) {
      return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
    }
  }
}
