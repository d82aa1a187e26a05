package dev.tollgate.engine.internal.flow;

import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.engine.internal.scan.Fold;
import dev.tollgate.engine.internal.scan.Hit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one session has read, as fingerprints, indexed for the questions asked at decide time: which
 * earlier results re-appear in these arguments ({@code flow}), and where a control argument's value
 * came from ({@code provenance}). Built from the session's stored results and extended as new ones
 * are observed; held in memory by {@link FlowIndexes}.
 *
 * <p>The table is open addressing over the hashes: a lookup is a few array reads, and a session of
 * 1,000 results is a few megabytes at most. Thread-safe by locking: one session's decisions rarely
 * run concurrently.
 */
public final class FlowIndex {
  /** Origins from strongest to weakest, as {@code provenance} ranks them. */
  public static final List<String> ORIGINS = List.of("request", "trusted", "none", "untrusted");

  private static final long LABEL_BITS =
      Fingerprints.SECRET
          | Fingerprints.PERSONAL
          | Fingerprints.FINANCIAL
          | Fingerprints.INJECTED
          | Fingerprints.ID_FIELD
          | Fingerprints.NAMED_RECORD
          | Fingerprints.OTHER_RECORD
          | Fingerprints.NAMED_SOURCE;
  private static final int MAX_ENTRIES = 1 << 20;

  private final Fingerprints fingerprints;
  private final String request;
  private final Set<Long> requestAtoms = new HashSet<>();

  /**
   * Fingerprints of the flagged values the user named, from the tokens a stored request and task
   * hold in their place ({@link Fingerprints#token}): how a recipient is known as named by the user
   * where only the stored text is at hand (another instance, after a restart).
   */
  private final Set<Long> namedValues = new HashSet<>();

  private final List<Source> sources = new ArrayList<>();
  private long seen;

  private long[] keys = new long[1024];
  private int[] trusted = new int[1024];
  private int[] untrusted = new int[1024];
  private short[] labels = new short[1024];
  private int size;

  /**
   * A blocked Bloom filter over the keys, an eighth of the table's size: most of what an action
   * carries was never read, and answering that from a cache-resident filter instead of a probe into
   * a table of megabytes is what keeps a decision with 1,000 results in microseconds.
   */
  private long[] filter = new long[1024 / 8];

  private record Source(String tool, boolean trusted, List<String> labels) {}

  /**
   * Labels and source tools of session data found again in an action's arguments, and whether any
   * of it was read in a paragraph of an untrusted result that holds injected instructions.
   */
  public record Flow(List<String> labels, List<String> sources, boolean injected) {
    public static final Flow NONE = new Flow(List.of(), List.of(), false);
  }

  /**
   * Where one value came from: one of {@link #ORIGINS}, and the tools whose results hold it.
   *
   * @param injected whether some of it was read in a paragraph that holds injected instructions
   * @param idField for an untrusted origin, whether what came only from untrusted content was read
   *     as the value of an id field of a structured result (an id the system assigned)
   * @param otherEntry whether some of it, not named by the request, was read only in entries of a
   *     listing whose other entry the request names: the wrong one of two
   * @param namedSource for an untrusted origin, whether what came only from untrusted content was
   *     read, outside injected paragraphs, in a source the request names (the file, the mail, the
   *     listing entry the user pointed at)
   */
  public record Origin(
      String origin,
      List<String> sources,
      boolean injected,
      boolean idField,
      boolean otherEntry,
      boolean namedSource) {
    Origin(String origin, List<String> sources) {
      this(origin, sources, false, false, false, false);
    }
  }

  /**
   * @param request the user's request, with the task's strings: what the user named is trusted
   */
  public FlowIndex(Fingerprints fingerprints, String request, Map<String, Object> task) {
    this.fingerprints = fingerprints;
    StringBuilder all = new StringBuilder(request == null ? "" : request);
    List<String> taskStrings = new ArrayList<>();
    Fingerprints.strings(task, taskStrings, false);
    for (String s : taskStrings) {
      all.append('\n').append(s);
    }
    Fingerprints.inTokens(all.toString(), namedValues::add);
    this.request = Fold.fold(all);
    String folded = this.request;
    Tokens.Runs tokens = new Tokens.Runs().of(folded);
    for (int t = 0; t < tokens.size(); t++) {
      fingerprints.atoms(folded, tokens.from(t), tokens.to(t), requestAtoms::add);
    }
  }

