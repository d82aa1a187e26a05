package dev.tollgate.server;

import dev.tollgate.engine.PolicyDirectory;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watches a bundle directory and asks for a reload once a burst of changes has settled.
 *
 * <p>How: a WatchService on the directory (its files) and on its parent (so that a rename, removal
 * or re-creation of the directory itself is seen), and, because change events can be missed (a
 * directory replaced under its watch, overflow, file systems without events), a poll of the
 * directory's fingerprint (names, sizes, modification times) every poll interval. A reload is asked
 * for when an event concerned the directory, when the fingerprint changed since the last reload, or
 * when the last reload was held. The watcher survives the directory's disappearance: the reload
 * then is refused (the bundle in use stays) and the next one comes when the directory is back.
 */
final class PolicyWatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.tollgate.server.watcher");

  /** How many settle times a burst of changes may extend the wait before a reload. */
  private static final int MAX_SETTLES = 8;

  private final Path directory;
  private final Path parent;
  private final WatchService watch;
  private final Duration poll;
  private final Duration settle;
  private final Supplier<PolicyDirectory.Outcome> reload;
  private final Thread thread;
  private WatchKey directoryKey;
  private volatile boolean closed;

  PolicyWatcher(
      Path directory, Duration poll, Duration settle, Supplier<PolicyDirectory.Outcome> reload)
      throws IOException {
    this.directory = directory.toAbsolutePath().normalize();
    this.parent = this.directory.getParent();
    this.poll = poll;
    this.settle = settle;
    this.reload = reload;
    this.watch = FileSystems.getDefault().newWatchService();
    if (parent != null) {
      parent.register(
          watch,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
    }
    registerDirectory();
    this.thread = Thread.ofPlatform().daemon().name("tollgate-policy-watcher").unstarted(this::run);
    thread.start();
  }

  /** (Re-)registers the directory itself: a new directory at the same path needs a new key. */
  private void registerDirectory() {
    if (directoryKey != null) {
      directoryKey.cancel();
      directoryKey = null;
    }
    if (!Files.isDirectory(directory)) {
      return;
    }
    try {
      directoryKey =
          directory.register(
              watch,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot watch {0} ({1}); polling it every {2} ms",
          directory,
          e.getMessage(),
          poll.toMillis());
    }
  }

  private void run() {
    String seen = PolicyDirectory.fingerprint(directory);
    boolean held = false;
    LOG.log(System.Logger.Level.INFO, "watching {0} for policy changes", directory);
    try {
      while (!closed) {
        boolean changed = drain(watch.poll(poll.toMillis(), TimeUnit.MILLISECONDS));
        if (changed) {
          settle();
        }
        String now = PolicyDirectory.fingerprint(directory);
        if (!now.equals(seen) && (seen.equals("absent") || now.equals("absent"))) {
          LOG.log(
              System.Logger.Level.WARNING,
              now.equals("absent")
                  ? "policy directory {0} is gone; the bundle in use stays"
                  : "policy directory {0} is back",
              directory);
          registerDirectory();
        } else if (directoryKey == null || !directoryKey.isValid()) {
          registerDirectory();
        }
        if (changed || held || !now.equals(seen)) {
          seen = now;
          try {
            held = reload.get() == PolicyDirectory.Outcome.HELD;
          } catch (RuntimeException e) {
            // The reload path audits and answers for itself; the watcher must not die of it.
            LOG.log(System.Logger.Level.ERROR, "policy reload failed", e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ClosedWatchServiceException e) {
      // closed: done
    }
  }

  /**
   * Drains the events that follow a change until the directory has had no event for the settle
   * time, so that a burst of writes is reloaded once. Only events about the directory extend the
   * wait: the parent may be busy for other reasons (a parent such as /tmp always is), and its
   * events must not keep the reload from ever coming. Nor may the directory's own: the wait ends
   * after {@link #MAX_SETTLES} settle times at most, and the reload then judges what it finds.
   */
  private void settle() throws InterruptedException {
    long start = System.nanoTime();
    long last = start + settle.toNanos() * MAX_SETTLES;
    long quietUntil = Math.min(start + settle.toNanos(), last);
    for (long left = settle.toNanos(); left > 0; left = quietUntil - System.nanoTime()) {
      WatchKey more = watch.poll(left, TimeUnit.NANOSECONDS);
      if (more != null && drain(more)) {
        quietUntil = Math.min(System.nanoTime() + settle.toNanos(), last);
      }
    }
  }

  /** Whether a key's events concern the directory (its files, or the directory in its parent). */
  private boolean drain(WatchKey key) {
    if (key == null) {
      return false;
    }
    boolean relevant = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      if (key.watchable().equals(parent)) {
        if (event.kind() == StandardWatchEventKinds.OVERFLOW
            || directory.getFileName().equals(event.context())) {
          relevant = true;
          registerDirectory();
        }
      } else {
        relevant = true;
      }
    }
    key.reset();
    return relevant;
  }

  @Override
  public void close() {
    closed = true;
    try {
      watch.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing the policy watch", e);
    }
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
