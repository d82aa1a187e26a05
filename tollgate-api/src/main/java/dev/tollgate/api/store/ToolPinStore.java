package dev.tollgate.api.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The definitions of MCP servers' tools that gateways have seen, each agent's pinned one per tool,
 * shared by every server on the store: a definition accepted on one is accepted on all. Any failure
 * to reach the store is a {@link StoreUnavailableException}.
 */
public interface ToolPinStore {

  /**
   * Records a definition seen, atomically: one already recorded (same agent, server, tool and
   * fingerprint) is returned as it is; a new one is added as {@code seen} says, except that a
   * definition {@code seen} as {@link ToolPinRecord.Status#ACCEPTED} (pinned at first use) is added
   * as {@link ToolPinRecord.Status#PENDING} when the tool already has an accepted definition, so
   * that two gateways seeing two definitions at once never pin both.
   */
  Sighting sight(ToolPinRecord seen);

  /**
   * What {@link #sight} found.
   *
   * @param pin the definition as recorded
   * @param added whether this call recorded it
   * @param accepted the tool's accepted definition (perhaps {@code pin}), or {@code null}
   */
  record Sighting(ToolPinRecord pin, boolean added, ToolPinRecord accepted) {}

  /**
   * Makes one recorded definition the tool's accepted one, atomically; the one accepted before, if
   * any, becomes {@link ToolPinRecord.Status#SUPERSEDED}. The definition already accepted is
   * returned as it is, unchanged.
   *
   * @return the accepted definition, or empty when no such definition was recorded
   */
  Optional<ToolPinRecord> accept(
      String agent, String server, String tool, String fingerprint, String by, Instant at);

  /** Every recorded definition, by agent, server and tool, oldest first within a tool. */
  List<ToolPinRecord> list();

  /** A number that changes with every definition added or accepted. */
  long version();
}
