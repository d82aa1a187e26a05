package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditQuery;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import dev.tollgate.store.jdbc.audit.AuditColumn;
import dev.tollgate.store.jdbc.audit.AuditSigner;
import dev.tollgate.store.jdbc.audit.AuditVerifier;
import dev.tollgate.store.jdbc.audit.AuditVerifier.Problem;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tampering with the audit tables in the database itself, column by column: whatever a reader can
 * see must either be covered by a record's hash, repeat what the hashed entry says (and then verify
 * compares it), be signed (checkpoints), or be refused by the schema. The tables and their columns
 * come from the database's own metadata, so a column added later without a check fails here.
 */
class AuditTamperTest {

  enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  /** Why a change of a column goes unreported. */
  private enum Unreported {
    /** The schema refuses the change: checked by expecting the UPDATE to fail. */
    REFUSED,
    /** Nothing reads the column: checked by expecting verify and readers to see no difference. */
    UNREAD
  }

  /** The only columns whose change verify does not report; every other one must be named. */
  private static final Map<String, Unreported> UNREPORTED =
      Map.of(
          // one head row, CHECK (id = 1); verify also requires exactly that row
          "audit_head.id", Unreported.REFUSED,
          // a surrogate key: checkpoints are read in the order of what they sign (seq, time)
          "audit_checkpoint.id", Unreported.UNREAD);

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final AuditSigner SIGNER = AuditSigner.generate();
  private static EmbeddedPostgres postgres;

  @TempDir Path dir;
  private final List<JdbcStore> opened = new ArrayList<>();

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @AfterEach
  void closeStores() {
    opened.forEach(JdbcStore::close);
  }

  /** A store of the dialect and a way to reach its tables with plain SQL, as an intruder would. */
  private record Opened(StoreConfig config, JdbcStore store, Sql sql) {}

  @FunctionalInterface
  private interface Sql {
    Connection connect() throws SQLException;
  }

