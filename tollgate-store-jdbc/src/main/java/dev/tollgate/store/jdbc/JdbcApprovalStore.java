package dev.tollgate.store.jdbc;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.ApprovalStore;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.GrantStore;
import dev.tollgate.json.ApiJson;
import dev.tollgate.json.ApiRecords;
import dev.tollgate.json.InputException;
import dev.tollgate.json.Names;
import dev.tollgate.store.jdbc.audit.AuditChain;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Approvals and grants. Deciding an approval, recording a person's approval of it and taking a
 * grant's use are single conditional updates (status still pending and not expired, and as many
 * approvals recorded as the caller saw; uses left and live), so that across instances exactly one
 * of many racing callers wins; approving and issuing the grant share one transaction.
 */
final class JdbcApprovalStore implements ApprovalStore {

  private static final String APPROVAL_COLUMNS =
      "id, status, kind, agent, user_name, session, tool, args_digest, body, created, expires_at,"
          + " decided_by, decided_at, note, grant_id, approvals";

  /** {@link #APPROVAL_COLUMNS} without the body (read as empty by {@link #approval}). */
  private static final String HEAD_COLUMNS = APPROVAL_COLUMNS.replace(" body,", " NULL,");

  private static final Map<String, Object> EMPTY_BODY =
      Map.of("args", Map.of(), "reasons", List.of(), "findings", List.of(), "provenance", Map.of());
  private static final String GRANT_COLUMNS =
      "id, subject_kind, subject, agent, tool, args_digest, constraint_expr, expires_at, uses,"
          + " uses_left, issuer, reason, approval, created, revoked, revoked_by";

  private final Db db;
  private final Grants grants = new Grants();

  JdbcApprovalStore(Db db) {
    this.db = db;
  }