  /** The tools whose results held injected instructions, in the order first seen; immutable. */
  private List<String> injectedFrom = List.of();

  /**
   * The tools whose results in this session held injected instructions (read in an untrusted
   * result's injected paragraphs), in the order first seen: what a message about a suspicious
   * session names.
   */
  public synchronized List<String> injectedFrom() {
    return injectedFrom;
  }

  /** The sequence number of the newest result in the index. */
  public synchronized long seen() {
    return seen;
  }

  /** Each thread's token buffers for {@link #flow}, dropped after an unusually large payload. */
  private static final ThreadLocal<Tokens.Runs> RUNS = ThreadLocal.withInitial(Tokens.Runs::new);

  /** Adds results observed since {@link #seen}; older ones are ignored. */
  public synchronized void add(List<ObservedResult> results) {
    for (ObservedResult r : results) {
      if (r.seq() <= seen) {
        continue;
      }
      seen = r.seq();
      int index = sources.size();
      boolean isTrusted = r.trust() == ObservedResult.Trust.TRUSTED;
      sources.add(new Source(r.tool(), isTrusted, r.labels()));
      boolean injected = false;
      for (long entry : Fingerprints.decode(r.fingerprints())) {
        put(entry, index, isTrusted);
        injected |= (entry & Fingerprints.INJECTED) != 0;
      }
      if (injected && !injectedFrom.contains(r.tool())) {
        List<String> more = new ArrayList<>(injectedFrom);
        more.add(r.tool());
        injectedFrom = List.copyOf(more);
      }
    }
  }

