package dev.tollgate.mcp;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notices a client over HTTP that went away while its call is in flight (it crashed, or its network
 * dropped, without a cancellation or a {@code DELETE}): the servlet container says nothing of a
 * connection until something is written to it, and a call held for a person may write nothing for
 * an hour. So while the call runs, an SSE comment line ({@code :}) is written to its answer's
 * stream every {@link #every}; when a write fails, the client is gone and the call is cancelled. A
 * comment line is ignored by every SSE reader, also between the lines of an event: the server's own
 * writes and these share one writer, each write whole lines.
 */
final class Heartbeat implements AutoCloseable {
  /** How often a call's stream is written to while it runs; tests shorten it. */
  static volatile Duration every = Duration.ofSeconds(5);

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("tollgate-mcp-heartbeat").factory());

  private final Shared response;
  private final ScheduledFuture<?> beats;
  private final AtomicBoolean done = new AtomicBoolean();
  private final AtomicBoolean beating = new AtomicBoolean();

  private Heartbeat(HttpServletResponse response, Runnable gone) {
    this.response = new Shared(response);
    long period = every.toNanos();
    this.beats =
        TIMER.scheduleAtFixedRate(
            // a beat may block on a client that does not read: never on the timer's thread
            () -> Thread.ofVirtual().start(() -> beat(gone)), period, period, TimeUnit.NANOSECONDS);
  }

  /** Starts beating on {@code response}'s stream; {@code gone} runs once if a beat fails. */
  static Heartbeat start(HttpServletResponse response, Runnable gone) {
    return new Heartbeat(response, gone);
  }

  /** The response to hand on, whose writer the beats share. */
  HttpServletResponse response() {
    return response;
  }

  private void beat(Runnable gone) {
    if (done.get() || !beating.compareAndSet(false, true)) {
      return;
    }
    try {
      if (!response.beat() && !done.get()) {
        close();
        gone.run();
      }
    } catch (IOException | RuntimeException e) {
      // the response is complete or broken: a broken one is the client's going away
      if (!done.get()) {
        close();
        gone.run();
      }
    } finally {
      beating.set(false);
    }
  }

  /** The call was answered: no more beats. */
  @Override
  public void close() {
    done.set(true);
    beats.cancel(false);
  }

  /**
   * A response whose one writer, and its flushes, are shared by the server's writes and the beats,
   * under one lock: a beat never lands inside another write, nor while the server commits the
   * stream's headers. Beats start only once the server has flushed the stream (its headers are
   * out): before, a beat could commit the response without them.
   */
  private static final class Shared extends HttpServletResponseWrapper {
    private final Object lock = new Object();
    private volatile boolean streaming;
    private PrintWriter writer;

    Shared(HttpServletResponse response) {
      super(response);
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      synchronized (lock) {
        if (writer == null) {
          writer = new SharedWriter(super.getWriter(), lock, () -> streaming = true);
        }
        return writer;
      }
    }

    @Override
    public void flushBuffer() throws IOException {
      synchronized (lock) {
        super.flushBuffer();
      }
      streaming = true;
    }

    /** Writes a comment line once the stream has begun; false when the client is gone. */
    boolean beat() throws IOException {
      if (!streaming) {
        return true;
      }
      synchronized (lock) {
        String type = getContentType();
        if (type == null || !type.startsWith("text/event-stream")) {
          return true; // an answer that is not a stream (an error's JSON): nothing may be added
        }
        PrintWriter w = getWriter();
        w.write(":\n");
        w.flush();
        return !w.checkError();
      }
    }
  }

  /** A writer whose every write and flush holds the response's lock; a flush starts the stream. */
  private static final class SharedWriter extends PrintWriter {
    private final Runnable flushed;

    SharedWriter(PrintWriter out, Object lock, Runnable flushed) {
      super(out, false);
      this.lock = lock; // PrintWriter's methods hold this.lock
      this.flushed = flushed;
    }

    @Override
    public void flush() {
      super.flush();
      flushed.run();
    }
  }
}
