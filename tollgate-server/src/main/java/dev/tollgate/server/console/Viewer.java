package dev.tollgate.server.console;

import java.util.Set;

/**
 * The signed-in person looking at a page.
 *
 * @param name the person's name
 * @param roles their roles
 * @param csrf the token their forms carry
 * @param sessionHash the hash of their session id
 */
record Viewer(String name, Set<String> roles, String csrf, String sessionHash) {

  /** What a role lets a person do. */
  enum Right {
    OVERVIEW,
    AUDIT,
    APPROVE,
    GRANTS,
    REVOKE,
    PEOPLE,
    /** See what is paused and quarantined. */
    PAUSES,
    /** Pause, resume, end: the kill switch. */
    PAUSE,
    /** See the MCP tool definitions the gateways pinned, and those waiting for a person. */
    TOOLS,
    /** Accept a tool definition: the gateways show and pass calls to the tool again. */
    ACCEPT_TOOLS
  }

  boolean can(Right right) {
    if (roles.contains("admin")) {
      return true;
    }
    return switch (right) {
      case APPROVE, GRANTS -> roles.contains("approver");
      case OVERVIEW, AUDIT -> roles.contains("auditor");
      case PAUSES, TOOLS -> roles.contains("approver") || roles.contains("auditor");
      case REVOKE, PEOPLE, PAUSE, ACCEPT_TOOLS -> false;
    };
  }
}
