package dev.tollgate.store.jdbc;

import dev.tollgate.api.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;

/**
 * Group commit: callers queue their items and wait; one writer thread takes everything queued (up
 * to a batch's weight), writes it in one transaction, commits, and only then answers every caller
 * of the batch with its own result. On SQLite with {@code synchronous=FULL} a commit is an fsync,
 * so N concurrent callers pay for one fsync instead of N.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>a caller is answered only after the transaction holding its item committed;
 *   <li>when the transaction fails, every caller of the batch gets the failure and none of the
 *       batch's items is in the database (the transaction rolled back): all or nothing per batch;
 *   <li>items are written in the order they were queued, so a batch writer that chains them (the
 *       audit's hash chain) sees one total order;
 *   <li>a caller whose deadline passes while its item is still queued withdraws it and gets a
 *       {@link StoreUnavailableException}; once the writer has taken it, the caller waits for the
 *       commit's outcome (bounded by the database's own timeouts), so a caller told "failed" never
 *       finds its item written later.
 * </ul>
 *
 * @param <I> what a caller queues
 * @param <O> what a caller gets back once its item is durable
 */
final class GroupCommit<I, O> implements AutoCloseable {

  /** Writes one batch inside a transaction, and returns one result per item, in order. */
  @FunctionalInterface
  interface Writer<I, O> {
    List<O> write(Connection c, List<I> items) throws SQLException;
  }

  private static final int QUEUED = 0;
  private static final int TAKEN = 1;
  private static final int WITHDRAWN = 2;

  private final Db db;
  private final int maxWeight;
  private final ToIntFunction<I> weight;
  private final Writer<I, O> writer;
  private final LinkedBlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;
  private final LongAdder batches = new LongAdder();
  private final LongAdder items = new LongAdder();
  private final LongAdder writeNanos = new LongAdder();

  private static final class Pending<I, O> {
    final I item;
    final int weight;
    final AtomicInteger state = new AtomicInteger(QUEUED);
    final CompletableFuture<O> result = new CompletableFuture<>();
    final long queuedNanos = System.nanoTime();

    Pending(I item, int weight) {
      this.item = item;
      this.weight = weight;
    }
  }

  /**
   * @param name the writer thread's name
   * @param maxWeight the most weight one batch takes (a heavier single item is a batch of its own)
   * @param weight an item's weight (the audit: its number of entries)
   */
  GroupCommit(Db db, String name, int maxWeight, ToIntFunction<I> weight, Writer<I, O> writer) {
    this.db = db;
    this.maxWeight = maxWeight;
    this.weight = weight;
    this.writer = writer;
    this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
  }

  /**
   * Queues {@code item} and waits until the transaction holding it committed.
   *
   * @throws StoreUnavailableException when the store failed or the deadline passed
   * @throws IllegalStateException when closed
   */
  O submit(I item) {
    Pending<I, O> p = new Pending<>(item, weight.applyAsInt(item));
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
    queue.add(p);
    try {
      return p.result.get(db.deadlineNanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (p.state.compareAndSet(QUEUED, WITHDRAWN)) {
        throw new StoreUnavailableException(
            "the store did not take the write within the deadline; it was withdrawn", e);
      }
      return awaitOutcome(p);
    } catch (ExecutionException e) {
      throw rethrow(e);
    }
  }

  /** The writer has the item: its commit is under way, and its outcome decides. */
  private static <O> O awaitOutcome(Pending<?, O> p) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.result.get();
        } catch (InterruptedException again) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw rethrow(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static RuntimeException rethrow(ExecutionException e) {
    if (e.getCause() instanceof RuntimeException r) {
      return r;
    }
    return new StoreUnavailableException("the write failed: " + e.getCause(), e.getCause());
  }

  private void run() {
    List<Pending<I, O>> drained = new ArrayList<>();
    List<Pending<I, O>> batch = new ArrayList<>();
    List<I> work = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        drained.clear();
        batch.clear();
        work.clear();
        drained.add(first);
        int total = first.weight;
        Pending<I, O> next;
        while ((next = queue.peek()) != null && total + next.weight <= maxWeight) {
          drained.add(queue.poll());
          total += next.weight;
        }
        for (Pending<I, O> p : drained) {
          if (p.state.compareAndSet(QUEUED, TAKEN)) {
            batch.add(p);
            work.add(p.item);
          }
        }
        if (batch.isEmpty()) {
          continue;
        }
        int weights = 0;
        for (Pending<I, O> p : batch) {
          weights += p.weight;
        }
        List<O> out;
        long t0 = System.nanoTime();
        try {
          // Within the deadline of the oldest caller: it is answered when this commit ends.
          out =
              db.write(c -> checked(writer.write(c, work), work.size()), batch.get(0).queuedNanos);
          writeNanos.add(System.nanoTime() - t0);
          batches.increment();
          items.add(weights);
        } catch (RuntimeException e) {
          for (Pending<I, O> p : batch) {
            p.result.completeExceptionally(e);
          }
          continue;
        }
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).result.complete(out.get(i));
        }
      } catch (InterruptedException e) {
        if (closed) {
          break;
        }
      } catch (RuntimeException | Error e) {
        for (Pending<I, O> p : batch) {
          p.result.completeExceptionally(e);
        }
      }
    }
    for (Pending<I, O> p; (p = queue.poll()) != null; ) {
      p.result.completeExceptionally(new IllegalStateException("the store is closed"));
    }
  }

  /** A writer that answers for fewer items than it was given fails the batch, before the commit. */
  private static <O> List<O> checked(List<O> out, int n) throws SQLException {
    if (out.size() != n) {
      throw new SQLException("the batch writer answered " + out.size() + " of " + n + " items");
    }
    return out;
  }

  /** Items queued and not yet taken. */
  int pending() {
    return queue.size();
  }

  /** Committed batches, their items' weight, and the time spent writing them, for measurements. */
  long[] stats() {
    return new long[] {batches.sum(), items.sum(), writeNanos.sum()};
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.join(TimeUnit.NANOSECONDS.toMillis(db.deadlineNanos) * 2 + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
