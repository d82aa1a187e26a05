package dev.tollgate.api.store;

import java.util.List;

/**
 * The kill switch's pauses, shared by every server on the store. Servers poll {@link #version} and
 * read the list again when it changed, so that a pause reaches every server within a second. Any
 * failure to reach the store is a {@link StoreUnavailableException}.
 */
public interface PauseStore {

  /** Adds a pause, or replaces the one of the same scope and subject. */
  void put(PauseRecord pause);

  /**
   * Removes the pause of this scope and subject.
   *
   * @return false when there was none
   */
  boolean remove(PauseRecord.Scope scope, String subject);

  /** Every pause in force, oldest first. */
  List<PauseRecord> list();

  /** A number that changes with every {@link #put} and {@link #remove}. */
  long version();
}
