package dev.tollgate.server.console;

import dev.tollgate.engine.Approvals;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Server-sent events for the approvals inbox: one {@code approval} event per approval or grant
 * event, with data {@code <type> <approval id>}; a comment every 15 seconds keeps the stream open.
 * Publishing never blocks the thread that caused the event.
 */
final class Events implements AutoCloseable {
  private static final String CLOSE = "\0close";
  private final Set<BlockingQueue<String>> streams = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  void publish(Approvals.Event e) {
    String id = e.approval() != null ? e.approval().id() : e.grant() != null ? e.grant().id() : "";
    String data = e.type().wireName() + " " + id.replaceAll("[\\r\\n]", "");
    for (BlockingQueue<String> q : streams) {
      q.offer(data);
    }
  }

  void stream(Exchange ex) throws IOException {
    Web.securityHeaders(ex);
    ex.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    ex.send(200, 0);
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(256);
    streams.add(queue);
    try (OutputStream out = ex.responseBody()) {
      write(out, "retry: 2000\n: connected\n\n");
      while (!closed) {
        String event = queue.poll(15, TimeUnit.SECONDS);
        if (closed || CLOSE.equals(event)) {
          break;
        }
        write(out, event == null ? ": ping\n\n" : "event: approval\ndata: " + event + "\n\n");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The browser closed the page or lost the connection: that is how a stream ends.
    } finally {
      streams.remove(queue);
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() {
    closed = true;
    for (BlockingQueue<String> q : streams) {
      q.offer(CLOSE);
    }
  }
}
