package dev.tollgate.conformance;

import dev.tollgate.api.Gate;
import dev.tollgate.api.store.AuditEntry;
import java.util.List;
import java.util.Map;

/**
 * Opens a fresh way in (library, server, MCP gateway) loaded with one case's bundle. One instance
 * serves every agent of the case, so that a case can open a session as one agent and decide as
 * another; it must not share sessions or audit records with the instances of other cases.
 */
@FunctionalInterface
public interface GateFactory {
  /**
   * @param bundle the bundle's files by name ({@code policies.yaml}, {@code catalog.yaml}...) and
   *     their texts
   */
  Way open(Map<String, String> bundle) throws Exception;

  /** One instance of a way in, for one case. */
  interface Way {
    /** A gate that speaks for {@code agent}. */
    Gate gate(String agent) throws Exception;

    /** What this instance recorded in its audit log so far, oldest first. */
    List<AuditEntry> audit() throws Exception;
  }
}
