package dev.tollgate.engine;

import dev.tollgate.api.Decision;
import java.util.List;

/**
 * A decision together with what every considered policy did: which matched and why, which were
 * considered and did not match, which failed. Policies whose {@code match} excluded the action are
 * not considered and not listed.
 */
public record Explanation(Decision decision, List<PolicyOutcome> considered) {
  public Explanation {
    considered = List.copyOf(considered);
  }
}
