package dev.tollgate.engine.internal.scan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;

/**
 * The state of one call to {@link Detectors#scan}: its budget, the walk's stack, the paths of the
 * nodes walked, the texts being scanned and the hits so far.
 *
 * <p>Everything here is reused: a scan of an action that no detector matches must not allocate (the
 * issue's rule: such an action pays nothing for the detectors). A finished scan goes back to a
 * small shared pool, and the next one resets it instead of growing buffers from zero. The pool is
 * not thread-local: every server request runs on a new virtual thread, so a thread-local would
 * never be reused. A scan is owned by one thread between {@link #acquire} and {@link #release}.
 *
 * <p>JSON pointers are not built while walking: each node the walk reaches gets an entry in a table
 * of (parent, key or index), and a pointer string is made from it only when a hit is reported in
 * that node.
 */
final class Scan implements BiConsumer<Object, Object> {
  /**
   * Work units a hit costs, beside the characters read: a text full of matches costs more to report
   * than to read, and this keeps the number of hits of one scan bounded by the budget.
   */
  static final int HIT_COST = 16;

  /** Scans kept for reuse. More than the cores: virtual threads may hold some while parked. */
  private static final AtomicReferenceArray<Scan> POOL = new AtomicReferenceArray<>(16);

  /**
   * A scan that grew past this (path entries, characters, hits) is not kept: one huge action must
   * not pin its buffers for the life of the process.
   */
  private static final int KEEP_AT_MOST = 1 << 14;

  /** Above this many hits in one string, duplicates are found with a set, not a linear search. */
  private static final int LINEAR_DEDUPE = 32;

  private static final Comparator<Hit> BY_SPAN =
      Comparator.comparingInt(Hit::start).thenComparingInt(Hit::end);

  Budget budget;
  private final ArrayList<Hit> hits = new ArrayList<>();

  /** Index in {@link #hits} of the first hit of the string being scanned. */
  private int stringStart;

  /** Dedupe keys of the string being scanned, once it has more than {@link #LINEAR_DEDUPE} hits. */
  private final Set<DedupeKey> seen = new HashSet<>();

  // The path table: entry 0 is the root; every other entry is a child of pathParent[i], named by a
  // map key (pathKey[i] != null) or a list index (pathIndex[i]).
  private String rootPath;
  private int[] pathParent = new int[64];
  private String[] pathKey = new String[64];
  private int[] pathIndex = new int[64];

  /** The pointers made so far (a hit's entry and its parent): siblings share their parent's. */
  private String[] pathPointer = new String[64];

  private int paths;

  // The walk's stack of pending nodes: the node, its path entry and flags.
  static final byte KEY = 1;
  static final byte SECRET = 2;
  private Object[] stackNode = new Object[64];
  private int[] stackPath = new int[64];
  private byte[] stackFlags = new byte[64];
  private int stacked;

  /** While a map's entries are pushed: its path entry and whether they inherit a secret key. */
  private int mapPath;

  private final Text[] texts = new Text[Detectors.MAX_DECODING_DEPTH + 1];

  private char[] chars = new char[256];

  private final Text.Ints[][] lists = new Text.Ints[Detectors.MAX_DECODING_DEPTH + 1][];

  private Scan() {}

  /** A scan from the pool, or a new one, reset to {@code budget}. */
  static Scan acquire(Budget budget) {
    int start = (int) (Thread.currentThread().threadId() & (POOL.length() - 1));
    Scan scan = null;
    for (int i = 0; i < POOL.length() && scan == null; i++) {
      scan = POOL.getAndSet((start + i) & (POOL.length() - 1), null);
    }
    if (scan == null) {
      scan = new Scan();
    }
    scan.reset(budget);
    return scan;
  }

  /** Gives this scan back to the pool; the caller must not use it any more. */
  void release() {
    if (pathParent.length > KEEP_AT_MOST
        || stackNode.length > KEEP_AT_MOST
        || chars.length > KEEP_AT_MOST
        || bytes.length > KEEP_AT_MOST
        || hits.size() > KEEP_AT_MOST) {
      return;
    }
    hits.clear();
    Arrays.fill(stackNode, 0, stackNode.length, null);
    Arrays.fill(pathKey, 0, paths, null);
    Arrays.fill(pathPointer, 0, paths, null);
    budget = null;
    int start = (int) (Thread.currentThread().threadId() & (POOL.length() - 1));
    for (int i = 0; i < POOL.length(); i++) {
      if (POOL.compareAndSet((start + i) & (POOL.length() - 1), null, this)) {
        return;
      }
    }
  }

  private void reset(Budget budget) {
    this.budget = budget;
    hits.clear();
    seen.clear();
    stringStart = 0;
    paths = 0;
    stacked = 0;
  }

  /**
   * Charges {@code units} of work to the budget from inside a finder, which cannot throw the
   * checked exception: {@link Exhausted} carries it out to {@link Detectors#scan}.
   */
  void charge(long units) {
    try {
      budget.spend(units);
    } catch (ScanLimitException e) {
      throw new Exhausted(e);
    }
  }

