package dev.tollgate.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.api.store.StoreUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Connections and transactions, with the deadline applied. SQLite: one write connection behind a
 * lock (SQLite has one writer anyway) and a small pool of readers (WAL lets them read while it
 * writes). PostgreSQL: one pool; row locks serialise the writers.
 */
final class Db implements AutoCloseable {

  enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  final Dialect dialect;
  final long deadlineNanos;
  private final int deadlineMillis;
  private final String where;
  private final HikariDataSource pool;
  private final ReentrantLock writeLock = new ReentrantLock(true);
  private final String sqliteUrl;
  private final Properties sqliteProps;
  private Connection sqliteWriter;
  private long writerBusyMillis =
      -1; // the busy timeout last set on the writer; guarded by writeLock
  private final java.nio.file.Path sqliteDir;
  final Outage writes = new Outage();
  final Outage reads = new Outage();

  /**
   * After a call failed because the store was unreachable, busy, locked or full, calls of the same
   * kind fail at once for {@link #FAIL_FAST_NANOS} instead of each waiting out the deadline again:
   * a decision that needs several store calls then fails closed within one deadline, not one per
   * call, and requests do not pile up behind a store that is down. The first call after the window
   * tries the store again.
   */
  static final class Outage {
    private volatile long failedAt;
    private volatile String reason;

    void failed(String why) {
      reason = why;
      failedAt = System.nanoTime();
    }

    void succeeded() {
      if (reason != null) {
        reason = null;
      }
    }

    /** The reason calls fail fast now, or null. */
    String failingFast() {
      String r = reason;
      return r != null && System.nanoTime() - failedAt < FAIL_FAST_NANOS ? r : null;
    }

    /** The reason of the last failure when no call has succeeded since, or null. */
    String down() {
      return reason;
    }
  }

