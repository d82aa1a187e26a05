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
      String type = response.getContentType();
      if (type == null || !type.startsWith("text/event-stream")) {
        return; // not (yet) a stream: nothing may be written to it
      }
      PrintWriter writer = response.getWriter();
      writer.write(":\n");
      writer.flush();
      if (writer.checkError() && !done.get()) {
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

  /** A response whose one writer is shared by the server's writes and the beats. */
  private static final class Shared extends HttpServletResponseWrapper {
    private PrintWriter writer;

    Shared(HttpServletResponse response) {
      super(response);
    }

    @Override
    public synchronized PrintWriter getWriter() throws IOException {
      if (writer == null) {
        // PrintWriter's methods hold its lock: a beat never lands inside another write
        writer = new PrintWriter(super.getWriter(), false);
      }
      return writer;
    }
  }
}
