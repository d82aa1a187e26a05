package dev.tollgate.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Watches a bundle directory and calls back once a burst of changes has settled (editors write a
 * file in several steps; reloading mid-way would only report a half-saved file).
 */
final class PolicyWatcher implements AutoCloseable {
  private static final long SETTLE_MILLIS = 250;

  private final WatchService watch;
  private final Thread thread;

  PolicyWatcher(Path directory, Runnable onChange) throws IOException {
    this.watch = FileSystems.getDefault().newWatchService();
    directory.register(
        watch,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    this.thread =
        Thread.ofPlatform()
            .daemon()
            .name("tollgate-policy-watcher")
            .unstarted(
                () -> {
                  try {
                    while (true) {
                      WatchKey key = watch.take();
                      key.pollEvents();
                      key.reset();
                      // Drain what follows within the settle time, then reload once.
                      WatchKey more;
                      while ((more = watch.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                        more.pollEvents();
                        more.reset();
                      }
                      onChange.run();
                    }
                  } catch (InterruptedException | ClosedWatchServiceException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    thread.start();
  }

  @Override
  public void close() {
    try {
      watch.close();
    } catch (IOException e) {
      thread.interrupt();
    }
  }
}
