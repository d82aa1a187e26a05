package dev.tollgate.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Grants, shared by every Tollgate instance on the store. Use is atomic: of many decisions racing
 * for a grant's last use, exactly one gets it. Any failure to reach the store is a {@link
 * StoreUnavailableException}.
 */
public interface GrantStore {

  /** Stores a grant issued without an approval (an admin's). */
  void issue(GrantRecord grant);

  Optional<GrantRecord> get(String id);

  /**
   * The grants that may apply to an action of {@code agent} in {@code session} for {@code user} at
   * {@code now}: live, for that agent, and whose subject is the agent, the session or the user.
   */
  List<GrantRecord> candidates(String agent, String session, String user, Instant now);

  /**
   * Takes one use of a live grant.
   *
   * @return false when the grant is no longer live at {@code now} (used up, expired, revoked)
   */
  boolean use(String id, Instant now);

  /**
   * Revokes a grant.
   *
   * @return false when it was already revoked or does not exist
   */
  boolean revoke(String id, String by, Instant now);

  /**
   * Grants, newest first.
   *
   * @param activeOnly only those live at {@code now}
   */
  List<GrantRecord> list(boolean activeOnly, Instant now, int limit);
}
