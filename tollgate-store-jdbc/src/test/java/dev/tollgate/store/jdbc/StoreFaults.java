package dev.tollgate.store.jdbc;

import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Real faults of a real store, for tests of what the rest of Tollgate does with them. */
public final class StoreFaults {
  private StoreFaults() {}

  /**
   * Caps a SQLite store's database at the pages it has now and fills them, so that writes fail as
   * on a full disk (SQLITE_FULL) while reads still work.
   */
  public static void fillDatabase(JdbcStore store) {
    Db db = store.db();
    db.write(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS test_filler (x TEXT)");
            s.execute("PRAGMA max_page_count = 1");
          }
          return null;
        });
    // Fill the free room the last pages still have, until a write fails.
    List<RuntimeException> failures = new ArrayList<>();
    for (int i = 0; i < 10_000 && failures.isEmpty(); i++) {
      int n = i;
      try {
        db.write(
            c -> {
              try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO test_filler (x) VALUES ('" + n + "x".repeat(200) + "')");
              }
              return null;
            });
      } catch (RuntimeException full) {
        failures.add(full);
      }
    }
    if (failures.isEmpty()) {
      throw new IllegalStateException("the database did not fill up");
    }
  }
}
