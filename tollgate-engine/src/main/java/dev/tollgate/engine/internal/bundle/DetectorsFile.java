package dev.tollgate.engine.internal.bundle;

import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.scan.Detectors;
import dev.tollgate.engine.internal.yaml.MapReader;
import dev.tollgate.engine.internal.yaml.Names;
import dev.tollgate.engine.internal.yaml.Y;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code detectors.yaml}: configured detectors (a regex, keywords or an exact-data file each)
 * and the built-in detectors to disable. Problems are reported like the rest of the loader; the
 * built-in detectors stand when the file has any.
 *
 * <pre>
 * detectors:
 *   - {name: employee-id, label: personal, regex: 'EMP-[0-9]{6}', anchors: ["EMP-"]}
 *   - {name: codenames, label: confidential, keywords: [bluebird, nightjar]}
 *   - {name: customer-ids, label: financial, exact: customer-ids.txt}
 * disable: [phone]
 * </pre>
 */
final class DetectorsFile {
  private static final Set<String> FILE_KEYS = Set.of("detectors", "disable");
  private static final Set<String> DETECTOR_KEYS =
      Set.of("name", "label", "description", "regex", "anchors", "keywords", "exact", "column");
  private static final List<String> KINDS = List.of("regex", "keywords", "exact");

  private DetectorsFile() {}

  static Detectors read(String file, Y root, Map<String, String> files, List<Problem> problems) {
    if (root == null) {
      return Detectors.builtIn();
    }
    Y.Map top = MapReader.asMap(root, "the detectors file", problems);
    if (top == null) {
      return Detectors.builtIn();
    }
    int before = problems.size();
    MapReader r = new MapReader(top, "the detectors file", problems, FILE_KEYS);
    Detectors.Builder builder = Detectors.builder();
    List<String> disabled = r.strings("disable");
    if (disabled != null) {
      Y.Seq seq = r.node("disable") instanceof Y.Seq s ? s : null;
      for (int i = 0; i < disabled.size(); i++) {
        String name = disabled.get(i);
        Y node = seq != null && i < seq.items().size() ? seq.items().get(i) : r.node("disable");
        if (!Detectors.BUILT_IN_NAMES.contains(name)) {
          String near = Names.nearest(name, Detectors.BUILT_IN_NAMES);
          r.problem(
              node,
              "unknown built-in detector `" + name + "` in `disable`",
              (near != null ? "did you mean `" + near + "`? " : "")
                  + "built-in detectors: "
                  + String.join(", ", Detectors.BUILT_IN_NAMES));
        } else {
          builder.disable(name);
        }
      }
    }
    Y.Seq list = r.list("detectors");
    Map<String, Y> seen = new HashMap<>();
    if (list != null) {
      for (Y item : list.items()) {
        Y.Map map = MapReader.asMap(item, "a detector", problems);
        if (map != null) {
          readDetector(file, map, files, builder, seen, problems);
        }
      }
    }
    if (problems.size() != before) {
      return Detectors.builtIn();
    }
    return builder.build();
  }

