package dev.tollgate.store.jdbc.audit;

import dev.tollgate.api.store.AuditLog;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import dev.tollgate.api.store.StoreUnavailableException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Signs a checkpoint of the audit chain's head periodically, when the head has moved since the last
 * one. With several instances on one store each signs with its own key; any of them lets {@code
 * verify} detect truncation and rewriting before its checkpoints.
 */
public final class Checkpointer implements AutoCloseable {
  private final AuditLog log;
  private final AuditSigner signer;
  private final InstantSource clock;
  private final ScheduledExecutorService timer;

  private Checkpointer(AuditLog log, AuditSigner signer, InstantSource clock, Duration every) {
    this.log = log;
    this.signer = signer;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tollgate-checkpointer");
              t.setDaemon(true);
              return t;
            });
    long millis = every.toMillis();
    timer.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Starts checkpointing {@code log} every {@code every}. */
  public static Checkpointer start(
      AuditLog log, AuditSigner signer, InstantSource clock, Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("the checkpoint interval must be positive");
    }
    return new Checkpointer(log, signer, clock, every);
  }

  /**
   * Signs a checkpoint of the head now, unless the last checkpoint already covers it.
   *
   * @return the new checkpoint, if one was made
   * @throws StoreUnavailableException when the store cannot be reached
   */
  public Optional<Checkpoint> checkpointNow() {
    Optional<AuditRecord> head = log.head();
    if (head.isEmpty()) {
      return Optional.empty();
    }
    List<Checkpoint> existing = log.checkpoints();
    if (!existing.isEmpty() && existing.getLast().seq() >= head.get().seq()) {
      return Optional.empty();
    }
    Checkpoint c = signer.sign(head.get().seq(), head.get().hash(), clock.instant());
    log.addCheckpoint(c);
    return Optional.of(c);
  }

  private void tick() {
    try {
      checkpointNow();
    } catch (StoreUnavailableException e) {
      // The next tick tries again; the chain itself is intact, only the checkpoint is late.
      return;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