  /** The budget ran out inside a finder; {@link Detectors#scan} rethrows the cause. */
  static final class Exhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Exhausted(ScanLimitException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    ScanLimitException limit() {
      return (ScanLimitException) getCause();
    }
  }

  // ---- the path table ----

  /** Starts the table with the root's pointer; returns the root's entry. */
  int root(String path) {
    rootPath = path;
    paths = 0;
    return addPath(-1, null, 0);
  }

  private int addPath(int parent, String key, int index) {
    if (paths == pathParent.length) {
      int size = paths * 2;
      pathParent = Arrays.copyOf(pathParent, size);
      pathKey = Arrays.copyOf(pathKey, size);
      pathIndex = Arrays.copyOf(pathIndex, size);
      pathPointer = Arrays.copyOf(pathPointer, size);
    }
    pathPointer[paths] = null;
    pathParent[paths] = parent;
    pathKey[paths] = key;
    pathIndex[paths] = index;
    return paths++;
  }

  /** The JSON pointer of path entry {@code entry}. */
  String pointer(int entry) {
    return pointer(entry, 0);
  }

  /**
   * Made from the parent's pointer, itself made (and kept) the same way up to {@value #MEMO_DEPTH}
   * levels; deeper, the rest of the way up is written in one buffer, so that a hit deep in a nested
   * value costs one string per level at most a few levels.
   */
  private String pointer(int entry, int depth) {
    if (entry == 0) {
      return rootPath;
    }
    String made = pathPointer[entry];
    if (made != null) {
      return made;
    }
    int parent = pathParent[entry];
    String above;
    if (depth < MEMO_DEPTH) {
      above = pointer(parent, depth + 1);
    } else {
      StringBuilder out = new StringBuilder(rootPath.length() + 32);
      appendPointer(out, parent);
      above = out.toString();
    }
    String segment =
        pathKey[entry] != null ? Pointer.segment(pathKey[entry]) : index(pathIndex[entry]);
    // Strings only: the concatenation with an int (its digits counted and written each time) took
    // 5% of a typical decision in a JFR profile.
    made = above + "/" + segment;
    pathPointer[entry] = made;
    return made;
  }

  private static final int MEMO_DEPTH = 8;

  /** The list indexes most pointers name, as text made once. */
  private static final String[] SMALL_INDEXES = new String[64];

  static {
    for (int i = 0; i < SMALL_INDEXES.length; i++) {
      SMALL_INDEXES[i] = Integer.toString(i);
    }
  }

  private static String index(int i) {
    return i < SMALL_INDEXES.length ? SMALL_INDEXES[i] : Integer.toString(i);
  }

  private void appendPointer(StringBuilder out, int entry) {
    if (entry == 0) {
      out.append(rootPath);
      return;
    }
    appendPointer(out, pathParent[entry]);
    out.append('/');
    if (pathKey[entry] != null) {
      out.append(Pointer.segment(pathKey[entry]));
    } else {
      out.append(pathIndex[entry]);
    }
  }

  // ---- the walk's stack ----

  void push(Object node, int path, byte flags) {
    if (stacked == stackNode.length) {
      int size = stacked * 2;
      stackNode = Arrays.copyOf(stackNode, size);
      stackPath = Arrays.copyOf(stackPath, size);
      stackFlags = Arrays.copyOf(stackFlags, size);
    }
    stackNode[stacked] = node;
    stackPath[stacked] = path;
    stackFlags[stacked] = flags;
    stacked++;
  }

  boolean stackEmpty() {
    return stacked == 0;
  }

  /** Pops the top node; read its path and flags with {@link #poppedPath}, {@link #poppedFlags}. */
  Object pop() {
    stacked--;
    Object node = stackNode[stacked];
    stackNode[stacked] = null;
    return node;
  }

  int poppedPath() {
    return stackPath[stacked];
  }

  byte poppedFlags() {
    return stackFlags[stacked];
  }

  int stackSize() {
    return stacked;
  }

  /**
   * Reverses the nodes pushed since the stack had {@code from} entries, so that children pushed in
   * document order pop in document order.
   */
  void reverseFrom(int from) {
    for (int i = from, j = stacked - 1; i < j; i++, j--) {
      Object n = stackNode[i];
      stackNode[i] = stackNode[j];
      stackNode[j] = n;
      int p = stackPath[i];
      stackPath[i] = stackPath[j];
      stackPath[j] = p;
      byte f = stackFlags[i];
      stackFlags[i] = stackFlags[j];
      stackFlags[j] = f;
    }
  }

  /** Pushes a list item at {@code index} of the node at path entry {@code parent}. */
  void pushItem(Object item, int parent, int index, byte flags) {
    push(item, addPath(parent, null, index), flags);
  }

  /** Pushes the entries of {@code map} (at path entry {@code path}) in its iteration order. */
  void pushEntries(java.util.Map<?, ?> map, int path) {
    mapPath = path;
    // This scan is the visitor: no lambda, no entry-set iterator, no Map.Entry per entry.
    map.forEach(this);
  }

