package dev.tollgate.engine.internal.decide;

import dev.tollgate.api.Finding;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.flow.FlowIndex;
import dev.tollgate.engine.internal.scan.Budget;
import dev.tollgate.engine.internal.scan.Detectors;
import dev.tollgate.engine.internal.scan.Hit;
import dev.tollgate.engine.internal.scan.Pointer;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What an action's arguments carry, as policies see it: {@code data} (what the detectors found),
 * {@code flow} (which session data re-appears in them) and {@code provenance} (where each control
 * argument's value came from). Computed once per decision, before the policies run.
 *
 * <p>Control arguments decide where an action lands, so they are judged by provenance, not as
 * payload: a recipient's address in {@code to} does not make a mail carry personal data, and a
 * looked-up recipient is not data flowing out. Their findings are still listed.
 */
public final class Inspection {
  /** Characters one action's arguments may hold for scanning (keys and decoded text included). */
  public static final long MAX_ARGUMENT_CHARS = 1L << 20;

  public static final Inspection NONE =
      new Inspection(List.of(), List.of(), FlowIndex.Flow.NONE, Map.of());

  static {
    // Shared by every thread: made here, not lazily, so that no thread sees them half made.
    NONE.dataFacts();
    NONE.flowFacts();
    NONE.provenanceFacts();
  }

  /** Shorter flagged text is not replaced in messages: it would mangle ordinary words. */
  private static final int MIN_MASKED = 4;

  private final List<Hit> hits;

  /** What {@link #mask} replaces, and with what: made when it is first needed. */
  private String[] flagged;

  private String[] excerpts;

  private final List<String> dataLabels;
  private final FlowIndex.Flow flow;
  private final Map<String, Object> provenance;
  private final List<Finding> findings;

  /** The tools whose results in the session held injected instructions: {@link #injectedFrom}. */
  private List<String> injectedFrom = List.of();

  // The CEL forms of data, flow and provenance: made when a policy first reads them (most read
  // neither), see Facts.
  private Map<String, Object> dataFacts;
  private Map<String, Object> flowFacts;
  private Map<String, Object> provenanceFacts;

  /** What the session read, the payload's strings and its hits: for {@code flow.targets}. */
  private FlowIndex index;

  private List<String> payload = List.of();
  private List<Hit> payloadHits = List.of();

  /** The action's arguments, for the facts made when a policy first reads them. */
  private Map<String, Object> args = Map.of();

  private Inspection(
      List<Hit> hits,
      List<String> dataLabels,
      FlowIndex.Flow flow,
      Map<String, Object> provenance) {
    this.hits = List.copyOf(hits);
    this.dataLabels = List.copyOf(dataLabels);
    this.flow = flow;
    this.provenance = provenance;
    this.findings = findings(this.hits);
  }

  /**
   * Inspects one action's arguments.
   *
   * @param index what the session has read, or {@code null} outside a session (then flow and
   *     provenance are empty: there is nothing to compare with)
   * @throws ScanLimitException when the arguments are too large to scan: the caller denies
   */
  public static Inspection of(
      Detectors detectors, ToolSpec tool, Map<String, Object> args, FlowIndex index)
      throws ScanLimitException {
    List<Hit> hits = detectors.scan(args, "/args", new Budget(MAX_ARGUMENT_CHARS));
    if (hits.isEmpty() && index == null) {
      return new Inspection(hits, List.of(), FlowIndex.Flow.NONE, Map.of()).with(args);
    }
    List<String> control = tool.control();
    // Labels are few (a detector has one): a list searched in place, not a hash set per decision.
    List<String> labels = new ArrayList<>(4);
    List<Hit> payloadHits = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      if (!inControl(h.path(), control)) {
        if (!labels.contains(h.label())) {
          labels.add(h.label());
        }
        payloadHits.add(h);
      }
    }
    if (index == null) {
      return new Inspection(hits, List.copyOf(labels), FlowIndex.Flow.NONE, Map.of()).with(args);
    }
    List<String> payload = new ArrayList<>();
    Map<String, Object> provenance = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : args.entrySet()) {
      if (control.contains(e.getKey())) {
        provenance.put(e.getKey(), origin(index, e.getKey(), e.getValue(), payload));
      } else {
        payload.add(e.getKey());
        dev.tollgate.engine.internal.flow.Fingerprints.collect(e.getValue(), payload);
      }
    }
    FlowIndex.Flow flow = index.flow(payload, payloadHits);
    Inspection inspection =
        new Inspection(
            hits, List.copyOf(labels), flow, java.util.Collections.unmodifiableMap(provenance));
    inspection.index = index;
    inspection.payload = payload;
    inspection.payloadHits = payloadHits;
    inspection.injectedFrom = index.injectedFrom();
    return inspection.with(args);
  }

  private Inspection with(Map<String, Object> args) {
    this.args = args;
    return this;
  }

  /**
   * The provenance of one control argument; what its URLs carry (query values, base64-encoded text)
   * goes to {@code payload}: a URL says where an action goes, but what it carries after its path
   * leaves with it (the attendee list appended to an agenda link, the password in a "check" URL).
   */
  private static Map<String, Object> origin(
      FlowIndex index, String key, Object value, List<String> payload) {
    List<String> values = new ArrayList<>();
    dev.tollgate.engine.internal.flow.Fingerprints.collect(value, values);
    int weakest = 0;
    boolean injected = false;
    // every value that came only from untrusted content was an id field's, and there was one
    boolean idField = false;
    boolean freeText = false;
    // every value that came only from untrusted content was read in a source the request names
    boolean namedSource = false;
    boolean unnamed = false;
    boolean otherEntry = false;
    boolean conflicts = false;
    LinkedHashSet<String> origins = new LinkedHashSet<>();
    LinkedHashSet<String> sources = new LinkedHashSet<>();
    // a link read in a result whose query the agent filled in with what the session read
    boolean built = false;
    int carries = 0;
    // the values the session read that a URL carries base64-encoded in its path or query
    int encoded = 0;
    for (String v : values) {
      FlowIndex.Origin o = index.origin(v);
      if (v.indexOf("://") > 0) {
        int query = v.indexOf('?');
        // without the parameter names, which the tokens of a URL would join to the values
        String queryValues = query > 0 ? Links.queryValues(v.substring(query + 1)) : null;
        String decoded = Links.encodedText(v);
        if (queryValues != null && query + 1 < v.length()) {
          payload.add(queryValues);
        }
        if (decoded != null) {
          payload.add(decoded);
          encoded = Math.max(encoded, index.readValues(decoded));
        }
        if (queryValues != null && !o.origin().equals("request") && !index.readAsWritten(v)) {
          // A URL read nowhere as written, but read up to its query: the link of a result,
          // completed by the agent. It goes where that result said; what its query carries was
          // read elsewhere in the session or made up.
          FlowIndex.Origin base = index.origin(v.substring(0, query));
          if (base.origin().equals("trusted") || base.origin().equals("untrusted")) {
            o = base;
            built = true;
            carries = Math.max(carries, index.readValues(queryValues));
          }
        }
      }
      origins.add(o.origin());
      sources.addAll(o.sources());
      weakest = Math.max(weakest, FlowIndex.ORIGINS.indexOf(o.origin()));
      injected |= o.injected();
      otherEntry |= o.otherEntry();
      conflicts |= !o.origin().equals("request") && index.conflicts(key, v);
      if (o.origin().equals("untrusted")) {
        idField |= o.idField();
        freeText |= !o.idField();
        namedSource |= o.namedSource();
        unnamed |= !o.namedSource();
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("origin", values.isEmpty() ? "request" : FlowIndex.ORIGINS.get(weakest));
    out.put("origins", List.copyOf(origins));
    out.put("sources", List.copyOf(sources));
    out.put("injected", injected);
    out.put("idField", idField && !freeText);
    out.put("otherEntry", otherEntry);
    out.put("namedSource", namedSource && !unnamed);
    out.put("conflicts", conflicts);
    out.put("built", built);
    out.put("carries", (long) carries);
    out.put("encoded", (long) encoded);
    return java.util.Collections.unmodifiableMap(out);
  }

  /** Whether a JSON pointer under {@code /args} lies in one of the control arguments. */
  static boolean inControl(String path, List<String> control) {
    if (control.isEmpty() || !path.startsWith("/args/")) {
      return false;
    }
    int end = path.indexOf('/', 6);
    String first = path.substring(6, end < 0 ? path.length() : end);
    return control.contains(Pointer.key(first));
  }

  /** The findings of one scan's hits, as decisions and observations report them. */
  public static List<Finding> findings(List<Hit> hits) {
    List<String> shown = Hit.shownPaths(hits);
    List<Finding> out = new ArrayList<>(hits.size());
    for (int i = 0; i < hits.size(); i++) {
      Hit h = hits.get(i);
      out.add(new Finding(h.detector(), h.label(), shown.get(i), h.excerpt()));
    }
    return java.util.Collections.unmodifiableList(out);
  }

  public List<Hit> hits() {
    return hits;
  }

  /**
   * {@code text} with every flagged value of the arguments replaced by its masked excerpt: for what
   * policies render from the arguments (messages, errors), which reach the caller, the audit and
   * the console.
   */
  public String mask(String text) {
    if (hits.isEmpty() || text == null || text.isEmpty()) {
      return text;
    }
    if (flagged == null) {
      flagged = flagged(hits);
    }
    return replaceAll(text, flagged, excerpts);
  }

  /**
   * Each flagged text (as sent and folded, {@value #MIN_MASKED} characters or more) longest first,
   * so that a value inside a longer flagged text does not split it; {@link #excerpts} in step.
   */
  private String[] flagged(List<Hit> hits) {
    String[] texts = new String[2 * hits.size()];
    String[] shown = new String[texts.length];
    // Few hits are compared pairwise; many (a scan may hold thousands) through a set.
    java.util.Set<String> many = hits.size() > 16 ? new java.util.HashSet<>() : null;
    int n = 0;
    for (Hit h : hits) {
      String folded = h.value();
      // The text as sent is the folded value itself for most hits (an address in lower case):
      // then no copy of it is taken.
      String clear =
          folded != null
                  && h.source() != null
                  && h.end() - h.start() == folded.length()
                  && h.source().startsWith(folded, h.start())
              ? folded
              : h.clearText();
      n = addOnce(texts, shown, n, clear, h.excerpt(), many);
      n = addOnce(texts, shown, n, folded, h.excerpt(), many);
    }
    // Longest first, ties in order of finding: minus the length above the index, sorted as
    // primitives (boxed indexes and a comparator cost more than the rest of the masking).
    long[] order = new long[n];
    for (int i = 0; i < n; i++) {
      order[i] = ((long) -texts[i].length() << 32) | i;
    }
    java.util.Arrays.sort(order);
    String[] sorted = new String[n];
    excerpts = new String[n];
    for (int i = 0; i < n; i++) {
      int at = (int) order[i];
      sorted[i] = texts[at];
      excerpts[i] = shown[at];
    }
    return sorted;
  }

  /** Adds {@code text} unless it is short or there already (the first hit's excerpt stays). */
  private static int addOnce(
      String[] texts,
      String[] shown,
      int n,
      String text,
      String excerpt,
      java.util.Set<String> many) {
    if (text == null || text.length() < MIN_MASKED) {
      return n;
    }
    if (many != null) {
      if (!many.add(text)) {
        return n;
      }
    } else {
      for (int i = 0; i < n; i++) {
        if (texts[i].equals(text)) {
          return n;
        }
      }
    }
    texts[n] = text;
    shown[n] = excerpt;
    return n + 1;
  }

  /**
   * {@code text} with each occurrence of {@code texts[k]} replaced by {@code replacements[k]}: the
   * earliest occurrence first and, of those starting at one place, the first (longest) text. One
   * {@code indexOf} per text and replacement and one exact-size buffer (a chain of {@link
   * String#replace} copied the whole message once per value, and more when an excerpt's mask
   * characters widened it to UTF-16). Returns {@code text} itself when none occurs.
   */
  static String replaceAll(String text, String[] texts, String[] replacements) {
    int n = texts.length;
    int[] next = null;
    for (int k = 0; k < n; k++) {
      int at = text.indexOf(texts[k]);
      if (at >= 0 && next == null) {
        next = new int[n];
        java.util.Arrays.fill(next, 0, k, -1);
      }
      if (next != null) {
        next[k] = at;
      }
    }
    if (next == null) {
      return text;
    }
    // Pairs of (position, text index), then the exact length of the result.
    int[] found = new int[8];
    int count = 0;
    int length = text.length();
    int cursor = 0;
    while (true) {
      int best = -1;
      for (int k = 0; k < n; k++) {
        if (next[k] >= 0 && next[k] < cursor) {
          next[k] = text.indexOf(texts[k], cursor);
        }
        if (next[k] >= 0 && (best < 0 || next[k] < next[best])) {
          best = k;
        }
      }
      if (best < 0) {
        break;
      }
      if (count + 2 > found.length) {
        found = java.util.Arrays.copyOf(found, found.length * 2);
      }
      found[count++] = next[best];
      found[count++] = best;
      length += replacements[best].length() - texts[best].length();
      cursor = next[best] + texts[best].length();
    }
    char[] out = new char[length];
    int from = 0;
    int to = 0;
    for (int i = 0; i < count; i += 2) {
      int at = found[i];
      String replacement = replacements[found[i + 1]];
      text.getChars(from, at, out, to);
      to += at - from;
      replacement.getChars(0, replacement.length(), out, to);
      to += replacement.length();
      from = at + texts[found[i + 1]].length();
    }
    text.getChars(from, text.length(), out, to);
    return new String(out);
  }

  public List<Finding> findings() {
    return findings;
  }

  public List<String> dataLabels() {
    return dataLabels;
  }

  /** The tools whose results in this session held injected instructions, first seen first. */
  public List<String> injectedFrom() {
    return injectedFrom;
  }

  public FlowIndex.Flow flow() {
    return flow;
  }

  /** For each control argument: {@code {origin, origins, sources}}. */
  public Map<String, Object> provenance() {
    return provenance;
  }

  Map<String, Object> dataFacts() {
    if (dataFacts == null) {
      List<Map<String, Object>> facts = new ArrayList<>(findings.size());
      for (Finding f : findings) {
        facts.add(
            Map.of(
                "detector",
                f.detector(),
                "label",
                f.label(),
                "path",
                f.path(),
                "excerpt",
                f.excerpt()));
      }
      List<String> domains = new ArrayList<>(2);
      Links.domains(args, domains, 0);
      dataFacts =
          PolicyEnv.celValue(
              Map.of("labels", dataLabels, "findings", facts, "domains", List.copyOf(domains)));
    }
    return dataFacts;
  }

  Map<String, Object> flowFacts() {
    if (flowFacts == null) {
      flowFacts =
          PolicyEnv.celValue(
              Map.of(
                  "labels",
                  flow.labels(),
                  "sources",
                  flow.sources(),
                  "injected",
                  flow.injected(),
                  "targets",
                  payloadTargets()));
    }
    return flowFacts;
  }

  /** Detectors whose matches say where something goes, by the kind {@code flow.targets} gives. */
  private static final Map<String, String> TARGET_KINDS =
      Map.of(
          "email", "address",
          "phone", "phone",
          "iban", "account",
          "account-number", "account",
          "payment-card", "card");

  /**
   * The places to send, call or pay that the payload writes down (mail addresses, phone numbers,
   * IBANs and accounts, cards, #channels), with where each came from and not named by the request:
   * what a write would store in a system of record, to be read back later as the system's own
   * ({@code flow.targets}).
   */
  private List<Map<String, Object>> payloadTargets() {
    if (index == null) {
      return List.of();
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Hit h : payloadHits) {
      String kind = TARGET_KINDS.get(h.detector());
      if (kind != null) {
        values.putIfAbsent(h.value(), kind);
      }
    }
    for (String s : payload) {
      for (int at = s.indexOf('#'); at >= 0; at = s.indexOf('#', at + 1)) {
        int end = at + 1;
        while (end < s.length()
            && (Character.isLetterOrDigit(s.charAt(end)) || "-_.".indexOf(s.charAt(end)) >= 0)) {
          end++;
        }
        while (end > at + 1 && s.charAt(end - 1) == '.') {
          end--;
        }
        boolean standsAlone = at == 0 || !Character.isLetterOrDigit(s.charAt(at - 1));
        if (standsAlone && end - at > 2 && Character.isLetter(s.charAt(at + 1))) {
          values.putIfAbsent(s.substring(at, end), "channel");
        }
      }
    }
    List<Map<String, Object>> out = new ArrayList<>(values.size());
    for (Map.Entry<String, String> e : values.entrySet()) {
      FlowIndex.Origin o = index.origin(e.getKey());
      if (!o.origin().equals("request")) {
        out.add(
            Map.of(
                "kind",
                e.getValue(),
                "origin",
                o.origin(),
                "sources",
                o.sources(),
                "injected",
                o.injected()));
      }
    }
    return out;
  }

  Map<String, Object> provenanceFacts() {
    if (provenanceFacts == null) {
      provenanceFacts = PolicyEnv.celValue(provenance);
    }
    return provenanceFacts;
  }
}