  static final long FAIL_FAST_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  Db(StoreConfig config) {
    this.deadlineNanos = config.deadline().toNanos();
    this.where = config.toString();
    long ms = Math.max(1, config.deadline().toMillis());
    this.deadlineMillis = (int) Math.min(Integer.MAX_VALUE, ms);
    int seconds = (int) Math.max(1, (ms + 999) / 1000);
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("tollgate-store");
    hc.setConnectionTimeout(Math.max(250, ms));
    hc.setValidationTimeout(Math.max(250, ms));
    hc.setInitializationFailTimeout(Math.max(1, ms));
    this.sqliteDir = config.sqliteDir();
    if (config.isSqlite()) {
      dialect = Dialect.SQLITE;
      createOwnerOnly(config.sqliteDir());
      sqliteUrl = "jdbc:sqlite:" + config.sqliteDir().resolve(StoreConfig.SQLITE_FILE);
      sqliteProps = new Properties();
      sqliteProps.setProperty("journal_mode", "WAL");
      sqliteProps.setProperty("synchronous", "FULL");
      sqliteProps.setProperty("busy_timeout", Long.toString(ms));
      sqliteProps.setProperty("foreign_keys", "true");
      hc.setJdbcUrl(sqliteUrl);
      hc.setDataSourceProperties(sqliteProps);
      hc.setMaximumPoolSize(4);
      hc.setMinimumIdle(1);
    } else {
      dialect = Dialect.POSTGRESQL;
      sqliteUrl = null;
      sqliteProps = null;
      hc.setJdbcUrl(config.jdbcUrl());
      if (config.user() != null) {
        hc.setUsername(config.user());
      }
      if (config.password() != null) {
        hc.setPassword(config.password());
      }
      hc.addDataSourceProperty("connectTimeout", Integer.toString(seconds));
      hc.addDataSourceProperty("socketTimeout", Integer.toString(seconds + 1));
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");
      hc.addDataSourceProperty("ApplicationName", "tollgate");
      hc.addDataSourceProperty("options", "-c statement_timeout=" + ms + " -c lock_timeout=" + ms);
      hc.setMaximumPoolSize(8);
      hc.setMinimumIdle(1);
    }
    try {
      pool = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new StoreUnavailableException("cannot reach the store at " + where, e);
    }
  }

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  /**
   * Creates what is missing of the data directory (mode 0700) and the database file (0600), so that
   * SQLite opens a file only its owner can read: it gives the {@code -wal}, {@code -shm} and {@code
   * -journal} files it creates the database file's mode. Modes of what already exists are left to
   * the caller ({@code tollgate} tightens them). Where the file system has no POSIX permissions,
   * both are created plainly.
   */
  private static void createOwnerOnly(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try {
          Files.createDirectory(dir, OWNER_ONLY_DIRECTORY);
        } catch (UnsupportedOperationException notPosix) {
          Files.createDirectory(dir);
        } catch (FileAlreadyExistsException raced) {
          // another process created it: its mode is the caller's to check
        }
      }
      Path file = dir.resolve(StoreConfig.SQLITE_FILE);
      if (!Files.exists(file)) {
        try {
          Files.createFile(file, OWNER_ONLY_FILE);
        } catch (UnsupportedOperationException notPosix) {
          Files.createFile(file);
        } catch (FileAlreadyExistsException raced) {
          // another process created it first
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dir, e);
    }
  }

  /** Runs {@code work} on a reader (auto-commit). */
  <T> T read(Work<T> work) {
    failFast(reads);
    try (Connection c = connection()) {
      T out = work.run(c);
      reads.succeeded();
      return out;
    } catch (SQLException e) {
      throw unavailable(e, reads);
    }
  }

  /**
   * Runs {@code work} on a pooled connection in auto-commit: one statement that writes in its own
   * transaction (a PostgreSQL function call), one round trip. Failures count as write failures.
   */
  <T> T autocommit(Work<T> work) {
    failFast(writes);
    try (Connection c = connection()) {
      T out = work.run(c);
      writes.succeeded();
      return out;
    } catch (SQLException e) {
      throw unavailable(e, writes);
    }
  }

  private void failFast(Outage outage) {
    String reason = outage.failingFast();
    if (reason != null) {
      throw new StoreUnavailableException(
          "the store at " + where + " failed moments ago (" + reason + "); failing fast", null);
    }
  }

  /**
   * Runs {@code work} in one read-only transaction that sees one snapshot of the database, however
   * many statements it runs (SQLite: a read transaction on the write-ahead log; PostgreSQL: {@code
   * REPEATABLE READ}). Each statement still gives up after the deadline.
   */
  <T> T snapshot(Work<T> work) {
    return read(
        c -> {
          // The pool restores auto-commit, isolation and read-only when the connection comes back.
          c.setAutoCommit(false);
          try {
            if (dialect == Dialect.POSTGRESQL) {
              c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
              c.setReadOnly(true);
            }
            T result = work.run(c);
            c.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            throw e;
          }
        });
  }

  /** Reads one row of a result. */
  @FunctionalInterface
  interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** The rows of one query with {@code args} bound in order, on a reader. */
  <T> List<T> query(String sql, Row<T> row, Object... args) {
    return read(
        c ->
            statement(
                c,
                sql,
                p -> {
                  for (int i = 0; i < args.length; i++) {
                    p.setObject(i + 1, args[i]);
                  }
                  try (ResultSet rs = p.executeQuery()) {
                    List<T> out = new ArrayList<>();
                    while (rs.next()) {
                      out.add(row.read(rs));
                    }
                    return out;
                  }
                }));
  }

  /** Work on one prepared statement. */
  @FunctionalInterface
  interface StatementWork<T> {
    T run(PreparedStatement p) throws SQLException;
  }

  /**
   * Runs {@code work} on a statement for {@code sql} on {@code c}, which the caller holds (a
   * reader, or the writer inside {@link #write}): on SQLite the connection's cached statement, left
   * open for the next use; on PostgreSQL a new one, closed after (the driver keeps its own cache of
   * server-side statements). {@code work} must close the result sets it opens.
   */
  <T> T statement(Connection c, String sql, StatementWork<T> work) throws SQLException {
    PreparedStatement p = prepared(c, sql);
    boolean kept = false;
    try {
      T out = work.run(p);
      if (dialect == Dialect.SQLITE && isCached(c, sql, p)) {
        p.clearParameters();
        kept = true;
      }
      return out;
    } finally {
      if (!kept) {
        p.close();
      }
    }
  }

  /**
   * Statements prepared on each SQLite reader, by SQL. Preparing (parsing the SQL, planning against
   * the schema) was most of a lookup's cost: three quarters of the native time of a decision that
   * asks, which reads grants and the latest approval. A statement is used only by the thread that
   * holds its connection from the pool; closing the result resets it, so a cached statement holds
   * no read snapshot open.
   */
  private final Map<Connection, Map<String, PreparedStatement>> prepared =
      new ConcurrentHashMap<>();

  /** Statements kept per connection; the audit search builds its SQL per filter. */
  private static final int MAX_PREPARED = 64;

  /** A statement for {@code sql} on {@code c}: on SQLite the connection's cached one. */
  private PreparedStatement prepared(Connection c, String sql) throws SQLException {
    if (dialect != Dialect.SQLITE) {
      return c.prepareStatement(sql);
    }
    Connection raw = c.unwrap(Connection.class);
    Map<String, PreparedStatement> cache = prepared.get(raw);
    if (cache == null) {
      // a new reader: drop the statements of readers the pool has retired since
      prepared.keySet().removeIf(Db::closedQuietly);
      cache = leastRecentlyUsed();
      prepared.put(raw, cache);
    }
    PreparedStatement p = cache.get(sql);
    if (p == null || p.isClosed()) {
      p = raw.prepareStatement(sql);
      cache.put(sql, p);
    }
    return p;
  }

  /**
   * A connection's statements, the least recently used closed and dropped beyond {@link
   * #MAX_PREPARED}: the audit search's many variants do not keep the hot lookups out.
   */
  private static Map<String, PreparedStatement> leastRecentlyUsed() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
        if (size() <= MAX_PREPARED) {
          return false;
        }
        try {
          eldest.getValue().close();
        } catch (SQLException e) {
          // closing a statement nobody uses any more: nothing to recover
        }
        return true;
      }
    };
  }

  private boolean isCached(Connection c, String sql, PreparedStatement p) throws SQLException {
    Map<String, PreparedStatement> cache = prepared.get(c.unwrap(Connection.class));
    return cache != null && cache.get(sql) == p;
  }

  private static boolean closedQuietly(Connection c) {
    try {
      return c.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  /** Runs {@code work} in one write transaction and commits it. */
  <T> T write(Work<T> work) {
    return write(work, System.nanoTime());
  }

  /**
   * Runs {@code work} in one write transaction, within the deadline counted from {@code
   * startedNanos} ({@link System#nanoTime}): the audit writer passes the time its oldest entry was
   * queued, so that the caller waiting for it is answered within its deadline.
   */
  <T> T write(Work<T> work, long startedNanos) {
    failFast(writes);
    T out = dialect == Dialect.SQLITE ? writeSqlite(work, startedNanos) : writePostgres(work);
    writes.succeeded();
    return out;
  }

  private StoreUnavailableException busy() {
    String why = "no write within the deadline";
    writes.failed(why);
    return new StoreUnavailableException("the store at " + where + " is busy: " + why, null);
  }

  private <T> T writeSqlite(Work<T> work, long startedNanos) {
    try {
      long left = deadlineNanos - (System.nanoTime() - startedNanos);
      if (left <= 0 || !writeLock.tryLock(left, TimeUnit.NANOSECONDS)) {
        throw busy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting for the store", e);
    }
    try {
      if (sqliteWriter == null || sqliteWriter.isClosed()) {
        sqliteWriter = DriverManager.getConnection(sqliteUrl, sqliteProps);
        writerBusyMillis = -1;
      }
      Connection c = sqliteWriter;
      // SQLite waits busy_timeout for another process's lock on top of the wait for ours: only
      // what is left of the deadline, so that the two together never exceed it.
      long leftMillis =
          TimeUnit.NANOSECONDS.toMillis(deadlineNanos - (System.nanoTime() - startedNanos));
      if (leftMillis <= 0) {
        throw busy();
      }
      if (leftMillis != writerBusyMillis) {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA busy_timeout = " + leftMillis);
        }
        writerBusyMillis = leftMillis;
      }
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
      try {
        T result = work.run(c);
        try (Statement s = c.createStatement()) {
          s.execute("COMMIT");
        }
        return result;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable(e, writes);
    } finally {
      writeLock.unlock();
    }
  }

  private static void rollbackQuietly(Connection c, Exception cause) {
    try (Statement s = c.createStatement()) {
      if (!c.getAutoCommit()) {
        c.rollback();
      } else {
        s.execute("ROLLBACK");
      }
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private <T> T writePostgres(Work<T> work) {
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        if (!c.isClosed()) {
          try {
            c.rollback();
          } catch (SQLException r) {
            e.addSuppressed(r);
          }
        }
        throw e;
      }
    } catch (SQLException e) {
      throw unavailable(e, writes);
    }
  }

  /**
   * A pooled connection whose reads give up after the deadline. PostgreSQL's {@code socketTimeout}
   * counts whole seconds (a 500 ms deadline became a 2 s stall); the network timeout is in
   * milliseconds, and the pool restores it when the connection comes back.
   */
  private Connection connection() throws SQLException {
    Connection c = pool.getConnection();
    if (dialect == Dialect.POSTGRESQL) {
      try {
        c.setNetworkTimeout(Runnable::run, deadlineMillis);
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /** Whether the store answers within the deadline (for SQLite: whether it can take a write). */
  boolean ready() {
    return readiness().ready();
  }

  /** Space the disk under the embedded store must keep free to be ready. */
  static final long MIN_FREE_BYTES = 64L << 20;

  /**
   * Ready when a round trip works, no write has failed since the last that succeeded, and (SQLite)
   * the disk keeps {@link #MIN_FREE_BYTES} free: a full disk fails every write, so every decision,
   * while reads and empty transactions still work.
   */
  dev.tollgate.api.store.Store.Readiness readiness() {
    String down = writes.down();
    if (down != null) {
      // Probe with a write that changes something, so that a full disk is really seen.
      try {
        probeWrite();
      } catch (StoreUnavailableException e) {
        return new dev.tollgate.api.store.Store.Readiness(false, "writes fail: " + down);
      }
    }
    if (sqliteDir != null) {
      try {
        long free = java.nio.file.Files.getFileStore(sqliteDir).getUsableSpace();
        if (free < MIN_FREE_BYTES) {
          return new dev.tollgate.api.store.Store.Readiness(
              false,
              "the disk holding "
                  + sqliteDir
                  + " has "
                  + (free >> 20)
                  + " MiB free (at least "
                  + (MIN_FREE_BYTES >> 20)
                  + " MiB needed): free space, or every decision will be denied");
        }
      } catch (IOException e) {
        return new dev.tollgate.api.store.Store.Readiness(
            false, "cannot read the free space of " + sqliteDir + ": " + e.getMessage());
      }
    }
    try {
      if (dialect == Dialect.SQLITE) {
        write(c -> null);
      }
      read(
          c -> {
            try (Statement s = c.createStatement()) {
              return s.execute("SELECT 1");
            }
          });
      return new dev.tollgate.api.store.Store.Readiness(true, "ok");
    } catch (StoreUnavailableException e) {
      return new dev.tollgate.api.store.Store.Readiness(false, e.getMessage());
    }
  }

  /** A write that touches a page: the one-row audit head, rewritten as it is. */
  private void probeWrite() {
    write(
        c -> {
          try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE audit_head SET seq = seq WHERE id = 1");
          }
          return null;
        });
  }

  /** {@code FOR UPDATE} where a row lock is needed (PostgreSQL), else nothing. */
  String forUpdate() {
    return dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
  }

  StoreUnavailableException unavailable(SQLException e) {
    return new StoreUnavailableException("the store at " + where + " failed: " + e.getMessage(), e);
  }

  /** As {@link #unavailable(SQLException)}, noting an outage when the failure is one. */
  private StoreUnavailableException unavailable(SQLException e, Outage outage) {
    if (outage(e)) {
      outage.failed(e.getMessage());
    }
    return unavailable(e);
  }

  /**
   * Whether a failure says the store cannot serve now (unreachable, busy, locked, full, timed out),
   * rather than that one statement was wrong.
   */
  static boolean outage(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientException
          || t instanceof java.sql.SQLRecoverableException
          || t instanceof java.sql.SQLNonTransientConnectionException
          || t instanceof java.net.SocketException
          || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        if (state != null
            && (state.startsWith("08") // connection
                || state.startsWith("53") // insufficient resources (disk full, out of memory)
                || state.startsWith("57") // operator intervention, statement timeout
                || state.equals("55P03") // lock not available
                || state.startsWith("58"))) { // system error (I/O)
          return true;
        }
        String m = String.valueOf(sql.getMessage());
        // SQLite: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN,
        // SQLITE_READONLY (a database the process can no longer write)
        if (m.contains("SQLITE_BUSY")
            || m.contains("SQLITE_LOCKED")
            || m.contains("SQLITE_FULL")
            || m.contains("SQLITE_IOERR")
            || m.contains("SQLITE_CANTOPEN")
            || m.contains("SQLITE_READONLY")) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      if (sqliteWriter != null) {
        sqliteWriter.close();
      }
    } catch (SQLException e) {
      // closing: nothing is left to protect
    } finally {
      writeLock.unlock();
      pool.close();
    }
  }
}
