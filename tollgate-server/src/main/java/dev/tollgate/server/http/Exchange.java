package dev.tollgate.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP request and its answer, read and written with blocking streams on the request's own
 * virtual thread. The routes of the API and the console see only this, not the HTTP server behind
 * it.
 *
 * <p>An answer starts with {@link #send}: the status and the body's length ({@code -1} for none,
 * {@code 0} for a stream of unknown length); the body then goes to {@link #responseBody()}. {@link
 * #close} completes the exchange; closing one that never answered answers 500, so that no request
 * is left without a reply.
 */
public final class Exchange implements AutoCloseable {
  private final Request request;
  private final Response response;
  private final Callback callback;
  private InputStream in;
  private OutputStream out;
  private boolean sent;
  private boolean closed;

  private final long minBodyBytesPerSecond;

  Exchange(Request request, Response response, Callback callback, long minBodyBytesPerSecond) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.minBodyBytesPerSecond = minBodyBytesPerSecond;
  }

  public String method() {
    return request.getMethod();
  }

  /** The path, percent-decoded. */
  public String path() {
    String path = request.getHttpURI().getDecodedPath();
    return path == null ? "/" : path;
  }

  /** The query as sent (still percent-encoded), or {@code null}. */
  public String rawQuery() {
    return request.getHttpURI().getQuery();
  }

  /** The first value of a request header, or {@code null}. */
  public String header(String name) {
    return request.getHeaders().get(name);
  }

  /** Every value of a request header (one entry per header line). */
  public List<String> headers(String name) {
    return request.getHeaders().getValuesList(name);
  }

  /** Whether the request came over TLS. */
  public boolean secure() {
    return request.isSecure();
  }

  /** The client's IP address, or {@code null}. */
  public String remoteAddress() {
    SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
    return remote instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : null;
  }

  /** The declared body length, or {@code -1} when the client did not declare one. */
  public long declaredLength() {
    return request.getLength();
  }

  /**
   * The request body. Reading it fails with an {@link IOException} caused by a {@link
   * java.util.concurrent.TimeoutException} when it arrives slower than the minimum rate.
   */
  public InputStream requestBody() {
    if (in == null) {
      in = new MinimumRate(Content.Source.asInputStream(request), minBodyBytesPerSecond);
    }
    return in;
  }

  /**
   * Fails a body that arrives slower than a minimum rate, averaged since its first read, once a
   * second of grace has passed: a client dripping a byte at a time cannot hold a request (and its
   * thread) open for minutes. A client that sends nothing at all meets the idle timeout instead.
   */
  private static final class MinimumRate extends java.io.FilterInputStream {
    private static final long GRACE_NANOS = 1_000_000_000L;
    private final long minPerSecond;
    private long start = -1;
    private long bytes;

    MinimumRate(InputStream in, long minPerSecond) {
      super(in);
      this.minPerSecond = minPerSecond;
    }

    @Override
    public int read() throws IOException {
      begin();
      int b = super.read();
      counted(b < 0 ? 0 : 1);
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      begin();
      int n = super.read(buf, off, len);
      counted(Math.max(0, n));
      return n;
    }

    private void begin() {
      if (start < 0) {
        start = System.nanoTime();
      }
    }

    private void counted(int n) throws IOException {
      bytes += n;
      long elapsed = System.nanoTime() - start;
      if (minPerSecond > 0
          && elapsed > GRACE_NANOS
          && bytes * 1_000_000_000L / elapsed < minPerSecond) {
        throw new IOException(
            "the request body arrived slower than " + minPerSecond + " bytes/s",
            new java.util.concurrent.TimeoutException("body too slow"));
      }
    }
  }

  /** Sets a response header, replacing any earlier value. */
  public void setHeader(String name, String value) {
    response.getHeaders().put(name, value);
  }

  /** Adds a response header line (for headers such as {@code Set-Cookie} that repeat). */
  public void addHeader(String name, String value) {
    response.getHeaders().add(name, value);
  }

  /** Whether an answer has been started. */
  public boolean answered() {
    return sent;
  }

  /**
   * Starts the answer.
   *
   * @param length the body's length in bytes, {@code -1} for no body, {@code 0} for a stream
   */
  public void send(int status, long length) throws IOException {
    if (sent) {
      throw new IllegalStateException("the answer has already been started");
    }
    sent = true;
    response.setStatus(status);
    if (length > 0) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    } else if (length < 0) {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
    }
  }

  public OutputStream responseBody() {
    if (!sent) {
      throw new IllegalStateException("send the status before the body");
    }
    if (out == null) {
      out = Content.Sink.asOutputStream(response);
    }
    return out;
  }

  /** Asks the client to close the connection after this answer. */
  public void closeConnection() {
    response.getHeaders().put(new HttpField(HttpHeader.CONNECTION, "close"));
  }

  /**
   * Gives up on the exchange without an answer: the connection broke, and the server closes it
   * rather than answer into it.
   */
  public void abort(Throwable cause) {
    if (closed) {
      return;
    }
    closed = true;
    callback.failed(cause);
  }

  /** The underlying request, for the server's own bookkeeping (never for routes). */
  Request request() {
    return request;
  }

  /**
   * Completes the exchange: flushes the body, or answers 500 if nothing was answered. Never throws;
   * a connection that broke is failed so that the server closes it.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!sent) {
        sent = true;
        response.setStatus(500);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
      }
      if (out == null) {
        out = Content.Sink.asOutputStream(response);
      }
      out.close();
      if (in != null) {
        in.close();
      }
      callback.succeeded();
    } catch (IOException | RuntimeException e) {
      callback.failed(e);
    }
  }
}
