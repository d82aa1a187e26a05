package dev.tollgate.benchmarks.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the rows {@link LoadTest} wrote as Markdown: one table of every phase, one of the ratios
 * decide / noop (same store, same mode, same run), and the targets. A store named {@code
 * postgres x2} is two servers on one PostgreSQL database ({@code LoadTest --servers 2}).
 *
 * <p>Usage: {@code LoadReport results.tsv}
 */
public final class LoadReport {
  private LoadReport() {}

  private static final double TARGET_THROUGHPUT = 10_000;
  private static final double TARGET_TWO_SERVER_THROUGHPUT = 5_000;
  private static final double TARGET_P99_MS = 5;

  public static void main(String[] args) throws Exception {
    List<Map<String, String>> rows = new ArrayList<>();
    List<String> lines = Files.readAllLines(Path.of(args[0]));
    String[] header = lines.get(0).split("\t", -1);
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split("\t", -1);
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.length; i++) {
        row.put(header[i], i < cells.length ? cells[i] : "");
      }
      if (!row.get("store").equals("store")) {
        rows.add(row);
      }
    }

    System.out.println(
        "| store | endpoint | mode | throughput req/s | p50 ms | p99 ms | p99.9 ms | max ms"
            + " | errors | server CPU µs/req | client late p99 ms | load |");
    System.out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Map<String, String> r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s |%n",
          r.get("store"),
          r.get("endpoint"),
          r.get("mode"),
          Double.parseDouble(r.get("throughput")),
          r.get("p50_ms"),
          r.get("p99_ms"),
          r.get("p999_ms"),
          r.get("max_ms"),
          r.get("errors"),
          r.get("server_cpu_us_per_req"),
          r.get("send_late_p99_ms").isEmpty() ? "n/a" : r.get("send_late_p99_ms"),
          r.get("load"));
    }

    System.out.println();
    System.out.println(
        "| store | mode | throughput decide / noop | p50 decide / noop | p99 decide / noop"
            + " | server CPU decide / noop |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    List<String> verdicts = new ArrayList<>();
    for (Map<String, String> d : rows) {
      if (!d.get("endpoint").equals("decide")) {
        continue;
      }
      Map<String, String> n = null;
      for (Map<String, String> r : rows) {
        if (r.get("endpoint").equals("noop")
            && r.get("store").equals(d.get("store"))
            && r.get("mode").equals(d.get("mode"))) {
          n = r;
        }
      }
      if (n == null) {
        continue;
      }
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %.2f | %.2fx | %.2fx | %.2fx |%n",
          d.get("store"),
          d.get("mode"),
          ratio(d, n, "throughput"),
          ratio(d, n, "p50_ms"),
          ratio(d, n, "p99_ms"),
          ratio(d, n, "server_cpu_us_per_req"));
      double throughput = Double.parseDouble(d.get("throughput"));
      double p99 = Double.parseDouble(d.get("p99_ms"));
      if (d.get("mode").equals("saturation") && d.get("store").equals("sqlite")) {
        verdicts.add(
            String.format(
                Locale.ROOT,
                "- >= 10,000 decisions/s with durable audit on SQLite: %,.0f/s, %s",
                throughput,
                throughput >= TARGET_THROUGHPUT ? "met" : "not met"));
      }
      if (d.get("mode").equals("saturation") && d.get("store").equals("postgres x2")) {
        verdicts.add(
            String.format(
                Locale.ROOT,
                "- >= 5,000 decisions/s with two servers on one PostgreSQL: %,.0f/s, %s",
                throughput,
                throughput >= TARGET_TWO_SERVER_THROUGHPUT ? "met" : "not met"));
      }
      if (d.get("mode").startsWith("fixed")) {
        verdicts.add(
            String.format(
                Locale.ROOT,
                "- decide p99 under 5 ms at %s on %s: %.3f ms, %s",
                d.get("mode").substring("fixed ".length()),
                d.get("store"),
                p99,
                p99 < TARGET_P99_MS ? "met" : "not met"));
      }
    }
    System.out.println();
    verdicts.forEach(System.out::println);
  }

  private static double ratio(Map<String, String> a, Map<String, String> b, String column) {
    return Double.parseDouble(a.get(column)) / Double.parseDouble(b.get(column));
  }
}
