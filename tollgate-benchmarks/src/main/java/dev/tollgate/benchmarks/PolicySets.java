package dev.tollgate.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the policy sets and the action the decide benchmarks use. Deterministic: the same
 * (count, mix) always gives the same text, so runs compare.
 *
 * <p>Two families:
 *
 * <ul>
 *   <li>{@link #realistic}: Tollgate policies as people write them: {@code exists} over recipient
 *       lists, {@code endsWith}, numeric thresholds, {@code in} lists, scans of the body text.
 *   <li>{@link #cedarEquivalent}: a set written twice, in Tollgate YAML and in Cedar, using only
 *       what both languages express (tool equality or prefix, principal equality, numeric
 *       thresholds, string equality, set containment, {@code like} prefixes). Cedar has no {@code
 *       exists}, so the action carries a precomputed {@code recipient_domains} set.
 * </ul>
 *
 * <p>Mixes: {@code specific} gives every policy one exact tool out of {@code count / 5} distinct
 * names, so the decided tool ({@code email.send}) has about five candidates whatever the count;
 * {@code wildcard} gives patterns ({@code *}, {@code email.*}, {@code *.send}, {@code crm.*},
 * {@code files.*}) of which three in five apply to {@code email.send}.
 */
final class PolicySets {
  static final String AGENT = "invoice-bot";
  static final String TOOL = "email.send";

  private static final String[] SERVICES = {
    "email", "crm", "files", "calendar", "payments", "slack", "github", "erp", "drive", "hr"
  };
  private static final String[] VERBS = {
    "send", "update", "upload", "create", "transfer", "post", "delete"
  };
  private static final String[][] WILDCARDS = {
    {"*"}, {"email.*"}, {"crm.*", "erp.*"}, {"*.send"}, {"files.*"}
  };
  private static final String[] BODY_WORDS = {
    "wire transfer", "password", "IBAN", "overdue", "gift card", "remittance", "routing number"
  };
  private static final String[] SUBJECT_WORDS = {"Invoice", "Refund", "Payroll", "Urgent", "Wire"};

  private PolicySets() {}

  /** A set written for both engines: Tollgate files by name, Cedar policies by id. */
  /** agents.yaml of the generated sets: the permissive default, said in words. */
  static final String UNPROFILED_ALLOWED = "defaults: {unprofiled: allow}\n";

  record Generated(Map<String, String> tollgateFiles, Map<String, String> cedarPolicies) {}

  // ---- the action -------------------------------------------------------------------------

  /** detectors.yaml that turns every built-in detector off. */
  static final String ALL_DETECTORS_OFF =
      "disable: ["
          + String.join(", ", dev.tollgate.engine.internal.scan.Detectors.BUILT_IN_NAMES)
          + "]\n";

  /**
   * The decided action with nothing any detector can match, about 1.5 KB: the same keys (so that
   * the policies read what they read in {@link #actionJson}), every digit and {@code @} taken out
   * of its strings and the body replaced by plain prose. Numbers stay: the scanner reads only those
   * of 9 digits or more.
   */
  static String noMatchActionJson() {
    Map<String, Object> args = clean(args());
    args.put(
        "body", "We talked about the roadmap and the hiring plan for next quarter. ".repeat(14));
    StringBuilder out = new StringBuilder();
    out.append("{\"tool\":\"").append(TOOL).append("\",\"args\":");
    writeJson(out, args);
    out.append('}');
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static <T> T clean(T value) {
    if (value instanceof String s) {
      return (T) s.replace("@", " at ").replaceAll("[0-9]", "");
    }
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put((String) k, clean(v)));
      return (T) out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(clean(o));
      }
      return (T) out;
    }
    return value;
  }

  /** The decided action's arguments: about 2 KB of JSON (body, recipients, attachments, meta). */
  static Map<String, Object> args() {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put(
        "to",
        List.of(
            "accounts@acme.example",
            "carol.ng@acme.example",
            "billing@partner.example",
            "j.doe@gmail.example",
            "finance-team@acme.example",
            "ops@acme.example"));
    args.put("cc", List.of("dave@acme.example", "erin@acme.example", "legal@partner.example"));
    args.put("recipient_domains", List.of("acme.example", "partner.example", "gmail.example"));
    args.put("subject", "Invoice 1234 for Q3 services (PO 88-2231)");
    args.put("body", body());
    args.put("amount", 4200L);
    args.put("currency", "EUR");
    args.put("channel", "email");
    args.put(
        "attachments",
        List.of(
            attachment("invoice-1234.pdf", "application/pdf", 182_344L),
            attachment(
                "terms-2026.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                52_311L),
            attachment("timesheet-q3.csv", "text/csv", 9_876L)));
    Map<String, Object> thread = new LinkedHashMap<>();
    thread.put("id", "thr_01JD8XK4V6P2R7T9M3N5Q8W1Z0");
    thread.put("replies", 3L);
    thread.put("started_by", "billing@partner.example");
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("priority", "normal");
    meta.put("classification", "internal");
    meta.put("tags", List.of("billing", "q3", "vendor", "recurring"));
    meta.put("thread", thread);
    meta.put("locale", "en-GB");
    args.put("meta", meta);
    return args;
  }

  /**
   * A typical 1 KB mail, the size the issue's p50 target names: two recipients and one copy (three
   * addresses the e-mail detector flags), one attachment, a short body, and every key the generated
   * policies read, so that no condition fails on a missing key.
   */
  static String typicalActionJson() {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("to", List.of("billing@partner.example", "carol.ng@acme.example"));
    args.put("cc", List.of("ap@acme.example"));
    args.put("recipient_domains", List.of("partner.example", "acme.example"));
    args.put("subject", "Invoice 1234 for Q3 services");
    args.put(
        "body",
        """
        Hello, please find attached invoice 1234 for the consulting services delivered in Q3.         The total due is EUR 4,200.00, payable within 30 days as agreed in the framework         contract. Please use the reference INV-1234 so that our accounts team can reconcile         the remittance quickly. If anything needs correcting, reply to this thread before the         end of the month and we will issue a credit note. Kind regards, Accounts Receivable""");
    args.put("amount", 4200L);
    args.put("currency", "EUR");
    args.put("channel", "email");
    args.put("attachments", List.of(attachment("invoice-1234.pdf", "application/pdf", 182_344L)));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("priority", "normal");
    meta.put("classification", "internal");
    meta.put("tags", List.of("billing", "q3"));
    args.put("meta", meta);
    StringBuilder out = new StringBuilder();
    out.append("{\"user\":\"alice@acme.example\",\"tool\":\"").append(TOOL).append("\",");
    out.append("\"args\":");
    writeJson(out, args);
    out.append('}');
    return out.toString();
  }

  /** The decided action as the JSON a caller sends. */
  static String actionJson() {
    StringBuilder out = new StringBuilder();
    out.append("{\"user\":\"alice@acme.example\",\"tool\":\"").append(TOOL).append("\",");
    out.append("\"reason\":\"The vendor asked for the Q3 invoice and the signed terms\",");
    out.append("\"args\":");
    writeJson(out, args());
    out.append('}');
    return out.toString();
  }

  private static Map<String, Object> attachment(String name, String type, long size) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("name", name);
    a.put("type", type);
    a.put("size", size);
    return a;
  }

  private static String body() {
    return """
        Hello Billing team,

        Please find attached invoice 1234 for the consulting services delivered in Q3 (July to \
        September), together with the signed terms and the timesheet export. The total due is \
        EUR 4,200.00, payable within 30 days of the invoice date as agreed in the framework \
        contract. Our bank details have not changed since the last payment; please use the \
        reference INV-1234 so that our accounts team can reconcile the remittance quickly.

        A short summary of the work: migration of the reporting pipeline to the new data \
        warehouse, two training sessions for the finance analysts, and support for the month-end \
        close in August and September. The timesheet lists every day with the hours per task.

        If anything in the invoice needs correcting, reply to this thread before the end of the \
        month and we will issue a credit note. For questions about the purchase order, Carol Ng \
        in procurement is the right contact; for the technical side, ask the ops mailbox.

        Thank you for the continued collaboration, and kind regards,
        Accounts Receivable, Acme Consulting Ltd.
        """;
  }

  // ---- realistic Tollgate policies --------------------------------------------------------

  /** {@code count} Tollgate policies in the given mix, split over files of 100. */
  static Map<String, String> realistic(int count, String mix) {
    Map<String, String> files = new TreeMap<>();
    StringBuilder file = null;
    for (int i = 0; i < count; i++) {
      if (i % 100 == 0) {
        file = new StringBuilder("policies:\n");
      }
      file.append("  - name: ").append(name(i)).append('\n');
      file.append("    match: {")
          .append(toolsYaml(i, count, mix))
          .append(agentsYaml(i))
          .append("}\n");
      file.append("    when: '")
          .append(realisticCondition(i, shape(i, count, mix, 6)))
          .append("'\n");
      file.append("    effect: ").append(new String[] {"deny", "ask", "allow"}[i % 3]).append('\n');
      if (i % 6 == 0 || i % 6 == 4) {
        file.append("    message: '\"amount \" + string(action.args.amount) + \" to \" + ")
            .append("action.args.to.join(\", \")'\n");
      }
      file.append("    mode: ").append(i % 10 == 9 ? "shadow" : "enforce").append('\n');
      files.put(String.format("policies-%03d.yaml", i / 100), file.toString());
    }
    // The generated agents have no profiles; the policies alone decide, as in Cedar's set.
    files.put("agents.yaml", UNPROFILED_ALLOWED);
    return files;
  }

  static String realisticCondition(int i, int shape) {
    return switch (shape) {
      case 0 ->
          "action.args.amount > "
              + (500 + (i * 97) % 10_000)
              + " && action.args.currency == \"EUR\"";
      case 1 ->
          "action.args.to.exists(r, !r.endsWith(\"@acme.example\"))"
              + " && action.args.meta.classification in [\"confidential\", \"secret\", \"restricted-"
              + i
              + "\"]";
      case 2 ->
          "action.args.attachments.exists(a, a.size > "
              + (10_000 + (i * 7919) % 400_000)
              + " && a.type in [\"application/zip\", \"application/x-msdownload\", \"application/pdf\"])";
      case 3 ->
          "action.args.subject.contains(\""
              + SUBJECT_WORDS[(i / 6) % SUBJECT_WORDS.length]
              + "\") || action.args.meta.priority == \"p"
              + (i % 4)
              + "\"";
      case 4 ->
          "size(action.args.to) + size(action.args.cc) > "
              + (5 + i % 20)
              + " && !(action.user in [\"bob@acme.example\", \"mallory-"
              + i
              + "@acme.example\"])";
      default ->
          "tool.external && action.args.body.contains(\""
              + BODY_WORDS[(i / 6) % BODY_WORDS.length]
              + "\")";
    };
  }

  // ---- the set both languages express -----------------------------------------------------

  /**
   * {@code count} policies in the given mix, written in Tollgate YAML and in Cedar. Effects are
   * allow or deny only (Cedar has no ask and no shadow mode); Cedar gets one extra unconditional
   * {@code permit} so that, like Tollgate, it allows when no forbid applies.
   */
  static Generated cedarEquivalent(int count, String mix) {
    StringBuilder yaml = new StringBuilder("policies:\n");
    Map<String, String> cedar = new LinkedHashMap<>();
    cedar.put("default-allow", "permit(principal, action, resource);");
    for (int i = 0; i < count; i++) {
      boolean allow = i % 3 == 0;
      yaml.append("  - name: ").append(name(i)).append('\n');
      yaml.append("    match: {")
          .append(toolsYaml(i, count, mix))
          .append(agentsYaml(i))
          .append("}\n");
      yaml.append("    when: '")
          .append(sharedCondition(i, shape(i, count, mix, 4), false))
          .append("'\n");
      yaml.append("    effect: ").append(allow ? "allow" : "deny").append('\n');

      StringBuilder c = new StringBuilder();
      c.append(allow ? "permit" : "forbid").append("(\n  ");
      c.append(agentIs(i) ? "principal == Agent::\"" + AGENT + "\"" : "principal").append(",\n  ");
      List<String> tools = tools(i, count, mix);
      List<String> conditions = new ArrayList<>();
      if (mix.equals("specific")) {
        c.append("action == Action::\"").append(tools.get(0)).append('"');
      } else {
        c.append("action");
        if (!tools.equals(List.of("*"))) {
          conditions.add(
              "("
                  + String.join(
                      " || ", tools.stream().map(t -> "context.tool like \"" + t + "\"").toList())
                  + ")");
        }
      }
      c.append(",\n  resource\n)");
      if (agentPattern(i)) {
        conditions.add("context.agent like \"support-*\"");
      }
      conditions.add(sharedCondition(i, shape(i, count, mix, 4), true));
      c.append(" when {\n  ").append(String.join(" &&\n  ", conditions)).append("\n};");
      cedar.put(name(i), c.toString());
    }
    return new Generated(
        Map.of("policies.yaml", yaml.toString(), "agents.yaml", UNPROFILED_ALLOWED), cedar);
  }

  /** One condition in CEL ({@code cedar == false}) or in Cedar, meaning the same thing. */
  private static String sharedCondition(int i, int shape, boolean cedar) {
    String a = cedar ? "context.args" : "action.args";
    return switch (shape) {
      case 0 -> a + ".amount > " + (500 + (i * 97) % 10_000) + " && " + a + ".currency == \"EUR\"";
      case 1 -> {
        String domains =
            "[\"mail"
                + i
                + ".example\", \""
                + (i % 8 == 1 ? "gmail.example" : "post" + i + ".example")
                + "\"]";
        yield cedar
            ? a + ".recipient_domains.containsAny(" + domains + ")"
            : "sets.intersects(" + a + ".recipient_domains, " + domains + ")";
      }
      case 2 -> {
        String channels = "[\"sms\", \"fax-" + i + "\"]";
        String user = "[\"bob@acme.example\", \"mallory-" + i + "@acme.example\"]";
        yield cedar
            ? "("
                + a
                + ".meta.priority == \"p"
                + (i % 5)
                + "\" || "
                + channels
                + ".contains("
                + a
                + ".channel)) && !"
                + user
                + ".contains(context.user)"
            : "("
                + a
                + ".meta.priority == \"p"
                + (i % 5)
                + "\" || "
                + a
                + ".channel in "
                + channels
                + ") && !(action.user in "
                + user
                + ")";
      }
      default ->
          cedar
              ? a + ".subject like \"Invoice " + i + "*\""
              : a + ".subject.startsWith(\"Invoice " + i + "\")";
    };
  }

  /** The Cedar request context for the decided action. */
  static Map<String, Object> cedarContext() {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("tool", TOOL);
    context.put("agent", AGENT);
    context.put("user", "alice@acme.example");
    context.put("args", args());
    return context;
  }

  // ---- shared parts -----------------------------------------------------------------------

  static String name(int i) {
    return String.format("p-%04d", i);
  }

  /** The tool patterns of policy {@code i}. */
  static List<String> tools(int i, int count, String mix) {
    return switch (mix) {
      case "specific" -> List.of(specificTool(i % Math.max(1, count / 5)));
      case "wildcard" -> List.of(WILDCARDS[i % WILDCARDS.length]);
      default -> throw new IllegalArgumentException("mix must be specific or wildcard: " + mix);
    };
  }

  /**
   * Which of {@code shapes} condition shapes policy {@code i} gets. In the specific mix the
   * policies of one tool take consecutive shapes, so the decided tool's few candidates are varied
   * rather than all the same kind.
   */
  static int shape(int i, int count, String mix, int shapes) {
    if (mix.equals("specific")) {
      int tools = Math.max(1, count / 5);
      return (i / tools + i % tools) % shapes;
    }
    return i % shapes;
  }

  /** Distinct exact tool names; number 0 is the decided tool. */
  static String specificTool(int j) {
    String base = SERVICES[j % SERVICES.length] + "." + VERBS[j % VERBS.length];
    return j < SERVICES.length ? base : base + "_" + j;
  }

  private static boolean agentIs(int i) {
    return i % 7 == 3;
  }

  private static boolean agentPattern(int i) {
    return i % 7 == 5;
  }

  private static String toolsYaml(int i, int count, String mix) {
    return "tools: ["
        + String.join(", ", tools(i, count, mix).stream().map(t -> "\"" + t + "\"").toList())
        + "]";
  }

  private static String agentsYaml(int i) {
    if (agentIs(i)) {
      return ", agents: [\"" + AGENT + "\"]";
    }
    if (agentPattern(i)) {
      return ", agents: [\"support-*\"]";
    }
    return "";
  }

  // ---- minimal JSON writer (strings, longs, lists, maps) ----------------------------------

  static void writeJson(StringBuilder out, Object value) {
    if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeString(out, (String) e.getKey());
        out.append(':');
        writeJson(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        writeJson(out, list.get(i));
      }
      out.append(']');
    } else if (value instanceof String s) {
      writeString(out, s);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Boolean) {
      out.append(value);
    } else {
      throw new IllegalArgumentException("no JSON for " + value);
    }
  }

  private static void writeString(StringBuilder out, String s) {
    out.append('"');
    for (int k = 0; k < s.length(); k++) {
      char ch = s.charAt(k);
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        default -> {
          if (ch < 0x20) {
            out.append(String.format("\\u%04x", (int) ch));
          } else {
            out.append(ch);
          }
        }
      }
    }
    out.append('"');
  }
}
