package dev.tollgate.store.jdbc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the store lives: a SQLite data directory (the file {@value #SQLITE_FILE} inside it, the
 * default) or a PostgreSQL JDBC URL with its credentials; and how long a store call may take before
 * it fails with {@link dev.tollgate.api.store.StoreUnavailableException}.
 *
 * @param sqliteDir the data directory, or {@code null} for PostgreSQL
 * @param jdbcUrl {@code jdbc:postgresql://...}, or {@code null} for SQLite
 * @param user the PostgreSQL user, or {@code null}
 * @param password the PostgreSQL password, or {@code null}
 * @param deadline the longest a store call may take
 */
public record StoreConfig(
    Path sqliteDir, String jdbcUrl, String user, String password, Duration deadline) {

  /** The database file inside a SQLite data directory. */
  public static final String SQLITE_FILE = "tollgate.db";

  /** The default deadline of a store call. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(2);

  public StoreConfig {
    if ((sqliteDir == null) == (jdbcUrl == null)) {
      throw new IllegalArgumentException(
          "give either a SQLite data directory or a PostgreSQL JDBC URL, not both or neither");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "the store URL must start with `jdbc:postgresql:` (got `"
              + jdbcUrl.replaceAll("[?].*", "?...")
              + "`); for the embedded store give a data directory instead");
    }
    Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("the store deadline must be positive, got " + deadline);
    }
  }

  /** The embedded store in {@code dir}, with the default deadline. */
  public static StoreConfig sqlite(Path dir) {
    return new StoreConfig(dir, null, null, null, DEFAULT_DEADLINE);
  }

  /** PostgreSQL at {@code jdbcUrl}, with the default deadline. */
  public static StoreConfig postgres(String jdbcUrl, String user, String password) {
    return new StoreConfig(null, jdbcUrl, user, password, DEFAULT_DEADLINE);
  }

  /** The same store with another deadline. */
  public StoreConfig withDeadline(Duration deadline) {
    return new StoreConfig(sqliteDir, jdbcUrl, user, password, deadline);
  }

  /** Whether this is the embedded SQLite store. */
  public boolean isSqlite() {
    return sqliteDir != null;
  }

  @Override
  public String toString() {
    return isSqlite()
        ? "sqlite:" + sqliteDir.resolve(SQLITE_FILE)
        : jdbcUrl.replaceAll("[?].*", "") + " as " + user;
  }
}
