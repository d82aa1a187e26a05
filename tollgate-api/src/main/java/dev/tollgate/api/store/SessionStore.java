package dev.tollgate.api.store;

import dev.tollgate.api.Effect;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions, shared by every Tollgate instance on the store.
 *
 * <p>Every change is durable when the method returns and visible to every instance at once. Appends
 * and label additions from concurrent callers are all kept (no lost update). Any failure to reach
 * the store is a {@link StoreUnavailableException}.
 */
public interface SessionStore {

  /**
   * Stores a new session.
   *
   * @return false if a session with this id already exists (nothing is changed then)
   */
  boolean create(SessionRecord session);

  Optional<SessionRecord> get(String id);

  /**
   * Appends one step ({@code tool}, {@code effect}) to the history, keeping the last {@code max}.
   */
  void appendHistory(String id, String tool, Effect effect, int max);

  /** Adds labels (a set: duplicates are ignored). */
  void addLabels(String id, List<String> labels);

  /**
   * Appends one observed result, numbered after the session's newest, and keeps the newest {@code
   * max} of them. Unknown ids change nothing.
   *
   * @return the result's sequence number, or 0 if the session is unknown
   */
  long addResult(String id, ObservedResult result, int max);

  /** The kept results numbered after {@code afterSeq}, oldest first. */
  List<ObservedResult> results(String id, long afterSeq);

  /**
   * Up to {@code max} sessions stored before Tollgate masked every flagged value of a session's
   * request and task (a store upgraded from an earlier version), for the engine to mask them
   * ({@link #remask}). A store that never held such rows (one in memory) returns none.
   */
  default List<SessionRecord> unmasked(int max) {
    return List.of();
  }

  /**
   * Replaces the request and task of a session that {@link #unmasked} returned with their masked
   * form, so that it is not returned again. Unknown ids change nothing.
   */
  default void remask(String id, String request, Map<String, Object> task) {}
}
