package dev.tollgate.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Stands between the client's stdio and the SDK's transport, which stops reading for good at the
 * first line it cannot parse (every later request then goes unanswered): a line that is not JSON,
 * or not a JSON-RPC message, is answered here with a JSON-RPC error that says what is wrong (-32700
 * or -32600, with the id when there is one), and the session goes on. Writes to the client leave as
 * whole lines, so that an answer from here never lands inside one from the SDK.
 */
final class LineGuard {
  static final int MAX_LINE = 16 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OutputStream client;
  private final PrintStream log;
  private final io.modelcontextprotocol.json.McpJsonMapper mapper;
  private final java.util.function.Consumer<String> cancels;

  private LineGuard(
      OutputStream client,
      PrintStream log,
      io.modelcontextprotocol.json.McpJsonMapper mapper,
      java.util.function.Consumer<String> cancels) {
    this.client = client;
    this.log = log;
    this.mapper = mapper;
    this.cancels = cancels;
  }

  /** The output the SDK writes to: passed to {@code out} a whole line at a time. */
  static OutputStream lines(OutputStream out) {
    return new WholeLines(out);
  }

  /**
   * The input the SDK reads: the valid lines of {@code in}; the others are answered on {@code out},
   * the client's own stream (the one {@link #lines} wraps: both write under its lock). The SDK's
   * server does not follow cancellation, so it is followed here: a {@code tools/call} gets its
   * JSON-RPC id in its {@code _meta} ({@link InFlight#CALL_KEY}), and a {@code
   * notifications/cancelled} tells {@code cancels} the id it names (as JSON text both times).
   */
  static InputStream guard(
      InputStream in,
      OutputStream out,
      PrintStream log,
      io.modelcontextprotocol.json.McpJsonMapper mapper,
      java.util.function.Consumer<String> cancels) {
    LineGuard g = new LineGuard(out, log, mapper, cancels);
    BoundedLines lines =
        new BoundedLines(new InputStreamReader(in, StandardCharsets.UTF_8), MAX_LINE);
    // read on the SDK's own reading thread, a line at a time: no thread or pipe in between
    return new InputStream() {
      private byte[] line = new byte[0];
      private int at;

      @Override
      public int read() throws IOException {
        return fill() ? line[at++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (!fill()) {
          return -1;
        }
        int n = Math.min(len, line.length - at);
        System.arraycopy(line, at, b, off, n);
        at += n;
        return n;
      }

      /** The next valid line, answering the others; false at the end of the input. */
      private boolean fill() throws IOException {
        while (at >= line.length) {
          Line read = lines.next();
          if (read == null) {
            return false;
          }
          if (read.tooLong()) {
            g.tooLong();
            continue;
          }
          String next = read.text();
          if (next.isBlank()) {
            continue;
          }
          JsonNode parsed = parse(next);
          String problem = g.problem(next, parsed);
          if (problem != null) {
            g.answer(next, problem);
            continue;
          }
          line = (g.followed(next, parsed) + "\n").getBytes(StandardCharsets.UTF_8);
          at = 0;
        }
        return true;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  /** A line read, without its end; or, {@code tooLong}, one that was dropped as it came. */
  record Line(String text, boolean tooLong) {}

  /**
   * A client's lines, each at most {@code max} characters: a longer one is read to its end and
   * dropped as it comes, so that a client that never ends a line cannot fill the gateway's memory.
   */
  static final class BoundedLines {
    private final java.io.Reader in;
    private final int max;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int end;

    BoundedLines(java.io.Reader in, int max) {
      this.in = in;
      this.max = max;
    }

    /** The next line, or {@code null} at the end of the input. */
    Line next() throws IOException {
      StringBuilder b = new StringBuilder();
      boolean tooLong = false;
      boolean any = false;
      while (true) {
        if (pos >= end) {
          end = in.read(buf, 0, buf.length);
          pos = 0;
          if (end < 0) {
            end = 0;
            return any ? line(b, tooLong) : null;
          }
        }
        any = true;
        int newline = pos;
        while (newline < end && buf[newline] != '\n') {
          newline++;
        }
        int length = newline - pos;
        if (!tooLong && b.length() + length > max) {
          tooLong = true;
          b = new StringBuilder();
        }
        if (!tooLong) {
          b.append(buf, pos, length);
        }
        pos = newline;
        if (newline < end) {
          pos++;
          return line(b, tooLong);
        }
      }
    }

    private static Line line(StringBuilder b, boolean tooLong) {
      if (tooLong) {
        return new Line("", true);
      }
      int n = b.length();
      return new Line(
          n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString(), false);
    }
  }

  /** Answers a line that was too long to read: its id is unknown. */
  private void tooLong() throws IOException {
    reply(null, -32600, "Invalid Request: ", "a message over " + MAX_LINE + " characters");
  }

  /** A valid line, a tools/call stamped with its id, a cancellation told (see {@link #guard}). */
  private String followed(String line, JsonNode n) throws IOException {
    String method = n.path("method").asText("");
    JsonNode id = n.get("id");
    if (method.equals("tools/call")
        && id != null
        && n.get("params") instanceof com.fasterxml.jackson.databind.node.ObjectNode params) {
      JsonNode meta = params.get("_meta");
      if (meta == null || meta.isNull()) {
        meta = params.putObject("_meta");
      }
      if (meta instanceof com.fasterxml.jackson.databind.node.ObjectNode stamped) {
        stamped.put(InFlight.CALL_KEY, id.toString());
        return JSON.writeValueAsString(n);
      }
    } else if (method.equals("notifications/cancelled")
        && n.path("params").hasNonNull("requestId")) {
      cancels.accept(n.path("params").get("requestId").toString());
    }
    return line;
  }

  /** The line as JSON, or {@code null} when it is not JSON. */
  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * What is wrong with a line ({@code n}: the line parsed, {@code null} when it is not JSON), or
   * {@code null} when it is a JSON-RPC message the SDK reads (its reader stops for good at the
   * first one it cannot).
   */
  private String problem(String line, JsonNode n) {
    if (n == null) {
      return "not JSON";
    }
    if (!n.isObject()) {
      return "a JSON-RPC message is a JSON object (batches are not part of MCP)";
    }
    if (!"2.0".equals(n.path("jsonrpc").asText(null))) {
      return "`jsonrpc` must be \"2.0\"";
    }
    boolean request = n.hasNonNull("method");
    boolean response = n.has("id") && (n.has("result") || n.has("error"));
    if (request && !n.get("method").isTextual()) {
      return "`method` must be a string";
    }
    if (!request && !response) {
      return "neither a request or notification (`method`) nor a response (`id` with `result`"
          + " or `error`)";
    }
    JsonNode id = n.get("id");
    if (id != null && !(id.isTextual() || id.isIntegralNumber())) {
      return "`id` must be a string or an integer";
    }
    try {
      io.modelcontextprotocol.spec.McpSchema.deserializeJsonRpcMessage(mapper, line);
    } catch (IOException | RuntimeException e) {
      return "not a JSON-RPC message the gateway can read (" + e.getClass().getSimpleName() + ")";
    }
    return null;
  }

  private void answer(String line, String problem) throws IOException {
    boolean json = !problem.equals("not JSON");
    JsonNode id = null;
    if (json) {
      try {
        JsonNode n = JSON.readTree(line);
        id = n.isObject() ? n.get("id") : null;
      } catch (IOException ignored) {
        // not reached: it parsed above
      }
    }
    reply(
        id != null && (id.isTextual() || id.isIntegralNumber()) ? id : null,
        json ? -32600 : -32700,
        json ? "Invalid Request: " : "Parse error: ",
        problem);
  }

  /** Writes a JSON-RPC error to the client, as a whole line, and says so on the log. */
  private void reply(JsonNode id, int code, String kind, String problem) throws IOException {
    ObjectNode error = JsonNodeFactory.instance.objectNode();
    error.put("jsonrpc", "2.0");
    if (id != null) {
      error.set("id", id);
    } else {
      error.putNull("id");
    }
    ObjectNode body = error.putObject("error");
    body.put("code", code);
    body.put("message", kind + problem + "; the gateway skipped this line and reads the next");
    log.println("tollgate mcp: a client line was refused: " + problem);
    synchronized (client) {
      client.write((JSON.writeValueAsString(error) + "\n").getBytes(StandardCharsets.UTF_8));
      client.flush();
    }
  }

  /** Passes bytes on a whole line at a time, under the stream's lock. */
  private static final class WholeLines extends OutputStream {
    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);

    WholeLines(OutputStream out) {
      this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      line.write(b);
      if (b == '\n') {
        emit();
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      int start = off;
      for (int i = off; i < off + len; i++) {
        if (b[i] == '\n') {
          line.write(b, start, i + 1 - start);
          emit();
          start = i + 1;
        }
      }
      line.write(b, start, off + len - start);
    }

    private void emit() throws IOException {
      synchronized (this) {
        synchronized (out) {
          line.writeTo(out);
          out.flush();
        }
        line.reset();
      }
    }

    @Override
    public void flush() {
      // lines leave whole, when they end
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
