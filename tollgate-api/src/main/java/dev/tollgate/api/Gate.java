package dev.tollgate.api;

/**
 * The one interface every way into Tollgate goes through: the in-process engine and the HTTP client
 * of the sidecar implement it, and the MCP gateway decides every tools/call through one. A gate is
 * bound to one agent identity, so that no call can claim to be another agent.
 *
 * <p>Implementations are thread-safe. {@link #decide} never throws for a problem with the decision
 * itself: an internal error, a timeout or an unavailable store is a {@link Effect#DENY} with a
 * reason that says so. It may throw {@link IllegalArgumentException} for an action that is
 * malformed before it reaches the engine.
 */
public interface Gate {

  /** The agent this gate speaks for. */
  String agent();

  /**
   * Opens a session and returns its id.
   *
   * @throws IllegalArgumentException if the spec's id is already in use
   */
  String openSession(SessionSpec spec);

  /** Decides one action. Never returns {@code null}; never allows on error. */
  Decision decide(Action action);

  /**
   * Reports a tool result to the session.
   *
   * @throws IllegalArgumentException if the session is unknown
   */
  ObservationResult observe(Observation observation);
}