  /** One entry of the map being pushed: its key, then its value. */
  @Override
  public void accept(Object k, Object value) {
    String key = String.valueOf(k);
    int entry = addPath(mapPath, key, 0);
    push(key, entry, KEY);
    push(value, entry, namesSecret(key) ? SECRET : 0);
  }

  /**
   * Whether a map key names a secret, remembered per key: the same few keys come in every action,
   * and folding one and trying every key word on it cost more than the rest of its entry's walk.
   * The memory is bounded, so that keys chosen to be all different cannot grow it; past the bound a
   * key is judged afresh.
   */
  static boolean namesSecret(String key) {
    Boolean known = SECRET_KEYS.get(key);
    if (known != null) {
      return known;
    }
    String folded = Fold.fold(key);
    boolean secret = Secrets.isSecretKey(folded) || Detectors.isAuthorizationKey(folded);
    if (SECRET_KEYS.size() < MAX_SECRET_KEYS) {
      SECRET_KEYS.put(key, secret);
    }
    return secret;
  }

  private static final int MAX_SECRET_KEYS = 4096;
  private static final java.util.concurrent.ConcurrentHashMap<String, Boolean> SECRET_KEYS =
      new java.util.concurrent.ConcurrentHashMap<>();

  // ---- texts and their buffers ----

  /** The text object of decoding depth {@code depth}, to be reset for the next string. */
  Text text(int depth) {
    Text t = texts[depth];
    if (t == null) {
      t = new Text(this, depth);
      texts[depth] = t;
    }
    return t;
  }

  /** The six lists a text of this decoding depth records its pass in, cleared. */
  Text.Ints[] lists(int depth) {
    Text.Ints[] l = lists[depth];
    if (l == null) {
      l = new Text.Ints[6];
      for (int i = 0; i < l.length; i++) {
        l[i] = new Text.Ints();
      }
      lists[depth] = l;
    } else {
      for (Text.Ints ints : l) {
        ints.clear();
      }
    }
    return l;
  }

  private byte[] bytes = new byte[64];

  /** A buffer of at least {@code length} bytes for decoding, its content used at once. */
  byte[] bytes(int length) {
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, Math.min(2 * bytes.length, 1 << 20))];
    }
    return bytes;
  }

  /** A buffer of at least {@code length} chars, shared by the texts of this scan, one at a time. */
  char[] chars(int length) {
    if (chars.length < length) {
      chars = new char[Math.max(length, Math.min(2 * chars.length, 1 << 20))];
    }
    return chars;
  }

  // ---- hits ----

  /** A top-level string (a value or a key) starts: its hits follow those of earlier strings. */
  void startString() {
    stringStart = hits.size();
    if (!seen.isEmpty()) {
      seen.clear();
    }
  }

  /**
   * The top-level string is done: its hits are put in order of position. Strings are visited in
   * document order, so the whole list is then in document order.
   */
  void endString() {
    int n = hits.size() - stringStart;
    if (n < 2) {
      return;
    }
    if (n <= LINEAR_DEDUPE) {
      // Insertion sort, stable, in place: finders report mostly in order, and a string has few.
      for (int i = stringStart + 1; i < hits.size(); i++) {
        Hit h = hits.get(i);
        int j = i - 1;
        while (j >= stringStart && BY_SPAN.compare(hits.get(j), h) > 0) {
          hits.set(j + 1, hits.get(j));
          j--;
        }
        hits.set(j + 1, h);
      }
    } else {
      hits.subList(stringStart, hits.size()).sort(BY_SPAN);
    }
  }

  /** What makes two hits of one string the same: one hit per detector, place and value. */
  private record DedupeKey(String detector, int start, int end, String value) {}

  void add(Hit hit) {
    // The same value can be reached twice (a regex run twice, a decoded run holding what the
    // plain text already showed). Every hit of a string has that string's path and key, so only
    // the hits since the string started are compared.
    int n = hits.size() - stringStart;
    if (n < LINEAR_DEDUPE) {
      for (int i = stringStart; i < hits.size(); i++) {
        Hit h = hits.get(i);
        if (h.start() == hit.start()
            && h.end() == hit.end()
            && h.detector().equals(hit.detector())
            && h.value().equals(hit.value())) {
          return;
        }
      }
    } else {
      if (seen.isEmpty()) {
        for (int i = stringStart; i < hits.size(); i++) {
          seen.add(keyOf(hits.get(i)));
        }
      }
      if (!seen.add(keyOf(hit))) {
        return;
      }
    }
    charge(HIT_COST);
    hits.add(hit);
  }

  private static DedupeKey keyOf(Hit h) {
    return new DedupeKey(h.detector(), h.start(), h.end(), h.value());
  }

  /** The hits in document order: by string, then by position in it. */
  List<Hit> hits() {
    return hits.isEmpty() ? List.of() : List.copyOf(hits);
  }
}