  /**
   * Which observed results re-appear in {@code strings} (the payload of an action, not its control
   * arguments): a result counts when one of its distinctive values or flagged values appears, or at
   * least two of its sampled shingles do. A distinctive value, or a detector's match, that the user
   * named in the request does not count: the user gave it, so repeating it (the invoice number a
   * vendor mail is about) carries nothing out of the session.
   */
  public synchronized Flow flow(List<String> strings, List<Hit> hits) {
    if (sources.isEmpty()) {
      return Flow.NONE;
    }
    int[] shingleHits = new int[sources.size()];
    boolean[] flowed = new boolean[sources.size()];
    // [0]: the labels of what was found; [1]: injected shingles found; [2]: an injected value found
    long[] bits = {0, 0, 0};
    for (Hit h : hits) {
      String v = Fold.compact(h.value());
      if (!v.isEmpty() && !everyTokenNamed(h.value())) {
        mark(fingerprints.atom(v, 0, v.length()), flowed, null, bits);
      }
    }
    // the payload's buffers, reused by the thread: an 8 KB action's tokens took 60 KB a decision
    Tokens.Runs tokens = RUNS.get();
    for (String raw : strings) {
      tokens.fold(raw);
      for (int t = 0; t < tokens.size(); t++) {
        if (tokens.distinctive(t)) {
          fingerprints.atoms(
              tokens.text(),
              tokens.from(t),
              tokens.to(t),
              a -> {
                if (!requestAtoms.contains(a)) {
                  mark(a, flowed, null, bits);
                }
              });
        }
      }
      fingerprints.shingles(tokens, h -> mark(h, null, shingleHits, bits));
    }
    if (tokens.large()) {
      RUNS.remove();
    }
    LinkedHashSet<String> labelsOut = new LinkedHashSet<>();
    LinkedHashSet<String> tools = new LinkedHashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      if (flowed[i] || shingleHits[i] >= 2) {
        Source src = sources.get(i);
        labelsOut.addAll(src.labels());
        if (!src.trusted()) {
          labelsOut.add("untrusted");
        }
        tools.add(src.tool());
      }
    }
    if (tools.isEmpty()) {
      return Flow.NONE;
    }
    Fingerprints.labelsOf(bits[0], labelsOut);
    // Like a source, copied injected prose needs two shingles; one injected value is enough.
    boolean injected = bits[2] != 0 || bits[1] >= 2;
    return new Flow(List.copyOf(labelsOut), List.copyOf(tools), injected);
  }

  /** Where {@code value}, a control argument's value, came from. */
  public synchronized Origin origin(String value) {
    String folded = Fold.fold(value).strip();
    if (folded.isEmpty()) {
      return new Origin("request", List.of());
    }
    if (namedInRequest(folded) || namedValue(value)) {
      return new Origin("request", List.of());
    }
    Tokens.Runs tokens = new Tokens.Runs().of(folded);
    if (tokens.size() == 0) {
      return new Origin("none", List.of());
    }
    int weakest = 0;
    boolean injected = false;
    boolean idField = true;
    boolean namedSource = true;
    boolean otherEntry = false;
    LinkedHashSet<String> tools = new LinkedHashSet<>();
    for (int t = 0; t < tokens.size(); t++) {
      // found[0]: named in the request; found[1]: first trusted source; found[2]: first untrusted;
      // found[3]: the flags of what was found
      int[] found = {0, -1, -1, 0};
      fingerprints.atoms(
          folded,
          tokens.from(t),
          tokens.to(t),
          false,
          a -> {
            if (requestAtoms.contains(a)) {
              found[0] = 1;
              return;
            }
            int slot = find(a);
            if (slot >= 0) {
              found[1] = found[1] >= 0 ? found[1] : trusted[slot];
              found[2] = found[2] >= 0 ? found[2] : untrusted[slot];
              found[3] |= labels[slot] & 0xFFFF;
            }
          });
      int rank;
      if (found[0] == 1) {
        rank = 0;
      } else if (found[1] >= 0) {
        rank = 1;
        tools.add(sources.get(found[1]).tool());
      } else if (found[2] >= 0) {
        rank = 3;
        tools.add(sources.get(found[2]).tool());
        idField &= (found[3] & Fingerprints.ID_FIELD) != 0;
        namedSource &= (found[3] & Fingerprints.NAMED_SOURCE) != 0;
      } else {
        rank = 2;
      }
      // a value a trusted source or the request also gives did not need the injected text
      injected |= rank == 3 && (found[3] & Fingerprints.INJECTED) != 0;
      otherEntry |=
          rank > 0
              && (found[3] & Fingerprints.OTHER_RECORD) != 0
              && (found[3] & Fingerprints.NAMED_RECORD) == 0;
      weakest = Math.max(weakest, rank);
    }
    String origin = ORIGINS.get(weakest);
    boolean untrusted = origin.equals("untrusted");
    return new Origin(
        origin,
        List.copyOf(tools),
        injected,
        idField && untrusted,
        otherEntry,
        namedSource && untrusted && !injected);
  }

  /**
   * Whether the first token of {@code value} (a URL up to where its query is split) was read in a
   * result or the request as written, not only in parts: a link followed as the result gave it.
   */
  public synchronized boolean readAsWritten(String value) {
    String folded = Fold.fold(value).strip();
    Tokens.Runs tokens = new Tokens.Runs().of(folded);
    if (tokens.size() == 0) {
      return false;
    }
    long whole = fingerprints.atom(folded, tokens.from(0), tokens.to(0));
    return requestAtoms.contains(whole) || find(whole) >= 0;
  }

  /**
   * How many distinct values of {@code text} (tokens of three characters or more) were read in this
   * session's results and are not named in the request: what a link the agent completed carries out
   * (the channel's members appended to a "preview" link, the revenue table to a "live rates" one).
   * Words count as well as ids: a list of names or subjects is data too.
   */
  public synchronized int readValues(String text) {
    if (sources.isEmpty()) {
      return 0;
    }
    String folded = Fold.fold(text);
    Tokens.Runs tokens = new Tokens.Runs().of(folded);
    java.util.Set<Long> counted = new java.util.HashSet<>();
    int read = 0;
    for (int t = 0; t < tokens.size(); t++) {
      int from = tokens.from(t);
      int to = tokens.to(t);
      if (to - from < 3 || !counted.add(fingerprints.atom(folded, from, to))) {
        continue;
      }
      // [0]: found in a result; [1]: named in the request
      boolean[] found = {false, false};
      fingerprints.atoms(
          folded,
          from,
          to,
          false,
          a -> {
            if (requestAtoms.contains(a)) {
              found[1] = true;
            } else if (find(a) >= 0) {
              found[0] = true;
            }
          });
      if (found[0] && !found[1]) {
        read++;
      }
    }
    return read;
  }

  /** The request's entities by kind ({@link #kind}), made the first time a conflict is asked. */
  private Map<String, List<String>> requestEntities;

  /**
   * Whether {@code value}, the value of control argument {@code key}, is an entity of a kind the
   * request names (a mail address, a #channel, a URL, a path) while the request names other values
   * of that kind and not this one: "post it in #inc-4411" and the action posts to #inc-4411-shared;
   * "clear the logs in /var/log/nginx/" and the action deletes /var/log/audit/. A path inside a
   * named path is the named one.
   */
  public synchronized boolean conflicts(String key, String value) {
    String v = Fold.fold(value).strip();
    String kind = kind(key, v);
    if (kind == null || namedInRequest(v)) {
      return false;
    }
    if (requestEntities == null) {
      requestEntities = new java.util.HashMap<>();
      for (String word : request.split("\\s+")) {
        if (Fingerprints.isTokenFingerprint(word)) {
          // the fingerprint part of a flagged value's stored token ("#5f0c2a9e41b7d380]") is no
          // #channel; the token's masked excerpt before it keeps the value's kind
          continue;
        }
        String w = trimPunctuation(word);
        String k = kind(null, w);
        if (k != null) {
          requestEntities.computeIfAbsent(k, x -> new ArrayList<>()).add(w);
        }
      }
    }
    List<String> named = requestEntities.get(kind);
    if (named == null) {
      return false;
    }
    for (String n : named) {
      if (kind.equals("channel") ? strip(n, '#').equals(strip(v, '#')) : v.startsWith(n)) {
        return false;
      }
    }
    return true;
  }

  /** The kind of entity a value is, by its form, or {@code null}: most values are of no kind. */
  private static String kind(String key, String v) {
    if (v.length() < 3 || v.indexOf(' ') >= 0) {
      return null;
    }
    if (v.contains("://")) {
      return "url";
    }
    int at = v.indexOf('@');
    if (at > 0 && v.indexOf('.', at) > at + 1) {
      return "email";
    }
    if (v.charAt(0) == '#'
        || (key != null && key.toLowerCase(java.util.Locale.ROOT).contains("channel"))) {
      return "channel";
    }
    if (v.charAt(0) == '/' || v.startsWith("~/")) {
      return "path";
    }
    return null;
  }

  private static String strip(String s, char c) {
    return !s.isEmpty() && s.charAt(0) == c ? s.substring(1) : s;
  }

  private static String trimPunctuation(String w) {
    int from = 0;
    int to = w.length();
    while (from < to && "(\"'<[".indexOf(w.charAt(from)) >= 0) {
      from++;
    }
    while (to > from && ".,;:!?)\"'>]".indexOf(w.charAt(to - 1)) >= 0) {
      to--;
    }
    return w.substring(from, to);
  }

  /** Whether {@code value} is a flagged value the stored request names by its fingerprint. */
  private boolean namedValue(String value) {
    return !namedValues.isEmpty() && namedValues.contains(fingerprints.ofValue(value));
  }

  /** Whether the user's request names every token of {@code value} (a detector's match). */
  private boolean everyTokenNamed(String value) {
    if (namedValue(value)) {
      return true;
    }
    String folded = Fold.fold(value);
    Tokens.Runs tokens = new Tokens.Runs().of(folded);
    if (tokens.size() == 0) {
      return false;
    }
    for (int t = 0; t < tokens.size(); t++) {
      if (!requestAtoms.contains(fingerprints.atom(folded, tokens.from(t), tokens.to(t)))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the request holds {@code folded} as a whole: not inside a longer word or number, so
   * that {@code C-104} is not named by a request that names {@code C-1042}.
   */
  private boolean namedInRequest(String folded) {
    for (int at = request.indexOf(folded); at >= 0; at = request.indexOf(folded, at + 1)) {
      int end = at + folded.length();
      boolean startsClean =
          at == 0
              || !Character.isLetterOrDigit(request.charAt(at - 1))
              || !Character.isLetterOrDigit(folded.charAt(0));
      boolean endsClean =
          end == request.length()
              || !Character.isLetterOrDigit(request.charAt(end))
              || !Character.isLetterOrDigit(folded.charAt(folded.length() - 1));
      if (startsClean && endsClean) {
        return true;
      }
    }
    return false;
  }

  private void mark(long entry, boolean[] flowed, int[] shingleHits, long[] bits) {
    int slot = find(entry);
    if (slot < 0) {
      return;
    }
    int source = trusted[slot] >= 0 ? trusted[slot] : untrusted[slot];
    boolean injected = (labels[slot] & Fingerprints.INJECTED) != 0;
    if (flowed != null) {
      flowed[source] = true;
      if (untrusted[slot] >= 0) {
        flowed[untrusted[slot]] = true;
      }
      bits[2] |= injected ? 1 : 0;
    } else {
      shingleHits[source]++;
      bits[1] += injected ? 1 : 0;
    }
    bits[0] |= labels[slot];
  }

  private static long key(long entry) {
    return entry & ~LABEL_BITS;
  }

  private int find(long entry) {
    long k = key(entry);
    long bits = filterBits(k);
    if ((filter[filterWord(k, filter.length)] & bits) != bits) {
      return -1;
    }
    int mask = keys.length - 1;
    for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
      long at = keys[i];
      if (at == 0) {
        return -1;
      }
      if (at == k) {
        return i;
      }
    }
  }

  private void put(long entry, int source, boolean isTrusted) {
    long k = key(entry);
    if (k == 0) {
      return;
    }
    if (size * 2 >= keys.length) {
      if (keys.length >= MAX_ENTRIES * 2) {
        return;
      }
      grow();
    }
    int mask = keys.length - 1;
    int i = mix(k) & mask;
    while (keys[i] != 0 && keys[i] != k) {
      i = (i + 1) & mask;
    }
    if (keys[i] == 0) {
      keys[i] = k;
      filter[filterWord(k, filter.length)] |= filterBits(k);
      trusted[i] = -1;
      untrusted[i] = -1;
      size++;
    }
    if (isTrusted) {
      if (trusted[i] < 0) {
        trusted[i] = source;
      }
    } else if (untrusted[i] < 0) {
      untrusted[i] = source;
    }
    labels[i] |= (short) (entry & LABEL_BITS);
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldTrusted = trusted;
    int[] oldUntrusted = untrusted;
    short[] oldLabels = labels;
    int n = oldKeys.length * 2;
    keys = new long[n];
    trusted = new int[n];
    untrusted = new int[n];
    labels = new short[n];
    filter = new long[n / 8];
    int mask = n - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      long k = oldKeys[j];
      if (k == 0) {
        continue;
      }
      int i = mix(k) & mask;
      while (keys[i] != 0) {
        i = (i + 1) & mask;
      }
      keys[i] = k;
      filter[filterWord(k, filter.length)] |= filterBits(k);
      trusted[i] = oldTrusted[j];
      untrusted[i] = oldUntrusted[j];
      labels[i] = oldLabels[j];
    }
  }

  private static int filterWord(long k, int words) {
    return (int) (k >>> 40) & (words - 1);
  }

  /** Two bits of the word, from hash bits the table's slot and the word do not use. */
  private static long filterBits(long k) {
    return (1L << ((k >>> 28) & 63)) | (1L << ((k >>> 34) & 63));
  }

  private static int mix(long k) {
    return (int) (k ^ (k >>> 29) ^ (k >>> 43));
  }
}
