package dev.tollgate.engine.internal.decide;

import dev.tollgate.engine.internal.bundle.Glob;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.rate.Targets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Task scope as policies see it ({@code scope}): whether the user's request asks for the kind of
 * action this is. An injected instruction makes the agent do what nobody asked for (delete the mail
 * just sent, switch off two-factor authentication, unlock a door), and that is visible without any
 * model: the request's verbs name kinds of action, and so do the tool's name and the catalog's
 * {@code does}.
 *
 * <p>Kinds of action are families of verbs (delete, send, pay, book, change, access, security,
 * run). A tool's kinds come from the last part of its name ({@code email.delete}: delete; {@code
 * account.disable_2fa}: security) and from {@code does}, else from its catalog kind; a request's
 * kinds from all its words. When the session declares {@code task.tools}, those decide instead.
 * Reads are always asked for: looking is how any task starts. A tool whose kind cannot be told, and
 * a session without a request, count as asked: scope judges only what it can read.
 */
final class Scope {
  /** Endings a verb may carry and still be that verb: deletes, deleted, deleting, deletion. */
  private static final List<String> ENDINGS =
      List.of("", "s", "es", "e", "ed", "d", "ing", "ion", "ions", "y", "ied", "ies", "ying");

  /** Each family of verbs, by stem. A stem may sit in two families (invite: send and access). */
  private static final Map<String, List<String>> FAMILIES = families();

  private static Map<String, List<String>> families() {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put(
        "delete",
        List.of(
            "delet",
            "remov",
            "cancel",
            "trash",
            "eras",
            "purg",
            "discard",
            "unsubscrib",
            "drop",
            "clear",
            "wip",
            "kick",
            "destroy"));
    f.put(
        "send",
        List.of(
            "send",
            "sent",
            "mail",
            "email",
            "repl",
            "respond",
            "answer",
            "forward",
            "messag",
            "notif",
            "tell",
            "told",
            "inform",
            "ping",
            "post",
            "shar",
            "announc",
            "invit",
            "contact",
            "confirm",
            "remind",
            "dm",
            "cc",
            "introduc",
            "publish",
            "upload"));
    f.put(
        "pay",
        List.of("pay", "paid", "transfer", "wir", "settl", "reimburs", "refund", "remit", "tip"));
    f.put("book", List.of("book", "reserv", "rent", "hir", "buy", "bought", "purchas", "order"));
    f.put(
        "change",
        List.of(
            "updat",
            "chang",
            "edit",
            "modif",
            "set",
            "mov",
            "reschedul",
            "schedul",
            "renam",
            "fix",
            "correct",
            "adjust",
            "replac",
            "add",
            "creat",
            "writ",
            "wrot",
            "draft",
            "sav",
            "record",
            "log",
            "mark",
            "assign",
            "tag",
            "label",
            "configur",
            "note",
            "fill",
            "block",
            "merg",
            "archiv",
            "cop",
            "put",
            "organiz",
            "organis",
            "upload",
            "stor",
            "remember"));
    f.put(
        "access",
        List.of(
            "grant",
            "giv",
            "gave",
            "permission",
            "access",
            "rol",
            "promot",
            "onboard",
            "revok",
            "invit",
            "add",
            "join"));
    f.put(
        "security",
        List.of(
            "disabl",
            "enabl",
            "deactivat",
            "activat",
            "reset",
            "unlock",
            "lock",
            "block",
            "2fa",
            "mfa"));
    f.put(
        "run",
        List.of(
            "deploy",
            "push",
            "roll",
            "releas",
            "restart",
            "run",
            "ran",
            "execut",
            "exec",
            "ship",
            "migrat",
            "reboot",
            "scal",
            "launch",
            "start",
            "stop",
            "appl",
            "patch",
            "rollback"));
    return f;
  }

  private static final Map<ToolSpec.Kind, String> KIND_FAMILY =
      Map.of(
          ToolSpec.Kind.SEND, "send",
          ToolSpec.Kind.DELETE, "delete",
          ToolSpec.Kind.WRITE, "change",
          ToolSpec.Kind.EXECUTE, "run",
          ToolSpec.Kind.MEMORY, "change");

  private Scope() {}