  private static void readDetector(
      String file,
      Y.Map map,
      Map<String, String> files,
      Detectors.Builder builder,
      Map<String, Y> seen,
      List<Problem> problems) {
    String what =
        map.get("name") instanceof Y.Scalar n && n.value() instanceof String text
            ? "detector `" + text + "`"
            : "a detector";
    MapReader r = new MapReader(map, what, problems, DETECTOR_KEYS);
    int before = problems.size();
    Y.Scalar nameNode = r.string("name", true);
    Y.Scalar labelNode = r.string("label", true);
    r.text("description", false);
    if (nameNode != null) {
      String name = (String) nameNode.value();
      if (!Names.isPolicyName(name)) {
        r.problem(
            nameNode,
            "invalid detector name `" + name + "`",
            "use lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit");
      }
      Y first = seen.putIfAbsent(name, nameNode);
      if (first != null) {
        r.problem(
            nameNode,
            "duplicate detector name `" + name + "`",
            "it is already used on line " + (first.line() + 1) + "; detector names must be unique");
      }
    }
    if (labelNode != null && !Names.isPolicyName((String) labelNode.value())) {
      r.problem(
          labelNode,
          "invalid label `" + labelNode.value() + "` in " + what,
          "use lower-case letters, digits, `.`, `_` and `-`, for example `financial`");
    }
    List<String> given = KINDS.stream().filter(k -> map.get(k) != null).toList();
    if (given.isEmpty()) {
      r.problem(
          map,
          what + " has none of `regex`, `keywords`, `exact`",
          "give a `regex`, a `keywords` list or an `exact` data file");
      return;
    }
    if (given.size() > 1) {
      r.problem(
          map.get(given.get(1)),
          what + " has both `" + given.get(0) + "` and `" + given.get(1) + "`",
          "give one of `regex`, `keywords`, `exact` per detector; split it into two detectors");
      return;
    }
    if (map.get("column") != null && !given.get(0).equals("exact")) {
      r.problem(
          map.get("column"),
          "`column` in " + what + ", which has no `exact` data file",
          "`column` picks the column of a `.csv` exact-data file: remove it");
    }
    if (map.get("anchors") != null && !given.get(0).equals("regex")) {
      r.problem(
          map.get("anchors"),
          "`anchors` in " + what + ", which has no `regex`",
          "anchors only narrow where a regex runs: remove them");
    }
    String name = nameNode == null ? null : (String) nameNode.value();
    String label = labelNode == null ? null : (String) labelNode.value();
    switch (given.get(0)) {
      case "regex" -> {
        Y.Scalar regexNode = r.string("regex", true);
        List<String> anchors = r.strings("anchors");
        if (regexNode == null) {
          return;
        }
        String regex = (String) regexNode.value();
        try {
          Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
          r.problem(
              regexNode,
              "invalid regex in "
                  + what
                  + ": "
                  + e.getDescription()
                  + " near index "
                  + e.getIndex(),
              "use Java regular expression syntax; quote the regex with single quotes in YAML");
          return;
        }
        if (anchors != null && anchors.stream().anyMatch(String::isBlank)) {
          r.problem(map.get("anchors"), "blank anchor in " + what, "remove the blank anchor");
          return;
        }
        if (problems.size() == before) {
          add(
              r,
              map,
              () -> builder.regex(name, label, regex, anchors == null ? List.of() : anchors));
        }
      }
      case "keywords" -> {
        List<String> keywords = r.strings("keywords");
        if (keywords == null) {
          return;
        }
        if (keywords.stream().allMatch(String::isBlank)) {
          r.problem(map.get("keywords"), "no keywords in " + what, "list at least one word");
          return;
        }
        if (problems.size() == before) {
          add(r, map, () -> builder.keywords(name, label, keywords));
        }
      }
      default -> {
        Y.Scalar exactNode = r.string("exact", true);
        Y.Scalar columnNode = r.string("column", false);
        if (exactNode == null) {
          return;
        }
        String data = (String) exactNode.value();
        String dir = file.contains("/") ? file.substring(0, file.lastIndexOf('/') + 1) : "";
        if (data.contains("/") || data.contains("\\") || !BundleLoader.isDataFile(data)) {
          r.problem(
              exactNode,
              "exact-data file `"
                  + data
                  + "` of "
                  + what
                  + " must be a `.txt` or `.csv` file beside detectors.yaml",
              "put the values, one per line, in a file in the bundle directory and give its name");
          return;
        }
        if (columnNode != null && !data.endsWith(".csv")) {
          r.problem(
              columnNode,
              "`column` in " + what + ", whose data file is not a `.csv` file",
              "remove `column`: a `.txt` file holds one value per line");
          return;
        }
        String text = files.get(dir + data);
        if (text == null) {
          r.problem(
              exactNode,
              "no exact-data file `" + data + "` beside detectors.yaml",
              "create it in the bundle directory, one value per line");
          return;
        }
        List<String> values =
            readValues(
                dir + data,
                text,
                columnNode == null ? null : (String) columnNode.value(),
                r,
                columnNode,
                problems);
        if (values == null) {
          return;
        }
        if (values.isEmpty()) {
          r.problem(
              exactNode,
              "exact-data file `" + data + "` of " + what + " has no values",
              "write one value per line; lines starting with `#` are comments");
          return;
        }
        if (problems.size() == before) {
          add(r, map, () -> builder.exact(name, label, values));
        }
      }
    }
  }

