package dev.tollgate.engine.internal.decide;

import dev.tollgate.engine.internal.bundle.Redaction;
import dev.tollgate.engine.internal.flow.Fingerprints;
import dev.tollgate.engine.internal.scan.Hit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's request and task as the store keeps them: every value a detector flags replaced by a
 * token that names the detector, shows the masked excerpt and carries the value's keyed fingerprint
 * ({@link Fingerprints#token}), for example {@code [email j•••@acme.example #5f0c2a9e41b7d380]}.
 *
 * <p>Why a fingerprint and not only the excerpt: mail addresses and phone numbers in the user's
 * words are the targets that provenance compares an action's recipients with ("the recipient is one
 * the user named"), also on another instance sharing the store and after a restart, where the clear
 * text is gone. The fingerprint is keyed with the instance's fingerprint key, so whoever reads the
 * store without the key cannot confirm a guessed address; the instance that opened the session
 * keeps the clear text in memory only ({@link #shown} masks it again in every message).
 *
 * @param request the request to store
 * @param task the task to store
 * @param shown each flagged text of the clear request and task (as written and folded), with the
 *     token that stands in for it: for masking what policies render from the clear text
 */
public record SessionMask(String request, Map<String, Object> task, Map<String, String> shown) {

  /** Shorter flagged text is not replaced in messages: it would mangle ordinary words. */
  private static final int MIN_SHOWN = 4;

  /**
   * Masks {@code request} and {@code task}.
   *
   * @param hits the hits of one scan of {@code {"request": request, "task": task}} under {@code
   *     /args}
   */
  public static SessionMask of(
      String request, Map<String, Object> task, List<Hit> hits, Fingerprints fingerprints) {
    if (hits.isEmpty()) {
      return new SessionMask(request, task, Map.of());
    }
    Map<String, Object> both = new LinkedHashMap<>();
    both.put("request", request);
    both.put("task", task);
    List<Hit> tokens = new ArrayList<>(hits.size());
    Map<String, String> shown = new LinkedHashMap<>();
    for (Hit h : hits) {
      String token = fingerprints.token(h.detector(), h.excerpt(), h.value());
      tokens.add(
          new Hit(
              h.detector(),
              h.label(),
              h.path(),
              h.start(),
              h.end(),
              h.value(),
              token,
              h.key(),
              h.encoding(),
              h.source()));
      String clear = h.clearText();
      if (clear != null && clear.length() >= MIN_SHOWN) {
        shown.putIfAbsent(clear, token);
      }
      if (h.value() != null && h.value().length() >= MIN_SHOWN) {
        shown.putIfAbsent(h.value(), token);
      }
    }
    Map<String, Object> masked = new Redaction("mask", List.of()).apply(both, tokens);
    if (masked == null) {
      masked = both;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> maskedTask = (Map<String, Object>) masked.get("task");
    return new SessionMask(
        (String) masked.get("request"),
        maskedTask == null ? Map.of() : maskedTask,
        java.util.Collections.unmodifiableMap(longestFirst(shown)));
  }

  /**
   * {@code text} with every flagged value of the clear request and task replaced by its token: for
   * messages and errors that policies render from {@code session.request} and {@code session.task}.
   */
  public static String mask(String text, Map<String, String> shown) {
    if (shown.isEmpty() || text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (Map.Entry<String, String> e : shown.entrySet()) {
      if (out.contains(e.getKey())) {
        out = out.replace(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** Longer texts first, so that a value inside a longer flagged text does not split it. */
  private static Map<String, String> longestFirst(Map<String, String> shown) {
    List<Map.Entry<String, String>> entries = new ArrayList<>(shown.entrySet());
    entries.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
    Map<String, String> out = new LinkedHashMap<>();
    entries.forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
