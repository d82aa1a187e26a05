package dev.tollgate.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written by hand on a plain socket, for the tests that need what {@code java.net.http}
 * will not do: a request from a chosen source address, one dripped or left unfinished, a malformed
 * one, an event stream dropped mid-way. Public because the console and fuzz tests use it too.
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * Writes {@code text} (a request's head, whole or in part, exactly as given) in US-ASCII and
   * flushes.
   *
   * @return the socket's output stream, for a body or more of the head
   */
  public static OutputStream send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return out;
  }

  /** The answer as UTF-8 lines: the status line, the headers, a blank line, then the body. */
  public static BufferedReader lines(Socket socket) throws IOException {
    return new BufferedReader(
        new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
  }
}
