package dev.tollgate.api.store;

import dev.tollgate.api.internal.WireNames;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One definition of an MCP server's tool, as an agent's gateway saw it: pinned (accepted), waiting
 * for a person (a changed or flagged definition), or replaced by a later accepted one.
 *
 * @param agent the agent whose gateway saw the tool
 * @param server the gateway's name for the server ({@code filesystem})
 * @param tool the tool's name on that server ({@code read_file})
 * @param fingerprint {@code sha256:<hex>} of the canonical definition
 * @param definition the canonical definition, JSON with sorted keys: name, title, description,
 *     input and output schema, annotations
 * @param status where it stands
 * @param concerns why a person must look before it is used, beyond a change (instructions to the
 *     model found in it, a name of another server's tool); masked, possibly empty
 * @param seenAt when it was first seen
 * @param decidedBy who accepted it ({@code first-use} for a definition pinned the first time it was
 *     seen), or {@code null}
 * @param decidedAt when it was accepted, or {@code null}
 */
public record ToolPinRecord(
    String agent,
    String server,
    String tool,
    String fingerprint,
    String definition,
    Status status,
    List<String> concerns,
    Instant seenAt,
    String decidedBy,
    Instant decidedAt) {

  /** Who accepts a definition pinned the first time it is seen (trust on first use). */
  public static final String FIRST_USE = "first-use";

  /** Where a definition stands. */
  public enum Status {
    /** The definition in use: the gateway shows the tool while the server defines it this way. */
    ACCEPTED,
    /** Seen, not accepted: the tool is hidden and blocked while the server defines it this way. */
    PENDING,
    /** Accepted once, replaced by a later accepted definition: blocked, as a change would be. */
    SUPERSEDED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    private static final WireNames<Status> WIRE_NAMES =
        new WireNames<>("tool pin status", values(), Status::wireName);

    public String wireName() {
      return wireName;
    }

    /**
     * Parses a status's lower-case name.
     *
     * @throws IllegalArgumentException naming the accepted values, for anything else
     */
    public static Status parse(String text) {
      return WIRE_NAMES.parse(text);
    }
  }

  public ToolPinRecord {
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(tool, "tool");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(definition, "definition");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(seenAt, "seenAt");
    concerns = concerns == null ? List.of() : List.copyOf(concerns);
  }

  /** The name the gateway shows the tool by: {@code <server>.<tool>}. */
  public String shownName() {
    return server + "." + tool;
  }

  /** This definition with another status and decision. */
  public ToolPinRecord withStatus(Status next, String by, Instant at) {
    return new ToolPinRecord(
        agent, server, tool, fingerprint, definition, next, concerns, seenAt, by, at);
  }
}
