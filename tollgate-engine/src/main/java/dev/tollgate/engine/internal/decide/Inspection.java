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
      new Inspection(Map.of(), List.of(), List.of(), FlowIndex.Flow.NONE, Map.of());

  static {
    // Shared by every thread: made here, not lazily, so that no thread sees them half made.
    NONE.dataFacts();
    NONE.flowFacts();
    NONE.provenanceFacts();
  }

  /** Shorter flagged text is not replaced in messages: it would mangle ordinary words. */
  private static final int MIN_MASKED = 4;

  private final List<Hit> hits;
  private final Map<String, Object> args;

  /** The text of each hit in the arguments as sent: found when {@link #mask} first needs it. */
  private List<String> flaggedText;

  private final List<String> dataLabels;
  private final FlowIndex.Flow flow;
  private final Map<String, Object> provenance;
  private final List<Finding> findings;

  // The CEL forms of data, flow and provenance: made when a policy first reads them (most read
  // neither), see Facts.
  private Map<String, Object> dataFacts;
  private Map<String, Object> flowFacts;
  private Map<String, Object> provenanceFacts;

  private Inspection(
      Map<String, Object> args,
      List<Hit> hits,
      List<String> dataLabels,
      FlowIndex.Flow flow,
      Map<String, Object> provenance) {
    this.hits = List.copyOf(hits);
    this.args = args;
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
    List<String> control = tool.control();
    LinkedHashSet<String> labels = new LinkedHashSet<>();
    List<Hit> payloadHits = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      if (!inControl(h.path(), control)) {
        labels.add(h.label());
        payloadHits.add(h);
      }
    }
    if (index == null) {
      return new Inspection(args, hits, List.copyOf(labels), FlowIndex.Flow.NONE, Map.of());
    }
    List<String> payload = new ArrayList<>();
    Map<String, Object> provenance = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : args.entrySet()) {
      if (control.contains(e.getKey())) {
        provenance.put(e.getKey(), origin(index, e.getValue()));
      } else {
        payload.add(e.getKey());
        dev.tollgate.engine.internal.flow.Fingerprints.collect(e.getValue(), payload);
      }
    }
    FlowIndex.Flow flow = index.flow(payload, payloadHits);
    return new Inspection(
        args, hits, List.copyOf(labels), flow, java.util.Collections.unmodifiableMap(provenance));
  }

  private static Map<String, Object> origin(FlowIndex index, Object value) {
    List<String> values = new ArrayList<>();
    dev.tollgate.engine.internal.flow.Fingerprints.collect(value, values);
    int weakest = 0;
    LinkedHashSet<String> origins = new LinkedHashSet<>();
    LinkedHashSet<String> sources = new LinkedHashSet<>();
    for (String v : values) {
      FlowIndex.Origin o = index.origin(v);
      origins.add(o.origin());
      sources.addAll(o.sources());
      weakest = Math.max(weakest, FlowIndex.ORIGINS.indexOf(o.origin()));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("origin", values.isEmpty() ? "request" : FlowIndex.ORIGINS.get(weakest));
    out.put("origins", List.copyOf(origins));
    out.put("sources", List.copyOf(sources));
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
    if (flaggedText == null) {
      flaggedText = flaggedText(args, hits);
    }
    String out = text;
    for (int i = 0; i < hits.size(); i++) {
      Hit h = hits.get(i);
      String raw = flaggedText.get(i);
      if (raw != null && raw.length() >= MIN_MASKED && out.contains(raw)) {
        out = out.replace(raw, h.excerpt());
      }
      String folded = h.value();
      if (folded != null && folded.length() >= MIN_MASKED && out.contains(folded)) {
        out = out.replace(folded, h.excerpt());
      }
    }
    return out;
  }

  /** The text each hit covers in the arguments as sent, or {@code null} when it cannot be found. */
  private static List<String> flaggedText(Map<String, Object> args, List<Hit> hits) {
    List<String> out = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      out.add(textAt(args, h));
    }
    return out;
  }

  static String textAt(Map<String, Object> args, Hit h) {
    if (args == null || !h.path().startsWith("/args/")) {
      return null;
    }
    Object at = args;
    String key = null;
    for (String segment : h.path().substring(6).split("/", -1)) {
      key = Pointer.key(segment);
      if (at instanceof Map<?, ?> m) {
        at = m.get(key);
      } else if (at instanceof List<?> l) {
        try {
          int index = Integer.parseInt(key);
          at = index >= 0 && index < l.size() ? l.get(index) : null;
        } catch (NumberFormatException e) {
          return null;
        }
      } else {
        return null;
      }
    }
    String text = h.key() ? key : at instanceof String str ? str : null;
    if (text == null || h.start() < 0 || h.end() > text.length() || h.start() >= h.end()) {
      return null;
    }
    return text.substring(h.start(), h.end());
  }

  public List<Finding> findings() {
    return findings;
  }

  public List<String> dataLabels() {
    return dataLabels;
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
      dataFacts = PolicyEnv.celValue(Map.of("labels", dataLabels, "findings", facts));
    }
    return dataFacts;
  }

  Map<String, Object> flowFacts() {
    if (flowFacts == null) {
      flowFacts = PolicyEnv.celValue(Map.of("labels", flow.labels(), "sources", flow.sources()));
    }
    return flowFacts;
  }

  Map<String, Object> provenanceFacts() {
    if (provenanceFacts == null) {
      provenanceFacts = PolicyEnv.celValue(provenance);
    }
    return provenanceFacts;
  }
}
