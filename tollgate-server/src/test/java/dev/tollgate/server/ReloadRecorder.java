package dev.tollgate.server;

import dev.tollgate.engine.PolicyDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Hears a server's reloads, so that a test waits until "a reload with outcome X happened" rather
 * than for some time: a wait ends as soon as it can, and fails (after a generous bound) only when
 * the reload never comes.
 */
final class ReloadRecorder implements TollgateServer.ReloadListener {
  /** How long a reload may take to come on a loaded 2-core machine before the test fails. */
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  /** One reload as the server told it: whether its audit record was written at once. */
  record Heard(PolicyDirectory.Reload reload, boolean recorded) {
    PolicyDirectory.Outcome outcome() {
      return reload.outcome();
    }

    int policies() {
      return reload.bundle().policyNames().size();
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<Heard> heard = new ArrayList<>();
  private int written;

  @Override
  public void reloaded(PolicyDirectory.Reload reload, boolean recorded) {
    lock.lock();
    try {
      heard.add(new Heard(reload, recorded));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void written(int records) {
    lock.lock();
    try {
      written += records;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** How many reloads were heard so far: a mark to wait from. */
  int seen() {
    lock.lock();
    try {
      return heard.size();
    } finally {
      lock.unlock();
    }
  }

  /** The reloads heard since {@code mark}, in order. */
  List<Heard> since(int mark) {
    lock.lock();
    try {
      return List.copyOf(heard.subList(mark, heard.size()));
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the first reload since {@code mark} that {@code wanted} accepts, and returns it. */
  Heard await(int mark, Predicate<Heard> wanted, String what) throws InterruptedException {
    long left = PATIENCE.toNanos();
    lock.lock();
    try {
      int next = mark;
      while (true) {
        for (; next < heard.size(); next++) {
          if (wanted.test(heard.get(next))) {
            return heard.get(next);
          }
        }
        if (left <= 0) {
          throw new AssertionError(
              "timed out waiting until " + what + "; reloads heard since: " + since(mark));
        }
        left = changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until at least {@code records} reload records that had waited for the store are in. */
  void awaitWritten(int records, String what) throws InterruptedException {
    lock.lock();
    try {
      long left = PATIENCE.toNanos();
      while (written < records) {
        if (left <= 0) {
          throw new AssertionError(
              "timed out waiting until " + what + " (" + written + " written of " + records + ")");
        }
        left = changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }
}
