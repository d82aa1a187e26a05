package dev.tollgate.store.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite store. */
class SqliteStoreTest extends StoreContractTest {

  @TempDir Path dir;
  private Connection lockHolder;

  @Override
  StoreConfig config() {
    return StoreConfig.sqlite(dir);
  }

  /** Another process holds the write lock: writes cannot be made within the deadline. */
  @Override
  void breakStore() throws Exception {
    lockHolder = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(StoreConfig.SQLITE_FILE));
    try (Statement s = lockHolder.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
    }
  }

  @Override
  void repairStore() throws Exception {
    try (Statement s = lockHolder.createStatement()) {
      s.execute("ROLLBACK");
    }
    lockHolder.close();
  }
}
