package dev.tollgate.cli;

import dev.tollgate.api.store.Store;
import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToIntFunction;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the store is, for every command that opens one: the embedded store's data directory, or a
 * PostgreSQL URL with its user and the environment variable that holds its password. Each option
 * may also come from the environment ({@code TOLLGATE_DATA}, {@code TOLLGATE_JDBC_URL}, {@code
 * TOLLGATE_JDBC_USER}; the password from {@code TOLLGATE_JDBC_PASSWORD} unless {@code
 * --password-env} names another variable), so that a container sets them once for {@code serve} and
 * for the commands run beside it.
 */
final class StoreOptions {
  @Option(
      names = "--data",
      defaultValue = "${env:TOLLGATE_DATA:-tollgate-data}",
      paramLabel = "DIR",
      description =
          "The data directory: the embedded store (unless --jdbc) and the server's keys; kept"
              + " owner-only (default ${DEFAULT-VALUE}; env TOLLGATE_DATA).")
  Path data;

  @Option(
      names = "--jdbc",
      defaultValue = "${env:TOLLGATE_JDBC_URL}",
      paramLabel = "URL",
      description =
          "A PostgreSQL JDBC URL (jdbc:postgresql://host/db) instead of the embedded store"
              + " (env TOLLGATE_JDBC_URL).")
  String jdbc;

  @Option(
      names = "--user",
      defaultValue = "${env:TOLLGATE_JDBC_USER}",
      paramLabel = "NAME",
      description = "The PostgreSQL user (env TOLLGATE_JDBC_USER).")
  String user;

  @Option(
      names = "--password-env",
      defaultValue = "TOLLGATE_JDBC_PASSWORD",
      paramLabel = "VAR",
      description =
          "The environment variable holding the PostgreSQL password (default ${DEFAULT-VALUE})."
              + " A password is never an option: options show in the process list.")
  String passwordEnv;

  /**
   * Whether the store is PostgreSQL rather than the embedded one. A variable set to the empty
   * string counts as not set, as compose files and service managers leave them.
   */
  boolean postgres() {
    return jdbc != null && !jdbc.isBlank();
  }

  /** The store's configuration (the PostgreSQL password read from the environment). */
  StoreConfig config() {
    return postgres()
        ? StoreConfig.postgres(
            jdbc, user == null || user.isBlank() ? null : user, System.getenv(passwordEnv))
        : StoreConfig.sqlite(data);
  }

  /**
   * Opens the store, creating the embedded one (in an owner-only data directory) when it is not
   * there yet; an existing data directory with looser modes is tightened first ({@link
   * DataDirectory}).
   */
  Store open(PrintWriter err) throws Inputs.UsageException {
    if (!postgres()) {
      DataDirectory.secure(data, err);
    }
    return JdbcStore.open(config());
  }

  /** Opens a store that must exist already: a missing embedded store is a usage error. */
  Store openExisting(PrintWriter err) throws Inputs.UsageException {
    if (!postgres() && !Files.isRegularFile(data.resolve(StoreConfig.SQLITE_FILE))) {
      throw new Inputs.UsageException(
          "no store in `"
              + data
              + "`: pass the server's --data directory, or --jdbc for PostgreSQL");
    }
    return open(err);
  }

  /**
   * Opens the existing store, runs {@code body} with it and closes it; a store that is not there is
   * a usage error (printed, exit 3).
   */
  int run(CommandLine.Model.CommandSpec spec, ToIntFunction<Store> body) {
    try (Store store = openExisting(spec.commandLine().getErr())) {
      return body.applyAsInt(store);
    } catch (Inputs.UsageException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return Exit.ERROR;
    }
  }

  /** Like {@link #run}, creating the store when it is not there yet. */
  int create(CommandLine.Model.CommandSpec spec, ToIntFunction<Store> body) {
    try (Store store = open(spec.commandLine().getErr())) {
      return body.applyAsInt(store);
    } catch (Inputs.UsageException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return Exit.ERROR;
    }
  }
}
