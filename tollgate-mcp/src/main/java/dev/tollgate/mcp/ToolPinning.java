package dev.tollgate.mcp;

import java.util.List;
import java.util.Map;

/**
 * Whether the gateway may show a server's tool as the server defines it now: the tool definitions
 * pinned for the gateway's agent ({@code Tollgate.toolPins()} in the engine). A definition seen for
 * the first time is pinned; a changed one (a "rug pull"), or one that carries instructions to the
 * model or names another server's tool, is hidden and blocked until a person accepts it.
 */
public interface ToolPinning {

  /**
   * Checks a tool's definition.
   *
   * @param server the gateway's name for the server
   * @param definition the tool's name, title, description, input and output schema and annotations,
   *     as JSON values
   * @param concerns what the gateway found of concern in the definition (it names another server's
   *     tool), possibly empty
   * @throws RuntimeException when the pins cannot be read: the gateway hides the tool
   */
  Pin check(String server, Map<String, Object> definition, List<String> concerns);

  /**
   * The outcome of {@link #check}.
   *
   * @param shown whether the tool may be listed and called
   * @param why for a hidden tool, why, for the log
   */
  record Pin(boolean shown, String why) {}

  /** A number that moves whenever a definition is added or accepted, wherever it was accepted. */
  long version();

  /** Calls {@code listener} when a person accepts a definition in this process. */
  void onAccepted(Runnable listener);
}