  @Override
  public void create(ApprovalRecord a) {
    String json = ApiJson.write(ApiRecords.approvalBody(a));
    db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO approval ("
                      + APPROVAL_COLUMNS
                      + ", approval_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                      + " ?)")) {
            p.setString(1, a.id());
            p.setString(2, a.status().wireName());
            p.setString(3, a.kind().wireName());
            p.setString(4, a.agent());
            p.setString(5, a.user());
            p.setString(6, a.session());
            p.setString(7, a.tool());
            p.setString(8, a.argsDigest());
            p.setString(9, json);
            p.setString(10, AuditChain.time(a.created()));
            p.setString(11, AuditChain.time(a.expiresAt()));
            p.setString(12, a.decidedBy());
            p.setString(13, a.decidedAt() == null ? null : AuditChain.time(a.decidedAt()));
            p.setString(14, a.note());
            p.setString(15, a.grant());
            p.setString(16, a.approvals().isEmpty() ? null : approvalsJson(a.approvals()));
            p.setInt(17, a.approvals().size());
            return p.executeUpdate();
          }
        });
  }

  @Override
  public Optional<ApprovalRecord> get(String id) {
    List<ApprovalRecord> found =
        approvals("SELECT " + APPROVAL_COLUMNS + " FROM approval WHERE id = ?", id);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
  }

  @Override
  public Optional<ApprovalRecord> latestFor(
      String agent, String session, String tool, String argsDigest) {
    // Every repeated ask comes here: read the state, not the body (arguments, findings,
    // provenance), whose parsing was a quarter of a decision under load.
    List<ApprovalRecord> found =
        approvals(
            "SELECT "
                + HEAD_COLUMNS
                + " FROM approval WHERE agent = ? AND tool = ? AND args_digest = ? AND kind ="
                + " 'action' AND "
                + (session == null ? "session IS NULL" : "session = ?")
                + " ORDER BY created DESC, id DESC LIMIT 1",
            session == null
                ? new Object[] {agent, tool, argsDigest}
                : new Object[] {agent, tool, argsDigest, session});
    return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
  }

  @Override
  public List<ApprovalRecord> list(ApprovalStatus status, Instant now, int limit) {
    int n = Math.max(0, limit);
    String select = "SELECT " + APPROVAL_COLUMNS + " FROM approval ";
    String order = " ORDER BY created DESC, id DESC LIMIT ?";
    String at = AuditChain.time(now);
    if (status == null) {
      return approvals(select + order, n);
    }
    return switch (status) {
      case PENDING ->
          approvals(select + "WHERE status = 'pending' AND expires_at > ?" + order, at, n);
      case EXPIRED ->
          approvals(
              select
                  + "WHERE status = 'expired' OR (status = 'pending' AND expires_at <= ?)"
                  + order,
              at,
              n);
      case APPROVED, DENIED -> approvals(select + "WHERE status = ?" + order, status.wireName(), n);
    };
  }

  @Override
  public boolean addApproval(
      String id,
      List<ApprovalRecord.Approval> seen,
      ApprovalRecord.Approval approval,
      GrantRecord grant,
      Instant now) {
    List<ApprovalRecord.Approval> after = new ArrayList<>(seen);
    after.add(approval);
    String json = approvalsJson(after);
    return db.write(
        c -> {
          String at = AuditChain.time(now);
          try (PreparedStatement p =
              c.prepareStatement(
                  grant == null
                      ? "UPDATE approval SET approvals = ?, approval_count = ? WHERE id = ? AND"
                          + " status = 'pending' AND expires_at > ? AND approval_count = ?"
                      : "UPDATE approval SET approvals = ?, approval_count = ?, status ="
                          + " 'approved', decided_by = ?, decided_at = ?, note = ?, grant_id = ?"
                          + " WHERE id = ? AND status = 'pending' AND expires_at > ? AND"
                          + " approval_count = ?")) {
            int i = 1;
            p.setString(i++, json);
            p.setInt(i++, after.size());
            if (grant != null) {
              p.setString(i++, approval.by());
              p.setString(i++, at);
              p.setString(i++, approval.note());
              p.setString(i++, grant.id());
            }
            p.setString(i++, id);
            p.setString(i++, at);
            p.setInt(i, seen.size());
            if (p.executeUpdate() != 1) {
              return false;
            }
          }
          if (grant != null) {
            insertGrant(c, grant);
          }
          return true;
        });
  }

  @Override
  public boolean deny(String id, String by, String note, Instant now) {
    return db.write(c -> resolve(c, id, ApprovalStatus.DENIED, by, note, null, now));
  }

  private static boolean resolve(
      Connection c,
      String id,
      ApprovalStatus status,
      String by,
      String note,
      String grant,
      Instant now)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE approval SET status = ?, decided_by = ?, decided_at = ?, note = ?, grant_id = ?"
                + " WHERE id = ? AND status = 'pending' AND expires_at > ?")) {
      String at = AuditChain.time(now);
      p.setString(1, status.wireName());
      p.setString(2, by);
      p.setString(3, at);
      p.setString(4, note);
      p.setString(5, grant);
      p.setString(6, id);
      p.setString(7, at);
      return p.executeUpdate() == 1;
    }
  }

  @Override
  public List<String> expire(Instant now) {
    return db.write(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "UPDATE approval SET status = 'expired' WHERE status = 'pending' AND expires_at"
                      + " <= ? RETURNING id")) {
            p.setString(1, AuditChain.time(now));
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getString(1));
              }
            }
            return ids;
          }
        });
  }

  @Override
  public GrantStore grants() {
    return grants;
  }

  private List<ApprovalRecord> approvals(String sql, Object... args) {
    return db.query(sql, JdbcApprovalStore::approval, args);
  }

  @SuppressWarnings("unchecked")
  private static ApprovalRecord approval(ResultSet rs) throws SQLException {
    String text = rs.getString(9);
    try {
      Map<String, Object> body = text == null ? EMPTY_BODY : (Map<String, Object>) read(text);
      String decidedAt = rs.getString(13);
      String approvals = rs.getString(16);
      return new ApprovalRecord(
          rs.getString(1),
          Names.wire(
              rs.getString(2),
              ApprovalStatus.values(),
              ApprovalStatus::wireName,
              "approval status in the store"),
          Names.wire(
              rs.getString(3),
              ApprovalRecord.Kind.values(),
              ApprovalRecord.Kind::wireName,
              "approval kind in the store"),
          rs.getString(4),
          rs.getString(5),
          rs.getString(6),
          rs.getString(7),
          (Map<String, Object>) body.get("args"),
          rs.getString(8),
          ApiRecords.reasons(body.get("reasons")),
          ApiRecords.findings(body.get("findings")),
          (Map<String, Object>) body.get("provenance"),
          (String) body.get("decision"),
          (Map<String, Object>) body.get("request"),
          Boolean.TRUE.equals(body.get("fourEyes")),
          Boolean.TRUE.equals(body.get("fresh")),
          AuditChain.parseTime(rs.getString(10)),
          AuditChain.parseTime(rs.getString(11)),
          rs.getString(12),
          decidedAt == null ? null : AuditChain.parseTime(decidedAt),
          rs.getString(14),
          rs.getString(15),
          approvals == null ? List.of() : ApiRecords.approvalSteps(read(approvals)));
    } catch (InputException | RuntimeException e) {
      throw new SQLException("unreadable approval " + rs.getString(1) + ": " + e.getMessage(), e);
    }
  }

  private static String approvalsJson(List<ApprovalRecord.Approval> approvals) {
    return ApiJson.write(approvals.stream().map(ApiRecords::toMap).toList());
  }

  /** Stored JSON as plain values (integers as Long), as the codec reads any document. */
  private static Object read(String text) throws InputException {
    return ApiJson.toJava(ApiJson.readTree(text));
  }

  private static void insertGrant(Connection c, GrantRecord g) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO grants ("
                + GRANT_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setString(1, g.id());
      p.setString(2, g.subjectKind().wireName());
      p.setString(3, g.subject());
      p.setString(4, g.agent());
      p.setString(5, g.tool());
      p.setString(6, g.argsDigest());
      p.setString(7, g.constraint());
      p.setString(8, AuditChain.time(g.expiresAt()));
      p.setInt(9, g.uses());
      p.setInt(10, g.usesLeft());
      p.setString(11, g.issuer());
      p.setString(12, g.reason());
      p.setString(13, g.approval());
      p.setString(14, AuditChain.time(g.created()));
      p.setString(15, g.revoked() == null ? null : AuditChain.time(g.revoked()));
      p.setString(16, g.revokedBy());
      p.executeUpdate();
    }
  }

  private static GrantRecord grant(ResultSet rs) throws SQLException {
    String revoked = rs.getString(15);
    GrantRecord.SubjectKind subjectKind;
    try {
      subjectKind =
          Names.wire(
              rs.getString(2),
              GrantRecord.SubjectKind.values(),
              GrantRecord.SubjectKind::wireName,
              "grant subject in the store");
    } catch (IllegalArgumentException e) {
      throw new SQLException("unreadable grant " + rs.getString(1) + ": " + e.getMessage(), e);
    }
    return new GrantRecord(
        rs.getString(1),
        subjectKind,
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        AuditChain.parseTime(rs.getString(8)),
        rs.getInt(9),
        rs.getInt(10),
        rs.getString(11),
        rs.getString(12),
        rs.getString(13),
        AuditChain.parseTime(rs.getString(14)),
        revoked == null ? null : AuditChain.parseTime(revoked),
        rs.getString(16));
  }

  private final class Grants implements GrantStore {
    @Override
    public void issue(GrantRecord grant) {
      db.write(
          c -> {
            insertGrant(c, grant);
            return null;
          });
    }

    @Override
    public Optional<GrantRecord> get(String id) {
      List<GrantRecord> found = grants("SELECT " + GRANT_COLUMNS + " FROM grants WHERE id = ?", id);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    @Override
    public List<GrantRecord> candidates(String agent, String session, String user, Instant now) {
      List<GrantRecord> out = new ArrayList<>();
      for (GrantRecord g :
          grants(
              "SELECT "
                  + GRANT_COLUMNS
                  + " FROM grants WHERE agent = ? AND expires_at > ? AND revoked IS NULL AND"
                  + " (uses = 0 OR uses_left > 0) ORDER BY created, id",
              agent,
              AuditChain.time(now))) {
        if (g.covers(agent, session, user)) {
          out.add(g);
        }
      }
      return out;
    }

    @Override
    public boolean use(String id, Instant now) {
      return db.write(
          c -> {
            try (PreparedStatement p =
                c.prepareStatement(
                    "UPDATE grants SET uses_left = CASE WHEN uses = 0 THEN uses_left ELSE"
                        + " uses_left - 1 END WHERE id = ? AND revoked IS NULL AND expires_at > ?"
                        + " AND (uses = 0 OR uses_left > 0)")) {
              p.setString(1, id);
              p.setString(2, AuditChain.time(now));
              return p.executeUpdate() == 1;
            }
          });
    }

    @Override
    public boolean revoke(String id, String by, Instant now) {
      return db.write(
          c -> {
            try (PreparedStatement p =
                c.prepareStatement(
                    "UPDATE grants SET revoked = ?, revoked_by = ? WHERE id = ? AND revoked IS"
                        + " NULL")) {
              p.setString(1, AuditChain.time(now));
              p.setString(2, by);
              p.setString(3, id);
              return p.executeUpdate() == 1;
            }
          });
    }

    @Override
    public List<GrantRecord> list(boolean activeOnly, Instant now, int limit) {
      if (activeOnly) {
        return grants(
            "SELECT "
                + GRANT_COLUMNS
                + " FROM grants WHERE expires_at > ? AND revoked IS NULL AND (uses = 0 OR"
                + " uses_left > 0) ORDER BY created DESC, id DESC LIMIT ?",
            AuditChain.time(now),
            Math.max(0, limit));
      }
      return grants(
          "SELECT " + GRANT_COLUMNS + " FROM grants ORDER BY created DESC, id DESC LIMIT ?",
          Math.max(0, limit));
    }

    private List<GrantRecord> grants(String sql, Object... args) {
      return db.query(sql, JdbcApprovalStore::grant, args);
    }
  }
}
