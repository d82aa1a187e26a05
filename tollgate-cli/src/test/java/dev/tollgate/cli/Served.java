package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * {@code tollgate serve} started in this process as the CLI starts it (its options parsed by
 * picocli), on a free port with the invoice example's policies, and what it printed while starting.
 * The serve tests' one way to start it; close {@link #running} to stop it.
 *
 * @param running the started server, or null when {@code serve} refused to start
 */
record Served(ServeCommand.Running running, String out, String err) {
  static final Path INVOICE_EXAMPLE = Path.of("..", "examples", "invoice-vendor-mail");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** {@code serve}'s options for a free port, {@code data} and the invoice example, then more. */
  static List<String> options(Path data, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--port",
                "0",
                "--data",
                data.toString(),
                "--policies",
                INVOICE_EXAMPLE.toString()));
    args.addAll(List.of(more));
    return args;
  }

  /**
   * Starts {@code serve} on {@code data} with {@link #options} and more, signing checkpoints only
   * hourly (so that none is written while a test runs); fails the test if it does not start.
   */
  static Served start(Path data, String... more) throws Exception {
    Served s = tryStart(data, more);
    assertNotNull(s.running(), s.err());
    return s;
  }

  /** As {@link #start}, but {@link #running} is null when {@code serve} refuses to start. */
  static Served tryStart(Path data, String... more) throws Exception {
    List<String> args = options(data, "--checkpoint-every", "1h");
    args.addAll(List.of(more));
    return tryStart(args);
  }

  /** Starts {@code serve} with exactly these options; {@link #running} is null if it refused. */
  static Served tryStart(List<String> args) throws Exception {
    return tryStart(args, java.time.InstantSource.system());
  }

  /** As {@link #start}, on {@code clock}. */
  static Served start(Path data, java.time.InstantSource clock) throws Exception {
    Served s = tryStart(options(data, "--checkpoint-every", "1h"), clock);
    assertNotNull(s.running(), s.err());
    return s;
  }

  private static Served tryStart(List<String> args, java.time.InstantSource clock)
      throws Exception {
    ServeCommand serve = new ServeCommand();
    serve.clock = clock;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(serve);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.parseArgs(args.toArray(String[]::new));
    ServeCommand.Running running = serve.start();
    return new Served(running, out.toString(), err.toString());
  }

  /** A GET with {@code token} as its bearer, or without Authorization if it is null. */
  static HttpResponse<String> get(URI base, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
