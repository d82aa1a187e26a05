package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.store.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group commit on a real SQLite database: callers are answered only once their batch committed, a
 * failed batch fails every caller in it and leaves nothing of it behind, batches keep queue order,
 * and a caller that gave up while queued is never written.
 */
class GroupCommitTest {

  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<Path> dirs = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    open.clear();
    for (Path d : dirs) {
      try (Stream<Path> files = Files.walk(d)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    dirs.clear();
  }

  private Db db(Duration deadline) throws Exception {
    Path dir = Files.createTempDirectory("group-commit");
    dirs.add(dir);
    Db db = new Db(StoreConfig.sqlite(dir).withDeadline(deadline));
    open.add(db);
    db.write(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE item (n INTEGER PRIMARY KEY, caller TEXT)");
          }
          return null;
        });
    return db;
  }

  private <I, O> GroupCommit<I, O> commits(Db db, int maxWeight, GroupCommit.Writer<I, O> w) {
    GroupCommit<I, O> g = new GroupCommit<>(db, "test-writer", maxWeight, i -> 1, w);
    open.add(g);
    return g;
  }

  /** Inserts each item as a row, numbered in the order written; returns the numbers. */
  private static List<Long> insert(java.sql.Connection c, List<String> items) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO item (caller) VALUES (?) RETURNING n")) {
      for (String item : items) {
        p.setString(1, item);
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          out.add(rs.getLong(1));
        }
      }
    }
    return out;
  }

  private static List<String> rows(Db db) {
    return db.query("SELECT caller FROM item ORDER BY n", rs -> rs.getString(1));
  }

  @Test
  void callersQueuedWhileABatchCommitsShareTheNextTransactionInQueueOrder() throws Exception {
    Db db = db(Duration.ofSeconds(10));
    CountDownLatch firstTaken = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, Long> g =
        commits(
            db,
            1000,
            (c, items) -> {
              if (items.contains("first")) {
                firstTaken.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  throw new SQLException(e);
                }
              }
              return insert(c, items);
            });
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Future<Long> first = pool.submit(() -> g.submit("first"));
      assertThat(firstTaken.await(10, TimeUnit.SECONDS)).isTrue();
      List<Future<Long>> rest = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String me = "c" + i;
        rest.add(pool.submit(() -> g.submit(me)));
        // queued one after another, so that queue order is known
        StoreContractTest.waitFor("c" + i + " queued", () -> g.pending() == rest.size());
      }
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
      for (int i = 0; i < 20; i++) {
        assertThat(rest.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 2L);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(g.stats()[0]).as("batches").isEqualTo(2);
    assertThat(g.stats()[1]).as("items").isEqualTo(21);
    assertThat(rows(db)).first().isEqualTo("first");
    assertThat(rows(db)).hasSize(21);
  }

  @Test
  void aFailedBatchFailsEveryCallerInItAndLeavesNoneOfItsRows() throws Exception {
    Db db = db(Duration.ofSeconds(10));
    CountDownLatch firstTaken = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, Long> g =
        commits(
            db,
            1000,
            (c, items) -> {
              if (items.contains("first")) {
                firstTaken.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  throw new SQLException(e);
                }
                return insert(c, items);
              }
              List<Long> written = insert(c, items); // rows written, then the batch fails
              if (items.contains("poison")) {
                throw new SQLException("the disk is full", "53100");
              }
              return written;
            });
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<Long>> doomed = new ArrayList<>();
    try {
      Future<Long> first = pool.submit(() -> g.submit("first"));
      assertThat(firstTaken.await(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 10; i++) {
        String me = i == 5 ? "poison" : "c" + i;
        doomed.add(pool.submit(() -> g.submit(me)));
        StoreContractTest.waitFor(me + " queued", () -> g.pending() == doomed.size());
      }
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
      for (Future<Long> f : doomed) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(StoreUnavailableException.class)
            .hasMessageContaining("the disk is full");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(rows(db)).containsExactly("first");
    // the store recovers once the fail-fast window is over: the next caller is written
    StoreContractTest.waitFor(
        "the fail-fast window",
        () -> {
          try {
            return g.submit("after") != null;
          } catch (StoreUnavailableException failingFast) {
            return false;
          }
        });
    assertThat(rows(db)).containsExactly("first", "after");
  }

  @Test
  void aCallerWhoseDeadlinePassesWhileQueuedIsWithdrawnAndNeverWritten() throws Exception {
    Db db = db(Duration.ofMillis(300));
    CountDownLatch firstTaken = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<String, Long> g =
        commits(
            db,
            1,
            (c, items) -> {
              if (items.contains("first")) {
                firstTaken.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  throw new SQLException(e);
                }
              }
              return insert(c, items);
            });
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    try {
      Future<Long> first = pool.submit(() -> g.submit("first"));
      assertThat(firstTaken.await(10, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> g.submit("late"))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("withdrawn");
      release.countDown();
      // taken before its deadline: the first caller waits for its commit and gets it
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    } finally {
      pool.shutdownNow();
    }
    StoreContractTest.waitFor("the queue drained", () -> g.pending() == 0);
    assertThat(g.submit("next")).isEqualTo(2L);
    assertThat(rows(db)).containsExactly("first", "next");
  }

  @Test
  void aWriterThatAnswersForFewerItemsFailsTheBatchBeforeItCommits() throws Exception {
    Db db = db(Duration.ofSeconds(10));
    GroupCommit<String, Long> g =
        commits(db, 1000, (c, items) -> insert(c, items).subList(0, items.size() - 1));
    assertThatThrownBy(() -> g.submit("x")).isInstanceOf(StoreUnavailableException.class);
    assertThat(rows(db)).isEmpty();
  }

  /**
   * Whatever the callers and batch sizes: every caller gets exactly the rows of its own items, each
   * written once, and each caller's items are written in the order it submitted them.
   */
  @Property(tries = 15)
  void everyItemIsWrittenOnceAndAnsweredToItsOwnCaller(
      @ForAll @IntRange(min = 1, max = 12) int callers,
      @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 1, max = 3) Integer> weights,
      @ForAll @IntRange(min = 1, max = 8) int maxWeight)
      throws Exception {
    try {
      Db db = db(Duration.ofSeconds(10));
      GroupCommit<String, Long> g =
          new GroupCommit<>(
              db,
              "test-writer",
              maxWeight,
              item -> weights.get(Integer.parseInt(item.substring(item.indexOf('#') + 1))),
              GroupCommitTest::insert);
      open.add(g);
      List<List<Long>> answered =
          StoreContractTest.inParallel(callers, () -> submitAll(g, weights));
      List<String> rows = rows(db);
      assertThat(rows).hasSize(callers * weights.size()).doesNotHaveDuplicates();
      for (List<Long> mine : answered) {
        assertThat(mine).isSorted().doesNotHaveDuplicates();
        String caller = rows.get((int) (mine.getFirst() - 1));
        String who = caller.substring(0, caller.indexOf('#'));
        for (int i = 0; i < mine.size(); i++) {
          assertThat(rows.get((int) (mine.get(i) - 1))).isEqualTo(who + "#" + i);
        }
      }
    } finally {
      close();
    }
  }

  private static List<Long> submitAll(GroupCommit<String, Long> g, List<Integer> weights) {
    String me = Thread.currentThread().getName();
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < weights.size(); i++) {
      out.add(g.submit(me + "#" + i));
    }
    return out;
  }
}