  private Opened open(Dialect dialect) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      String url = "jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE);
      // The intruder's writes need not survive a crash: not syncing them keeps the test fast.
      return open(
          StoreConfig.sqlite(dir),
          () -> {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
              s.execute("PRAGMA synchronous = OFF");
            }
            return c;
          });
    }
    String database = "tamper_" + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    return open(
        StoreConfig.postgres(
            "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + database,
            "postgres",
            "postgres"),
        () -> postgres.getDatabase("postgres", database).getConnection());
  }

  private Opened open(StoreConfig config, Sql sql) {
    JdbcStore store = JdbcStore.open(config);
    opened.add(store);
    return new Opened(config, store, sql);
  }

  /** Kind, agent, user, session, tool, effect and decision of the records, from 1. */
  private static final String[][] RECORDS = {
    {"session", "bot", "alice@acme.example", "s-1", null, null, null},
    {"decision", "bot", "alice@acme.example", "s-1", "invoices.search", "allow", "d-2"},
    {"decision", "bot", "alice@acme.example", "s-1", "email.send", "deny", "d-3"},
    {"rejected", null, null, null, null, null, null},
    {"decision", "bot", "alice@acme.example", "s-1", "email.send", "ask", "d-5"},
    {"approval", "bot", "alice@acme.example", "s-1", "email.send", null, "d-5"},
    {"grant", "bot", null, null, "email.send", null, null},
    {"observe", "bot", null, "s-1", "email.send", null, "d-5"},
    {"decision", "bot", "alice@acme.example", "s-1", "email.send", "deny", "d-9"},
    {"person", null, null, null, null, null, null},
  };

  private static final List<Map<String, Object>> DETAILS =
      List.of(
          Map.of(),
          Map.of(),
          Map.of(),
          Map.of("status", 401L, "code", "unauthorized"),
          Map.of("approval", Map.of("id", "apr_1", "status", "pending")),
          Map.of("type", "approval.approved", "by", "bob"),
          Map.of("type", "grant.issued", "uses", 1L),
          Map.of("labels", List.of("financial")),
          Map.of(),
          Map.of("event", "signin", "person", "bob"));

  private static AuditEntry entry(int seq) {
    String[] f = RECORDS[seq - 1];
    boolean decided = f[5] != null;
    return new AuditEntry(
        T0.plusMillis(seq * 1001L),
        AuditEntry.Kind.parse(f[0]),
        f[1],
        f[2],
        f[3],
        f[4],
        f[5] == null ? null : Effect.parse(f[5]),
        f[6],
        decided ? List.of(new Reason("external-mail", "mail to globex")) : List.of(),
        decided
            ? List.of(new Finding("iban", "financial", "/args/body", "DE89 •••• 3000"))
            : List.of(),
        decided ? "sha256:" + "ab".repeat(32) : null,
        decided ? 100 + seq : 0,
        DETAILS.get(seq - 1));
  }

  /**
   * The records above (every kind), in three appends with a signed checkpoint after the first two
   * (at 4 and at 8): two records follow the last checkpoint.
   */
  private static List<AuditRecord> writeChain(JdbcStore store) {
    List<AuditRecord> records = new ArrayList<>();
    int[] ends = {4, 8, RECORDS.length};
    for (int end : ends) {
      List<AuditEntry> batch = new ArrayList<>();
      for (int seq = records.size() + 1; seq <= end; seq++) {
        batch.add(entry(seq));
      }
      records.addAll(store.audit().append(batch));
      if (end < RECORDS.length) {
        store.audit().addCheckpoint(checkpoint(records.getLast()));
      }
    }
    return records;
  }

  private static Checkpoint checkpoint(AuditRecord at) {
    return SIGNER.sign(at.seq(), at.hash(), T0.plusSeconds(60 + at.seq()));
  }

  private static AuditVerifier.Result verify(JdbcStore store) {
    return AuditVerifier.verify(store.audit(), SIGNER.publicKey());
  }

  /** A column of an audit table, as the database describes it. */
  private record Column(String table, String name, int type, boolean nullable, String key) {
    String qualified() {
      return table + "." + name;
    }
  }

  /** Every column of every table whose name starts with {@code audit}, from the metadata. */
  private static List<Column> auditColumns(Connection c) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    String schema =
        meta.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")
            ? "public"
            : null;
    List<String> tables = new ArrayList<>();
    try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME");
        if (name.toLowerCase(Locale.ROOT).startsWith("audit")) {
          tables.add(name);
        }
      }
    }
    List<Column> out = new ArrayList<>();
    for (String table : tables) {
      String key;
      try (ResultSet rs = meta.getPrimaryKeys(null, schema, table)) {
        assertThat(rs.next()).as("%s has a primary key", table).isTrue();
        key = rs.getString("COLUMN_NAME");
        assertThat(rs.next()).as("%s has a one-column primary key", table).isFalse();
      }
      try (ResultSet rs = meta.getColumns(null, schema, table, "%")) {
        while (rs.next()) {
          out.add(
              new Column(
                  table,
                  rs.getString("COLUMN_NAME"),
                  rs.getInt("DATA_TYPE"),
                  rs.getInt("NULLABLE") != DatabaseMetaData.columnNoNulls,
                  key));
        }
      }
    }
    return out;
  }

  private static boolean isInteger(int type) {
    return type == Types.INTEGER
        || type == Types.BIGINT
        || type == Types.SMALLINT
        || type == Types.TINYINT;
  }

  /**
   * The changes tried on a stored value: another value, and empty (NULL, or '' where NULL cannot
   * be).
   */
  private static List<Object> tamperings(Column column, Object value) {
    if (isInteger(column.type())) {
      return List.of(((Number) value).longValue() + 1000);
    }
    String text = (String) value;
    List<Object> out = new ArrayList<>();
    out.add(text == null ? "tampered" : text + "x");
    if (text == null) {
      out.add("");
    } else if (column.nullable()) {
      out.add(null);
    } else if (!text.isEmpty()) {
      out.add("");
    }
    return out;
  }

  private static List<Object> keys(Connection c, Column column) throws SQLException {
    List<Object> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT "
                    + column.key()
                    + " FROM "
                    + column.table()
                    + " ORDER BY "
                    + column.key())) {
      while (rs.next()) {
        out.add(rs.getObject(1));
      }
    }
    return out;
  }

  private static Map<String, Object> row(Connection c, String table, String key, Object id)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT * FROM " + table + " WHERE " + key + " = ?")) {
      p.setObject(1, id);
      try (ResultSet rs = p.executeQuery()) {
        assertThat(rs.next()).isTrue();
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          out.put(rs.getMetaData().getColumnName(i).toLowerCase(Locale.ROOT), rs.getObject(i));
        }
        return out;
      }
    }
  }

  private static void set(Connection c, Column column, Object id, Object value)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE "
                + column.table()
                + " SET "
                + column.name()
                + " = ? WHERE "
                + column.key()
                + " = ?")) {
      if (value == null) {
        p.setNull(1, column.type());
      } else {
        p.setObject(1, value);
      }
      p.setObject(2, id);
      assertThat(p.executeUpdate()).isEqualTo(1);
    }
  }

  private static String describe(Object value) {
    return value == null ? "NULL" : "'" + value + "'";
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Dialect.class)
  void verifyNamesTheRecordWhateverColumnOfWhicheverAuditTableIsChanged(Dialect dialect)
      throws Exception {
    Opened db = open(dialect);
    List<AuditRecord> records = writeChain(db.store());
    AuditVerifier.Result intact = verify(db.store());
    assertThat(intact.ok()).as(intact.message()).isTrue();
    List<Checkpoint> checkpoints = db.store().audit().checkpoints();
    Tampering expected = new Tampering(records.getLast().seq());

    SoftAssertions softly = new SoftAssertions();
    List<String> seen = new ArrayList<>();
    try (Connection c = db.sql().connect()) {
      List<Column> columns = auditColumns(c);
      assertThat(columns)
          .extracting(Column::table)
          .contains("audit", "audit_head", "audit_checkpoint");
      for (Column column : columns) {
        seen.add(column.qualified());
        Unreported unreported = UNREPORTED.get(column.qualified());
        for (Object id : keys(c, column)) {
          Map<String, Object> original = row(c, column.table(), column.key(), id);
          Object value = original.get(column.name().toLowerCase(Locale.ROOT));
          for (Object tampered : tamperings(column, value)) {
            String what =
                String.format(
                    "%s: %s of the row %s = %s changed from %s to %s",
                    dialect,
                    column.qualified(),
                    column.key(),
                    id,
                    describe(value),
                    describe(tampered));
            Object rowId = column.name().equals(column.key()) ? tampered : id;
            if (unreported == Unreported.REFUSED) {
              try {
                set(c, column, id, tampered);
                set(c, column, rowId, value);
                softly.fail("%s: the schema took the change", what);
              } catch (SQLException refused) {
                // as expected
              }
              continue;
            }
            set(c, column, id, tampered);
            try {
              AuditVerifier.Result r = verify(db.store());
              if (unreported == Unreported.UNREAD) {
                softly.assertThat(r.ok()).as("%s: %s", what, r.message()).isTrue();
                softly
                    .assertThat(db.store().audit().checkpoints())
                    .as("%s: what readers see", what)
                    .isEqualTo(checkpoints);
              } else {
                Map<String, Object> now = row(c, column.table(), column.key(), rowId);
                expected.check(softly, what, column, original, now, r);
              }
            } catch (RuntimeException e) {
              softly.fail("%s: verify failed with %s", what, e);
            } finally {
              set(c, column, rowId, value);
            }
          }
        }
        AuditVerifier.Result restored = verify(db.store());
        softly
            .assertThat(restored.ok())
            .as("%s: %s restored: %s", dialect, column.qualified(), restored.message())
            .isTrue();
      }
    }
    softly
        .assertThat(seen)
        .as("the columns said to go unreported exist")
        .containsAll(UNREPORTED.keySet());
    softly.assertAll();
  }

  /** What verify must say when a column of a row was changed, by table. */
  private record Tampering(long last) {

    void check(
        SoftAssertions softly,
        String what,
        Column column,
        Map<String, Object> before,
        Map<String, Object> after,
        AuditVerifier.Result r) {
      softly.assertThat(r.ok()).as("%s is not reported", what).isFalse();
      if (r.ok()) {
        return;
      }
      String said = what + ": " + r.problem() + " at record " + r.seq() + ": " + r.message();
      switch (column.table()) {
        case "audit" -> {
          softly.assertThat(r.seq()).as(said).isEqualTo(((Number) before.get("seq")).longValue());
          boolean copy = AuditColumn.ALL.stream().anyMatch(a -> a.column().equals(column.name()));
          if (copy) {
            softly.assertThat(r.problem()).as(said).isEqualTo(Problem.COLUMN_MISMATCH);
            softly.assertThat(r.message()).as(said).startsWith("column " + column.name() + " is ");
          } else {
            softly.assertThat(r.problem()).as(said).isNotEqualTo(Problem.COLUMN_MISMATCH);
          }
        }
        case "audit_checkpoint" -> {
          softly.assertThat(r.problem()).as(said).isEqualTo(Problem.BAD_SIGNATURE);
          softly.assertThat(r.seq()).as(said).isEqualTo(((Number) after.get("seq")).longValue());
        }
        case "audit_head" -> {
          softly.assertThat(r.seq()).as(said).isIn(last, last + 1);
          softly.assertThat(r.message()).as(said).contains("audit_head");
        }
        default ->
            softly.fail("%s: a table this test does not know: what should verify say?", said);
      }
    }
  }

  /**
   * Records written before the decision column existed had it filled in for decisions only; the
   * migration that fills it in for every kind leaves a store that verifies.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Dialect.class)
  void olderRecordsGetTheirDecisionColumnFromTheirEntry(Dialect dialect) throws Exception {
    Opened db = open(dialect);
    writeChain(db.store());
    String script =
        Migrations.ALL.stream()
            .filter(name -> name.endsWith("__audit_decision_every_kind.sql"))
            .findFirst()
            .orElseThrow();
    try (Connection c = db.sql().connect();
        Statement s = c.createStatement()) {
      // as version 2 left them: observations and approval events without their decision id
      assertThat(s.executeUpdate("UPDATE audit SET decision = NULL WHERE kind <> 'decision'"))
          .isEqualTo(6); // every record but the four decisions
      // back to the version before it: that migration and every later one run again
      s.executeUpdate(
          "DELETE FROM schema_version WHERE version >= " + (Migrations.ALL.indexOf(script) + 1));
      s.executeUpdate("ALTER TABLE session DROP COLUMN masked"); // added by version 10
    }
    AuditVerifier.Result before = verify(db.store());
    assertThat(before.problem()).isEqualTo(Problem.COLUMN_MISMATCH);
    assertThat(before.seq()).isEqualTo(6);

    Opened upgraded = open(db.config(), db.sql());
    AuditVerifier.Result after = verify(upgraded.store());
    assertThat(after.ok()).as(after.message()).isTrue();
    assertThat(
            upgraded
                .store()
                .audit()
                .search(new AuditQuery(null, null, null, null, null, "d-5", null, null, 0, 10)))
        .extracting(AuditRecord::seq)
        .containsExactly(5L, 6L, 8L);
  }

  /**
   * Readers find candidates by the index columns but answer from the hashed entry: a changed column
   * hides a record from a search (verify names it) but never puts it into a search it does not
   * match.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Dialect.class)
  void searchesAnswerFromTheEntryNotFromAChangedColumn(Dialect dialect) throws Exception {
    Opened db = open(dialect);
    writeChain(db.store());
    try (Connection c = db.sql().connect();
        Statement s = c.createStatement()) {
      // record 3 is a deny; record 2 (d-2) is made to claim the decision id of record 5
      s.executeUpdate("UPDATE audit SET effect = 'allow' WHERE seq = 3");
      s.executeUpdate("UPDATE audit SET decision = 'd-5' WHERE seq = 2");
      s.executeUpdate("UPDATE audit SET time = '2099-01-01T00:00:00.000000000Z' WHERE seq = 9");
    }
    AuditQuery allow =
        new AuditQuery(null, null, null, Effect.ALLOW, null, null, null, null, 0, 100);
    assertThat(db.store().audit().search(allow)).extracting(AuditRecord::seq).containsExactly(2L);
    assertThat(db.store().audit().search(AuditQuery.decision("d-5")))
        .extracting(AuditRecord::seq)
        .containsExactly(5L);
    AuditQuery future =
        new AuditQuery(
            null, null, null, null, null, null, Instant.parse("2090-01-01T00:00:00Z"), null, 0, 10);
    assertThat(db.store().audit().search(future)).isEmpty();

    AuditVerifier.Result r = verify(db.store());
    assertThat(r.ok()).isFalse();
    assertThat(r.seq()).isEqualTo(2);
    assertThat(r.message())
        .isEqualTo("column decision is \"d-5\" but the hashed entry says \"d-2\"");
  }
}
