package dev.tollgate.engine.internal.bundle;

import java.time.Duration;
import java.util.List;

/**
 * What an asking policy says about its approvals.
 *
 * @param ttl how long the approval stays open before it counts as denied
 * @param fourEyes the user the agent acts for may not approve
 * @param fresh only a grant for exactly this action may follow, every time
 */
public record ApprovalOptions(Duration ttl, boolean fourEyes, boolean fresh) {
  static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
  public static final ApprovalOptions DEFAULT = new ApprovalOptions(DEFAULT_TTL, false, false);

  /** The strictest combination: the shortest ttl, four eyes or fresh if any asks for it. */
  public static ApprovalOptions strictest(List<ApprovalOptions> all) {
    Duration ttl = null;
    boolean fourEyes = false;
    boolean fresh = false;
    for (ApprovalOptions o : all) {
      ApprovalOptions x = o == null ? DEFAULT : o;
      ttl = ttl == null || x.ttl.compareTo(ttl) < 0 ? x.ttl : ttl;
      fourEyes |= x.fourEyes;
      fresh |= x.fresh;
    }
    return new ApprovalOptions(ttl == null ? DEFAULT_TTL : ttl, fourEyes, fresh);
  }
}
