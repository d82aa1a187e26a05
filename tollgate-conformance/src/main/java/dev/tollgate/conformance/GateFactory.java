package dev.tollgate.conformance;

import dev.tollgate.api.Gate;
import java.util.Map;

/**
 * Makes a fresh {@link Gate} for one case: a way in (library, server, MCP gateway) loaded with the
 * case's bundle and speaking for the case's agent. A gate must not share sessions with the gates of
 * other cases.
 */
@FunctionalInterface
public interface GateFactory {
  /**
   * @param bundle the bundle's files by name ({@code policies.yaml}, {@code catalog.yaml}...) and
   *     their texts
   * @param agent the agent the gate speaks for
   */
  Gate open(Map<String, String> bundle, String agent) throws Exception;
}
