package dev.tollgate.engine.internal.scan;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * An Aho-Corasick automaton over every detector's literal anchors, matched case-insensitively in
 * one pass whatever the number of anchors.
 *
 * <p>The automaton is a complete DFA in one flat table: {@code next[state * classes + class]}.
 * Characters are first mapped to classes (each distinct character of the anchors, with upper and
 * lower case sharing one, plus class 0 for every other character), which keeps the table small
 * enough for the L1/L2 caches: a few hundred states times a few dozen classes. A state's outputs
 * include those of its failure chain, so the scan reads one array per step and never follows
 * failure links at run time.
 *
 * <p>For the scanner's inner loop, {@link #table} holds the same transitions pre-multiplied: an
 * entry is the target state's row offset ({@code state * classes}), bit-complemented ({@code ~})
 * when the target state has outputs, so one load and one sign test per character tell where to go
 * and whether anything matched. Immutable and thread-safe.
 */
final class AnchorAutomaton {
  final byte[] asciiClass = new byte[128];
  private final char[] otherChars;
  private final byte[] otherClass;
  final int classes;

  /** Transitions by row offset; see the class comment. */
  final int[] table;

  private final int[][] outputs;
  private final int[] lengths;

  /**
   * {@code patterns} are matched ignoring ASCII case; pattern {@code i} is reported as {@code i}.
   */
  AnchorAutomaton(List<String> patterns) {
    TreeSet<Character> alphabet = new TreeSet<>();
    for (String p : patterns) {
      for (int i = 0; i < p.length(); i++) {
        alphabet.add(lower(p.charAt(i)));
      }
    }
    int cls = 1;
    List<Character> others = new ArrayList<>();
    for (char c : alphabet) {
      if (c < 128) {
        asciiClass[c] = (byte) cls;
        if (c >= 'a' && c <= 'z') {
          asciiClass[c - 32] = (byte) cls;
        }
      } else {
        others.add(c);
      }
      cls++;
    }
    if (cls > 127) {
      throw new IllegalArgumentException("anchors use more than 126 distinct characters");
    }
    otherChars = new char[others.size()];
    otherClass = new byte[others.size()];
    for (int i = 0; i < others.size(); i++) {
      otherChars[i] = others.get(i);
      otherClass[i] = (byte) (cls - others.size() + i);
    }
    classes = cls;

    List<int[]> trie = new ArrayList<>();
    List<List<Integer>> out = new ArrayList<>();
    trie.add(new int[classes]);
    out.add(new ArrayList<>());
    lengths = new int[patterns.size()];
    for (int id = 0; id < patterns.size(); id++) {
      String p = patterns.get(id);
      lengths[id] = p.length();
      int state = 0;
      for (int i = 0; i < p.length(); i++) {
        int c = classOf(p.charAt(i));
        int to = trie.get(state)[c];
        if (to == 0) {
          to = trie.size();
          trie.add(new int[classes]);
          out.add(new ArrayList<>());
          trie.get(state)[c] = to;
        }
        state = to;
      }
      if (!p.isEmpty()) {
        out.get(state).add(id);
      }
    }

    int states = trie.size();
    int[] next = new int[states * classes];
    int[] fail = new int[states];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < classes; c++) {
      int to = trie.get(0)[c];
      next[c] = to;
      if (to != 0) {
        queue.add(to);
      }
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      out.get(s).addAll(out.get(fail[s]));
      for (int c = 0; c < classes; c++) {
        int to = trie.get(s)[c];
        if (to != 0) {
          fail[to] = next[fail[s] * classes + c];
          next[s * classes + c] = to;
          queue.add(to);
        } else {
          next[s * classes + c] = next[fail[s] * classes + c];
        }
      }
    }
    outputs = new int[states][];
    for (int s = 0; s < states; s++) {
      List<Integer> o = out.get(s);
      outputs[s] = o.isEmpty() ? null : o.stream().mapToInt(Integer::intValue).toArray();
    }
    table = new int[next.length];
    for (int k = 0; k < next.length; k++) {
      int to = next[k];
      table[k] = outputs[to] == null ? to * classes : ~(to * classes);
    }
  }

  private static char lower(char c) {
    return c < 128 ? (c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) : Character.toLowerCase(c);
  }

  int classOf(char c) {
    if (c < 128) {
      return asciiClass[c];
    }
    return classOfOther(c);
  }

  /** The class of a non-ASCII character. */
  int classOfOther(char c) {
    if (otherChars.length == 0) {
      return 0;
    }
    int i = Arrays.binarySearch(otherChars, Character.toLowerCase(c));
    return i < 0 ? 0 : otherClass[i];
  }

  /** Patterns of the state at row offset {@code offset} of {@link #table}. */
  int[] outputsAtOffset(int offset) {
    return outputs[offset / classes];
  }

  int length(int pattern) {
    return lengths[pattern];
  }
}
