package dev.tollgate.spring.boot;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.engine.Approvals;
import dev.tollgate.springai.ApprovalWait;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits on the in-process engine's approvals, woken by every approval event (no polling). */
final class EngineApprovals implements ApprovalWait {
  private final Approvals approvals;
  private final Object lock = new Object();
  private long events;

  EngineApprovals(Approvals approvals) {
    this.approvals = approvals;
    approvals.subscribe(
        e -> {
          synchronized (lock) {
            events++;
            lock.notifyAll();
          }
        });
  }

  @Override
  public ApprovalStatus await(String id, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      long seen;
      synchronized (lock) {
        seen = events;
      }
      ApprovalStatus status =
          approvals.get(id).map(ApprovalRecord::status).orElse(ApprovalStatus.EXPIRED);
      long left = end - System.nanoTime();
      if (status != ApprovalStatus.PENDING || left <= 0) {
        return status;
      }
      synchronized (lock) {
        // an event since the status was read: read it again at once
        if (events == seen) {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      }
    }
  }
}
