package dev.tollgate.server;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where password hashing runs: a few platform threads of its own (half the cores, at least one) and
 * a short queue, never the virtual threads that serve requests. PBKDF2 is a long stretch of pure
 * computation; on a virtual thread it holds a carrier (one per core) for its whole length, and a
 * handful of sign-ins stopped every decision. Here, however many sign-ins arrive, hashing takes at
 * most half the machine, and past the queue a sign-in is refused as busy rather than queued without
 * bound.
 */
final class Hashing {
  static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  private static final int QUEUE = 32;

  private static final ThreadPoolExecutor POOL =
      new ThreadPoolExecutor(
          THREADS,
          THREADS,
          0,
          TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(QUEUE),
          Thread.ofPlatform()
              .name("tollgate-password-hashing-", 0)
              .daemon()
              .priority(Thread.NORM_PRIORITY - 1)
              .factory(),
          new ThreadPoolExecutor.AbortPolicy());

  /** A moving average of one hash's duration, in nanoseconds; seeded by a first measurement. */
  private static volatile long typicalNanos = -1;

  /**
   * Hashes computed since start: what sign-ins really cost, which tests count (a throttled try or
   * an unknown name must cost none).
   */
  private static final LongAdder COMPUTED = new LongAdder();

  private Hashing() {}

  /** Thrown when the hashing queue is full. */
  static final class Busy extends Exception {
    private static final long serialVersionUID = 1L;

    Busy() {
      super("too many sign-ins at once");
    }
  }

  /** Runs {@code work} (one password hash) on the pool and waits for it. */
  static <T> T run(Callable<T> work) throws Busy {
    Future<T> f;
    try {
      f =
          POOL.submit(
              () -> {
                long start = System.nanoTime();
                COMPUTED.increment();
                try {
                  return work.call();
                } finally {
                  record(System.nanoTime() - start);
                }
              });
    } catch (RejectedExecutionException e) {
      throw new Busy();
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException("password hashing failed", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits about as long as one hash takes, without computing anything: an answer for a name that
   * matches nobody must not come back sooner than one for a real person with a wrong password, yet
   * must not cost the CPU a hash would.
   */
  static void waitLikeAHash() {
    long nanos = typicalNanos;
    if (nanos < 0) {
      try {
        run(() -> Passwords.hash(new char[] {'x'}));
      } catch (Busy e) {
        // Busy: a guess will do below.
      }
      nanos = Math.max(typicalNanos, 0);
    }
    long jitter =
        (long) (nanos * 0.1 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    try {
      Thread.sleep(Duration.ofNanos(nanos + jitter));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How many hashes the pool has computed since start. */
  static long computed() {
    return COMPUTED.sum();
  }

  private static void record(long nanos) {
    long t = typicalNanos;
    typicalNanos = t < 0 ? nanos : t + (nanos - t) / 8;
  }
}
