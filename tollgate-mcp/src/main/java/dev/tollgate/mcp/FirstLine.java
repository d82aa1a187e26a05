package dev.tollgate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;

/**
 * A stdio client's first line, read before the gateway chooses its server: a client of the
 * session-based revisions opens with {@code initialize}; one of the stateless revision 2026-07-28
 * sends no handshake, and its first request carries the protocol version in {@code _meta}. The line
 * is given back at the head of the input, for the chosen server to read.
 *
 * @param input the client's input, the first line included
 * @param stateless whether the client speaks the stateless revision
 */
record FirstLine(InputStream input, boolean stateless) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VERSION_META = "io.modelcontextprotocol/protocolVersion";

  /** Reads the first line (at most {@link LineGuard#MAX_LINE} bytes of it). */
  static FirstLine read(InputStream in) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      int b;
      while (line.size() <= LineGuard.MAX_LINE && (b = in.read()) >= 0) {
        line.write(b);
        if (b == '\n') {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the client's first line", e);
    }
    byte[] bytes = line.toByteArray();
    return new FirstLine(
        new SequenceInputStream(new ByteArrayInputStream(bytes), in), stateless(bytes));
  }

  private static boolean stateless(byte[] line) {
    try {
      JsonNode n = JSON.readTree(line);
      if (n == null || !n.isObject() || "initialize".equals(n.path("method").asText())) {
        return false;
      }
      return n.path("params").path("_meta").has(VERSION_META);
    } catch (IOException | RuntimeException e) {
      // not JSON: the session-based server's guard answers it
      return false;
    }
  }
}
