package dev.tollgate.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection that sends prepared requests and reads whole answers: the
 * least work a client can do per request, so that the driver leaves the cores to the server. Not
 * thread-safe: one connection per worker.
 */
final class HttpConnection implements Closeable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] line = new byte[8192];
  private final byte[] skip = new byte[8192];

  HttpConnection(int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(30_000);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  /** A POST with {@code body}, ready to write as is. */
  static byte[] post(int port, String path, String token, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nAuthorization: Bearer "
            + token
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + b.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] r = new byte[h.length + b.length];
    System.arraycopy(h, 0, r, 0, h.length);
    System.arraycopy(b, 0, r, h.length, b.length);
    return r;
  }

  /** Sends {@code request} and reads the answer; returns its status, discards its body. */
  int exchange(byte[] request) throws IOException {
    return exchange(request, null);
  }

  /** Sends {@code request} and reads the answer into {@code body} when it is not null. */
  int exchange(byte[] request, ByteArrayOutputStream body) throws IOException {
    out.write(request);
    out.flush();
    String status = readLine();
    if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
      throw new IOException("bad status line `" + status + "`");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (String h = readLine(); !h.isEmpty(); h = readLine()) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        length = Long.parseLong(value);
      } else if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (long n = Long.parseLong(readLine().trim(), 16); n > 0; ) {
        read(n, body);
        readLine();
        n = Long.parseLong(readLine().trim(), 16);
      }
      readLine();
    } else if (length >= 0) {
      read(length, body);
    } else {
      throw new IOException("an answer with neither Content-Length nor chunked encoding");
    }
    return code;
  }

  private void read(long n, ByteArrayOutputStream body) throws IOException {
    while (n > 0) {
      int r = in.read(skip, 0, (int) Math.min(skip.length, n));
      if (r < 0) {
        throw new EOFException("the server closed the connection mid-answer");
      }
      if (body != null) {
        body.write(skip, 0, r);
      }
      n -= r;
    }
  }

  private String readLine() throws IOException {
    int n = 0;
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new EOFException("the server closed the connection");
      }
      if (n == line.length) {
        throw new IOException("a header line over " + line.length + " bytes");
      }
      line[n++] = (byte) c;
    }
    if (n > 0 && line[n - 1] == '\r') {
      n--;
    }
    return new String(line, 0, n, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