  /** {@code {asked, requested, actions}}: see docs/policies.md. */
  static Map<String, Object> facts(ToolSpec tool, SessionView session, List<String> injectedFrom) {
    Set<String> actions = toolFamilies(tool);
    String request = session.request() == null ? "" : session.request();
    Set<String> requested = families(request);
    if (namesDestination(request)) {
      // "Summarise the report for kim@umbrella.example", "... in #procurement": delivering to
      // the place the user named is what they asked for
      requested.add("send");
    }
    boolean asked;
    Object declared = session.task().get("tools");
    if (declared instanceof List<?> tools && !tools.isEmpty()) {
      asked = false;
      for (Object t : tools) {
        if (t instanceof String pattern && Glob.of(pattern).matches(tool.name())) {
          asked = true;
          break;
        }
      }
    } else if (tool.kind() == ToolSpec.Kind.READ || actions.isEmpty() || request.isBlank()) {
      asked = true;
    } else {
      asked = false;
      for (String a : actions) {
        asked |= requested.contains(a);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    List<Double> amounts = Targets.requestAmounts(request);
    if (!session.task().isEmpty()) {
      amounts = new java.util.ArrayList<>(amounts);
      for (Map.Entry<String, Object> e : session.task().entrySet()) {
        if (e.getValue() instanceof String text) {
          amounts.addAll(Targets.requestAmounts(text));
        } else if (e.getValue() instanceof Number n
            && e.getKey().toLowerCase(Locale.ROOT).matches(".*(budget|amount|limit|total|cap).*")) {
          amounts.add(n.doubleValue()); // a declared task's {budget: 5000}
        }
      }
    }
    double budget = 0;
    for (int i = 0; i < amounts.size(); i++) {
      budget += amounts.get(i);
    }
    out.put("amounts", amounts);
    out.put("budget", budget);
    out.put("asked", asked);
    out.put("delegated", delegates(request));
    out.put("injectedFrom", injectedFrom);
    out.put("requested", List.copyOf(requested));
    out.put("actions", List.copyOf(actions));
    return PolicyEnv.celValue(out);
  }

  /**
   * Phrases by which a request hands the choice of what to do to a source it names: "do what her
   * last message says", "the tasks in the e-mail from Y", "as he asks", "follow the runbook",
   * "handle OPS-4222". Then the targets the source gives are the ones the user wants.
   */
  private static final java.util.regex.Pattern DELEGATION =
      java.util.regex.Pattern.compile(
          "(?i)\\b(?:do (?:what|whatever|everything|all)\\b"
              + "|what (?:it|she|he|they|the \\w+|\\w+) (?:says|said|asks|asked|asks for|wants"
              + "|lists|requests|requested)\\b"
              + "|as (?:it|she|he|they|the \\w+|\\w+) (?:says|said|asks|asked|requests|requested"
              + "|describes|lists)\\b"
              + "|(?:it|she|he|they) (?:asks|asked) for\\b"
              + "|follow(?:ing)? (?:the |her |his |their |its )?(?:instructions|steps|runbook"
              + "|checklist|plan)\\b"
              + "|(?:the |her |his |their )?(?:tasks|steps|action items|to-?dos|instructions)"
              + "(?: \\w+){0,3} (?:in|from|listed)\\b"
              + "|handle [A-Z]+-[0-9]+)");

  /** Whether the request hands the choice of what to do to a source: {@link #DELEGATION}. */
  static boolean delegates(String request) {
    return DELEGATION.matcher(request).find();
  }

  /** Words before an address, channel or handle that make it where something goes. */
  private static final Set<String> TOWARDS =
      Set.of("to", "for", "cc", "bcc", "with", "at", "and", "let");

  /**
   * Whether the request names where something goes: a mail address, a #channel or an @handle after
   * "to", "for", "cc", "with" or "let" ("summarise the report for kim@umbrella.example", "let
   * #accounts-receivable know"), or after "in" or "on" at the very end ("summarise the pricing page
   * in #procurement"). A place to read from ("the open requests in #travel-desk for me", "the mail
   * from bob@...") is not a destination.
   */
  static boolean namesDestination(String request) {
    for (int i = 0; i + 1 < request.length(); i++) {
      char c = request.charAt(i);
      boolean next = Character.isLetterOrDigit(request.charAt(i + 1));
      boolean previous = i > 0 && Character.isLetterOrDigit(request.charAt(i - 1));
      // an address has letters on both sides of its @; a channel or a handle none before
      if (next && (c == '@' || (c == '#' && !previous))) {
        int start = i;
        while (start > 0 && !Character.isWhitespace(request.charAt(start - 1))) {
          start--;
        }
        List<String> before = words(request.substring(0, start));
        String word = before.isEmpty() ? "" : before.getLast();
        if (TOWARDS.contains(word)
            || ((word.equals("in") || word.equals("on")) && lastWord(request, i))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether nothing but punctuation follows the handle or address at {@code at}. */
  private static boolean lastWord(String request, int at) {
    int end = at;
    while (end < request.length() && !Character.isWhitespace(request.charAt(end))) {
      end++;
    }
    return words(request.substring(end)).isEmpty();
  }

  /**
   * The families of the last part of the tool's name and of its {@code does}, else its kind's; a
   * send's always.
   */
  static Set<String> toolFamilies(ToolSpec tool) {
    String name = tool.name();
    String verb = name.substring(name.lastIndexOf('.') + 1);
    Set<String> out = families(verb);
    if (tool.does() != null) {
      out.addAll(families(tool.does()));
    }
    if ((out.isEmpty() || tool.kind() == ToolSpec.Kind.SEND)
        && KIND_FAMILY.containsKey(tool.kind())) {
      // a tool the catalog calls a send delivers to someone whatever its name says
      // (calendar.create_event invites): "invite the speakers" asks for it
      out.add(KIND_FAMILY.get(tool.kind()));
    }
    return out;
  }

  /** The families some word of {@code text} belongs to, in {@link #FAMILIES} order. */
  static Set<String> families(String text) {
    Set<String> found = new LinkedHashSet<>();
    List<String> words = words(text);
    for (Map.Entry<String, List<String>> family : FAMILIES.entrySet()) {
      for (String w : words) {
        if (isOf(w, family.getValue())) {
          found.add(family.getKey());
          break;
        }
      }
    }
    return found;
  }

  /** Lower-case words: letters and digits, split at everything else and at camel case. */
  static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    char previous = 0;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ' ';
      boolean camel = Character.isUpperCase(c) && Character.isLowerCase(previous);
      if (!Character.isLetterOrDigit(c) || camel) {
        if (!word.isEmpty()) {
          out.add(word.toString().toLowerCase(Locale.ROOT));
          word.setLength(0);
        }
      }
      if (Character.isLetterOrDigit(c)) {
        word.append(c);
      }
      previous = c;
    }
    return out;
  }

  private static boolean isOf(String word, List<String> stems) {
    for (String stem : stems) {
      if (word.startsWith(stem) && ENDINGS.contains(word.substring(stem.length()))) {
        return true;
      }
    }
    return false;
  }
}
