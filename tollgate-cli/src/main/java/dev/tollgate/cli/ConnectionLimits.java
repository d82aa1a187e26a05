package dev.tollgate.cli;

import dev.tollgate.server.http.HttpListener;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * What one connection may cost {@code serve}: how long its headers and its idleness may take, how
 * slowly its body may arrive, how many connections may be open and how long a stop waits for them.
 * Each option may also come from the environment variable its description names.
 */
final class ConnectionLimits {
  @Option(
      names = "--header-timeout",
      defaultValue = "${env:TOLLGATE_HEADER_TIMEOUT:-10s}",
      paramLabel = "DURATION",
      converter = DurationOption.class,
      description =
          "How long a client may take to send a request's headers (default ${DEFAULT-VALUE};"
              + " env TOLLGATE_HEADER_TIMEOUT).")
  Duration headerTimeout;

  @Option(
      names = "--idle-timeout",
      defaultValue = "${env:TOLLGATE_IDLE_TIMEOUT:-30s}",
      paramLabel = "DURATION",
      converter = DurationOption.class,
      description =
          "How long a connection may stay open without a byte moving (default"
              + " ${DEFAULT-VALUE}; env TOLLGATE_IDLE_TIMEOUT).")
  Duration idleTimeout;

  @Option(
      names = "--min-body-rate",
      defaultValue = "${env:TOLLGATE_MIN_BODY_RATE:-1024}",
      paramLabel = "BYTES_PER_SECOND",
      description =
          "The slowest a request body may arrive; slower ones are cut off, 0 allows any rate"
              + " (default ${DEFAULT-VALUE}; env TOLLGATE_MIN_BODY_RATE).")
  long minBodyRate;

  @Option(
      names = "--max-connections",
      defaultValue = "${env:TOLLGATE_MAX_CONNECTIONS}",
      paramLabel = "N",
      description =
          "Connections open at once; past them a connection is answered 503 overloaded (default:"
              + " what the process's file descriptor limit leaves room for, at most 10000; env"
              + " TOLLGATE_MAX_CONNECTIONS).")
  String maxConnections;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "${env:TOLLGATE_SHUTDOWN_GRACE:-10s}",
      paramLabel = "DURATION",
      converter = DurationOption.class,
      description =
          "At a stop, how long requests in flight may take to finish (default ${DEFAULT-VALUE};"
              + " env TOLLGATE_SHUTDOWN_GRACE).")
  Duration shutdownGrace;

  /** The limits, checked: a wrong one is a usage error naming the option and its variable. */
  HttpListener.Limits limits() throws Inputs.UsageException {
    int cap;
    if (maxConnections == null || maxConnections.isBlank()) {
      cap = HttpListener.Limits.defaults().maxConnections();
    } else {
      try {
        cap = Integer.parseInt(maxConnections.strip());
      } catch (NumberFormatException e) {
        cap = 0;
      }
      if (cap < 1) {
        throw ServeCommand.invalid(
            "--max-connections", maxConnections, "give a whole number of at least 1");
      }
    }
    if (minBodyRate < 0) {
      throw ServeCommand.invalid(
          "--min-body-rate", minBodyRate, "give bytes per second, 0 or more");
    }
    return new HttpListener.Limits(headerTimeout, idleTimeout, minBodyRate, cap, shutdownGrace);
  }
}
