package dev.tollgate.store.jdbc.audit;

import dev.tollgate.api.store.AuditEntry;
import java.util.List;
import java.util.function.Function;

/**
 * A column of the {@code audit} table that repeats a field of the record's entry, so that searches
 * can use an index. The entry is what the hash covers; these columns are copies of it, written from
 * it by {@link #of} and compared with it by {@link AuditVerifier}, character for character (a
 * {@code null} field is a SQL {@code NULL}, a time is {@link AuditChain#time} text).
 */
public enum AuditColumn {
  TIME("time", e -> AuditChain.time(e.time())),
  KIND("kind", e -> e.kind().wireName()),
  AGENT("agent", AuditEntry::agent),
  USER("user_name", AuditEntry::user),
  SESSION("session", AuditEntry::session),
  TOOL("tool", AuditEntry::tool),
  EFFECT("effect", e -> e.effect() == null ? null : e.effect().wireName()),
  DECISION("decision", AuditEntry::decision);

  /** Every one, in declaration order (the order of {@link AuditTables.RecordRow#columns}). */
  public static final List<AuditColumn> ALL = List.of(values());

  private final String column;
  private final Function<AuditEntry, String> field;

  AuditColumn(String column, Function<AuditEntry, String> field) {
    this.column = column;
    this.field = field;
  }

  /** The column's name in the {@code audit} table. */
  public String column() {
    return column;
  }

  /** What this column holds for a record with {@code entry}; {@code null} for SQL {@code NULL}. */
  public String of(AuditEntry entry) {
    return field.apply(entry);
  }
}