  /**
   * The values of an exact-data file: each line of a {@code .txt} file; for a {@code .csv} file,
   * each cell, or with {@code column} (a header name or a 1-based number) the cells of that column
   * below the header. Blank lines and lines starting with {@code #} are skipped. A value with fewer
   * than four letters and digits is a problem reported with its file and line only: problems are
   * shown and logged, and the values are secret.
   *
   * @return the values, or {@code null} when a problem was reported
   */
  private static List<String> readValues(
      String dataFile,
      String text,
      String column,
      MapReader r,
      Y columnNode,
      List<Problem> problems) {
    boolean csv = dataFile.endsWith(".csv");
    String[] lines = text.split("\\r?\\n", -1);
    List<String> values = new ArrayList<>();
    List<Integer> valueLines = new ArrayList<>();
    int wanted = -1;
    int first = 0;
    if (column != null) {
      while (first < lines.length && skipped(lines[first])) {
        first++;
      }
      List<String> header = new ArrayList<>();
      if (first < lines.length) {
        for (String cell : Csv.cells(lines[first])) {
          header.add(cell.strip());
        }
      }
      wanted = header.indexOf(column);
      if (wanted >= 0) {
        first++;
      } else if (column.matches("[1-9][0-9]{0,3}")) {
        wanted = Integer.parseInt(column) - 1;
      } else {
        String near = Names.nearest(column, header);
        r.problem(
            columnNode,
            "no column `" + column + "` in the header of `" + dataFile + "`",
            (near != null ? "did you mean `" + near + "`? " : "")
                + "give a name from the first line of the file, or a column number from 1");
        return null;
      }
    }
    for (int i = first; i < lines.length; i++) {
      if (skipped(lines[i])) {
        continue;
      }
      List<String> cells = csv ? Csv.cells(lines[i]) : List.of(lines[i]);
      for (int c = 0; c < cells.size(); c++) {
        if (wanted >= 0 && c != wanted) {
          continue;
        }
        String value = cells.get(c).strip();
        if (!value.isEmpty()) {
          values.add(value);
          valueLines.add(i + 1);
        }
      }
    }
    List<Integer> tooShort = new ArrayList<>();
    for (int k = 0; k < values.size(); k++) {
      if (Detectors.exactLength(values.get(k)) < Detectors.MIN_EXACT_LENGTH) {
        tooShort.add(valueLines.get(k));
      }
    }
    if (!tooShort.isEmpty()) {
      int line = tooShort.getFirst();
      problems.add(
          new Problem(
              dataFile,
              line,
              0,
              (tooShort.size() == 1 ? "a value" : tooShort.size() + " values")
                  + " with fewer than "
                  + Detectors.MIN_EXACT_LENGTH
                  + " letters and digits"
                  + (tooShort.size() == 1 ? "" : ", the first on line " + line),
              "short values would match everywhere: remove them or write them in full (values"
                  + " are not shown here: exact data is secret)",
              null));
      return null;
    }
    return values;
  }

  private static boolean skipped(String line) {
    String s = line.strip();
    return s.isEmpty() || s.startsWith("#");
  }

  /**
   * Cells of one CSV line: comma-separated, double quotes around a cell, {@code ""} for a quote.
   */
  static final class Csv {
    private Csv() {}

    static List<String> cells(String line) {
      List<String> out = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cell.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            cell.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          out.add(cell.toString());
          cell.setLength(0);
        } else {
          cell.append(c);
        }
      }
      out.add(cell.toString());
      return out;
    }
  }

  /**
   * Runs a builder step, reporting what it refuses (for example a value with no letter or digit).
   */
  private static void add(MapReader r, Y.Map map, Runnable step) {
    try {
      step.run();
    } catch (IllegalArgumentException e) {
      r.problem(map, e.getMessage(), "check the detector's definition");
    }
  }
}
