package dev.tollgate.engine.internal.bundle;

import dev.cel.runtime.CelRuntime;
import dev.tollgate.api.Effect;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.scan.Detectors;
import dev.tollgate.engine.internal.yaml.MapReader;
import dev.tollgate.engine.internal.yaml.Names;
import dev.tollgate.engine.internal.yaml.Y;
import dev.tollgate.engine.internal.yaml.YamlReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns the texts of a bundle's files into a {@link CompiledBundle}, or refuses the whole bundle
 * with every problem found. It reads no files itself: the caller hands it names and texts, so the
 * same loader serves directories, tests and conformance cases.
 *
 * <p>File roles follow docs/policies.md: {@code catalog.yaml} is the tool catalog, {@code
 * agents.yaml} the agent profiles, {@code detectors.yaml} the configured detectors
 * (docs/detectors.md), every other {@code *.yaml} / {@code *.yml} a policy file. {@code *.txt} and
 * {@code *.csv} files are data: the exact-data detectors of {@code detectors.yaml} name them; no
 * other role reads them. {@code bundle.yaml} is the optional manifest ({@link Manifest}): when it
 * lists the files, the bundle must hold exactly those files with those digests.
 */
public final class BundleLoader {
  public static final String CATALOG = "catalog.yaml";
  public static final String AGENTS = "agents.yaml";
  public static final String DETECTORS = "detectors.yaml";
  public static final String MANIFEST = "bundle.yaml";

  private static final Set<String> POLICY_FILE_KEYS = Set.of("policies");
  private static final Set<String> POLICY_KEYS =
      Set.of(
          "name",
          "description",
          "match",
          "when",
          "effect",
          "message",
          "mode",
          "approval",
          "redact");
  private static final Set<String> REDACT_KEYS = Set.of("mode", "labels");
  private static final Set<String> APPROVAL_KEYS = Set.of("ttl", "fourEyes", "fresh");
  private static final Set<String> MATCH_KEYS = Set.of("agents", "tools");
  private static final Set<String> CATALOG_KEYS = Set.of("tools");
  private static final Set<String> TOOL_KEYS =
      Set.of("kind", "external", "control", "results", "description");
  private static final Set<String> RESULT_KEYS = Set.of("labels", "trust");
  private static final Set<String> AGENTS_KEYS = Set.of("agents", "defaults");
  private static final Set<String> DEFAULTS_KEYS = Set.of("unprofiled");
  private static final Set<String> MANIFEST_KEYS =
      Set.of("revision", "files", "noPolicies", "noAgents");
  private static final Set<String> PROFILE_KEYS = Set.of("tools", "description");

  private BundleLoader() {}

  /** Loads a bundle from file names (relative to the bundle) and their texts. */
  public static CompiledBundle load(Map<String, String> files) throws BundleException {
    SortedMap<String, String> sorted = new TreeMap<>(files);
    List<Problem> problems = new ArrayList<>();
    Catalog catalog = Catalog.empty();
    Profiles profiles = Profiles.NONE;
    Manifest manifest = Manifest.NONE;
    Y manifestRoot = null;
    List<Problem> warnings = new ArrayList<>();
    Detectors detectors = Detectors.builtIn();
    List<Draft> drafts = new ArrayList<>();
    for (Map.Entry<String, String> file : sorted.entrySet()) {
      String name = file.getKey();
      if (isDataFile(name)) {
        continue;
      }
      Y root = YamlReader.read(name, file.getValue(), problems);
      String base = baseName(name);
      if (base.equals(DETECTORS)) {
        detectors = DetectorsFile.read(name, root, sorted, problems);
      } else if (base.equals(CATALOG)) {
        catalog = readCatalog(root, problems);
      } else if (base.equals(AGENTS)) {
        profiles = readProfiles(name, root, problems, warnings);
      } else if (base.equals(MANIFEST)) {
        manifest = readManifest(name, root, problems);
        manifestRoot = root;
      } else {
        readPolicies(name, root, problems, drafts);
      }
    }
    Map<String, Draft> byName = new LinkedHashMap<>();
    for (Draft d : drafts) {
      Draft first = byName.putIfAbsent(d.name, d);
      if (first != null) {
        problems.add(
            YamlReader.at(
                d.nameNode,
                "duplicate policy name `" + d.name + "`",
                "it is already used at "
                    + first.nameNode.source().file()
                    + ":"
                    + (first.nameNode.line() + 1)
                    + "; policy names must be unique in a bundle"));
      }
    }
    if (manifest.files() != null) {
      checkAgainstManifest(sorted, manifest, manifestRoot, problems);
    }
    if (!profiles.declared() && !manifest.noAgents()) {
      warnings.add(
          new Problem(
              AGENTS,
              0,
              0,
              "the bundle has no agents.yaml, so every action is denied",
              "give each agent a profile in agents.yaml, or say `noAgents: true` in bundle.yaml"
                  + " if a bundle that denies everything is meant",
              null));
    }
    if (!problems.isEmpty()) {
      problems.sort(
          Comparator.comparing(Problem::file)
              .thenComparingInt(Problem::line)
              .thenComparingInt(Problem::column));
      throw new BundleException(problems);
    }
    List<Draft> ordered = new ArrayList<>(byName.values());
    ordered.sort(Comparator.comparing(d -> d.name));
    List<CompiledPolicy> policies = new ArrayList<>(ordered.size());
    for (int i = 0; i < ordered.size(); i++) {
      policies.add(ordered.get(i).build(i));
    }
    return new CompiledBundle(
        policies, catalog, profiles, digest(sorted), detectors, manifest, warnings);
  }

  /** Whether a bundle file holds data for detectors rather than YAML. */
  public static boolean isDataFile(String name) {
    return name.endsWith(".txt") || name.endsWith(".csv");
  }

  private static void readPolicies(
      String file, Y root, List<Problem> problems, List<Draft> drafts) {
    if (root == null) {
      if (problems.stream().noneMatch(p -> p.file().equals(file))) {
        problems.add(
            new Problem(
                file,
                0,
                0,
                "empty policy file",
                "add a `policies:` list, or remove the file",
                null));
      }
      return;
    }
    Y.Map top = MapReader.asMap(root, "a policy file", problems);
    if (top == null) {
      return;
    }
    MapReader fileReader = new MapReader(top, "a policy file", problems, POLICY_FILE_KEYS);
    if (top.get("policies") == null) {
      problems.add(
          YamlReader.at(
              top,
              "missing key `policies` in a policy file",
              "start the file with `policies:` and list the policies under it"));
      return;
    }
    Y.Seq list = fileReader.list("policies");
    if (list == null) {
      return;
    }
    for (Y item : list.items()) {
      Y.Map map = MapReader.asMap(item, "a policy", problems);
      if (map != null) {
        Draft d = readPolicy(map, problems);
        if (d != null) {
          drafts.add(d);
        }
      }
    }
  }

  private static Draft readPolicy(Y.Map map, List<Problem> problems) {
    String label =
        map.get("name") instanceof Y.Scalar n && n.value() instanceof String text
            ? "policy `" + text + "`"
            : "a policy";
    MapReader r = new MapReader(map, label, problems, POLICY_KEYS);
    int before = problems.size();
    Y.Scalar name = r.string("name", true);
    if (name != null && !Names.isPolicyName((String) name.value())) {
      r.problem(
          name,
          "invalid policy name `" + name.value() + "`",
          "use lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit");
    }
    String description = r.text("description", false);
    List<Glob> agents = null;
    List<Glob> tools = null;
    Y.Map match = r.mapping("match");
    if (match != null) {
      MapReader m = new MapReader(match, "`match` of " + label, problems, MATCH_KEYS);
      agents = globs(m, "agents", label, problems);
      tools = globs(m, "tools", label, problems);
    }
    Y.Scalar effectNode = r.string("effect", true);
    Effect effect = null;
    if (effectNode != null) {
      try {
        effect = Effect.parse((String) effectNode.value());
      } catch (IllegalArgumentException e) {
        String near = Names.nearest((String) effectNode.value(), List.of("allow", "ask", "deny"));
        r.problem(
            effectNode,
            "unknown effect `" + effectNode.value() + "` in " + label,
            (near != null ? "did you mean `" + near + "`? " : "") + "use one of allow, ask, deny");
      }
    }
    boolean shadow = false;
    Y.Scalar modeNode = r.string("mode", false);
    if (modeNode != null) {
      switch ((String) modeNode.value()) {
        case "enforce" -> shadow = false;
        case "shadow" -> shadow = true;
        default ->
            r.problem(
                modeNode,
                "unknown mode `" + modeNode.value() + "` in " + label,
                "use `enforce` (the default) or `shadow`");
      }
    }
    CelRuntime.Program condition = null;
    Y.Scalar when = r.string("when", false);
    if (when != null) {
      condition =
          compile(
              PolicyEnv.condition((String) when.value()),
              when,
              "`when` of " + label,
              "bool",
              problems);
    }
    CelRuntime.Program message = null;
    Y.Scalar messageNode = r.string("message", false);
    if (messageNode != null) {
      message =
          compile(
              PolicyEnv.message((String) messageNode.value()),
              messageNode,
              "`message` of " + label,
              "string",
              problems);
    }
    ApprovalOptions approval = null;
    Y.Map approvalNode = r.mapping("approval");
    if (approvalNode != null) {
      approval = approvalOptions(approvalNode, label, effect, problems);
    }
    Redaction redact = null;
    Y redactNode = r.node("redact");
    if (redactNode != null) {
      redact = redaction(redactNode, label, effect, problems);
    }
    if (problems.size() != before || name == null || effect == null) {
      return null;
    }
    String nameText = (String) name.value();
    String fallback = description != null ? description : "matched policy `" + nameText + "`";
    return new Draft(
        nameText,
        name,
        description,
        agents,
        tools,
        condition,
        when == null ? null : (String) when.value(),
        effect,
        message,
        fallback,
        approval,
        redact,
        shadow);
  }

  /**
   * {@code redact: mask}, or {@code redact: {mode: drop, labels: [secret]}}, of an allow policy.
   */
  private static Redaction redaction(Y node, String label, Effect effect, List<Problem> problems) {
    String what = "`redact` of " + label;
    String hint =
        "use `redact: mask` or `redact: drop`, or `redact: {mode: mask, labels: [secret]}`";
    if (effect != null && effect != Effect.ALLOW) {
      problems.add(
          YamlReader.at(
              node,
              "`redact` in " + label + ", whose effect is " + effect.wireName(),
              "redaction is an obligation of an `allow`: remove `redact` or make the effect"
                  + " `allow`"));
      return null;
    }
    String mode;
    List<String> labels = List.of();
    Y modeNode = node;
    if (node instanceof Y.Map map) {
      MapReader m = new MapReader(map, what, problems, REDACT_KEYS);
      Y.Scalar given = m.string("mode", true);
      if (given == null) {
        return null;
      }
      modeNode = given;
      mode = (String) given.value();
      List<String> given2 = m.strings("labels");
      labels = given2 == null ? List.of() : given2;
    } else if (node instanceof Y.Scalar sc && sc.value() instanceof String text) {
      mode = text;
    } else {
      problems.add(YamlReader.at(node, what + " is neither a mode nor a mapping", hint));
      return null;
    }
    if (!Redaction.MODES.contains(mode)) {
      problems.add(
          YamlReader.at(modeNode, "unknown redaction mode `" + mode + "` in " + what, hint));
      return null;
    }
    return new Redaction(mode, labels);
  }

  private static List<Glob> globs(MapReader m, String key, String label, List<Problem> problems) {
    List<String> patterns = m.strings(key);
    if (patterns == null) {
      return null;
    }
    if (patterns.isEmpty() && !(m.node(key) instanceof Y.Seq s && !s.items().isEmpty())) {
      problems.add(
          YamlReader.at(
              m.node(key),
              "`match." + key + "` of " + label + " is empty",
              "remove the key to match every "
                  + (key.equals("tools") ? "tool" : "agent")
                  + ", or list at least one pattern"));
    }
    for (String p : patterns) {
      if (p.isBlank()) {
        problems.add(
            YamlReader.at(
                m.node(key),
                "blank pattern in `match." + key + "` of " + label,
                "use `*` to match everything"));
      }
    }
    return patterns.stream().map(Glob::of).toList();
  }

  private static CelRuntime.Program compile(
      PolicyEnv.Compiled compiled,
      Y.Scalar node,
      String what,
      String type,
      List<Problem> problems) {
    if (compiled instanceof PolicyEnv.Ok ok) {
      return ok.program();
    }
    for (PolicyEnv.Issue issue : ((PolicyEnv.Failed) compiled).issues()) {
      int[] at = locate(node, issue.line(), issue.column());
      String line = node.source().line(at[0]);
      if (issue.message().startsWith("undefined field")
          && line != null
          && at[1] < line.length()
          && line.charAt(at[1]) == '.') {
        at[1]++; // CEL places a selection at its dot; point at the misspelt name instead
      }
      problems.add(
          YamlReader.at(
              node.source(),
              at[0],
              at[1],
              what + ": " + issue.message(),
              hintFor(issue.message(), type, (String) node.value())));
    }
    return null;
  }

  private static String hintFor(String message, String type, String expression) {
    java.util.regex.Matcher field =
        java.util.regex.Pattern.compile("undefined field `([^`]*)`").matcher(message);
    if (field.find()) {
      // the variable the field was selected from, when the text says so, before the others
      List<String> vars = new ArrayList<>(PolicyEnv.VARIABLES.keySet());
      vars.sort(
          Comparator.comparing(
              (String v) ->
                  !java.util.regex.Pattern.compile(
                          "\\b"
                              + v
                              + "\\s*\\.\\s*"
                              + java.util.regex.Pattern.quote(field.group(1))
                              + "\\b")
                      .matcher(expression)
                      .find()));
      for (String var : vars) {
        List<String> fields = PolicyEnv.fieldsOf(var);
        if (!fields.isEmpty()) {
          String near = Names.nearest(field.group(1), fields);
          if (near != null) {
            return "did you mean `"
                + near
                + "`? fields of `"
                + var
                + "`: "
                + String.join(", ", fields);
          }
        }
      }
      return "see docs/policies.md for the fields each variable has";
    }
    java.util.regex.Matcher ref =
        java.util.regex.Pattern.compile("undeclared reference to `([^`]*)`").matcher(message);
    if (ref.find()) {
      String near =
          Names.nearest(
              ref.group(1),
              List.of(
                  "action",
                  "tool",
                  "data",
                  "flow",
                  "provenance",
                  "session",
                  "exists",
                  "all",
                  "exists_one",
                  "map",
                  "filter",
                  "has",
                  "size",
                  "startsWith",
                  "endsWith",
                  "contains",
                  "matches"));
      return (near != null ? "did you mean `" + near + "`? " : "")
          + "variables: "
          + String.join(", ", PolicyEnv.VARIABLES.keySet());
    }
    if (message.contains("expected type")) {
      return "the expression must yield a " + type;
    }
    if (message.contains("no matching overload")) {
      return "check the types of the operands; `action.args` values are dynamic, convert them"
          + " with string(), int() or double() where needed";
    }
    return null;
  }

  /**
   * Maps a position inside an expression back to the file. Plain and quoted scalars sit on their
   * key's line; block scalars ({@code >} and {@code |}) start on the next line, and a folded one is
   * a single CEL line made of its source lines joined by spaces.
   */
  static int[] locate(Y.Scalar s, int celLine, int celColumn) {
    if (!s.block()) {
      String text = s.source().line(s.line());
      if (s.endLine() > s.line() && text != null && celLine == 1) {
        return locateFlowFolded(s, text, celColumn);
      }
      if (s.quoted() && s.endLine() == s.line() && text != null && s.column() < text.length()) {
        return new int[] {s.line(), quotedColumn(text, s.column(), celColumn)};
      }
      return new int[] {s.line(), s.column() + (s.quoted() ? 1 : 0) + celColumn};
    }
    List<int[]> segments = new ArrayList<>();
    int blockIndent = -1;
    for (int l = s.line() + 1; l <= s.endLine(); l++) {
      String text = s.source().line(l);
      if (text == null) {
        break;
      }
      if (text.isBlank()) {
        segments.add(new int[] {l, 0, 0});
        continue;
      }
      int indent = text.length() - text.stripLeading().length();
      if (blockIndent < 0) {
        blockIndent = indent;
      } else if (indent < blockIndent) {
        break;
      }
      segments.add(new int[] {l, blockIndent, text.stripTrailing().length() - blockIndent});
    }
    if (segments.isEmpty()) {
      return new int[] {s.line(), s.column()};
    }
    String value = (String) s.value();
    boolean literal = value.stripTrailing().contains("\n");
    if (literal) {
      int index = Math.min(celLine - 1, segments.size() - 1);
      int[] seg = segments.get(Math.max(0, index));
      return new int[] {seg[0], seg[1] + celColumn};
    }
    return offsetInFolded(segments, celColumn);
  }

  /**
   * The source position of a character of a folded value, given the value's source segments ({@code
   * {line, column, length}}) that folding joined with single spaces; empty segments are skipped.
   */
  private static int[] offsetInFolded(List<int[]> segments, int offset) {
    int remaining = offset;
    for (int[] seg : segments) {
      if (seg[2] == 0) {
        continue;
      }
      if (remaining <= seg[2]) {
        return new int[] {seg[0], seg[1] + remaining};
      }
      remaining -= seg[2] + 1;
    }
    int[] last = segments.get(segments.size() - 1);
    return new int[] {last[0], last[1] + last[2]};
  }

  /**
   * A plain or quoted scalar over several lines is folded into one line: its source lines, without
   * their indentation, joined by single spaces.
   */
  private static int[] locateFlowFolded(Y.Scalar s, String first, int celColumn) {
    int start = Math.min(s.column() + (s.quoted() ? 1 : 0), first.length());
    List<int[]> segments = new ArrayList<>();
    segments.add(new int[] {s.line(), start, first.stripTrailing().length() - start});
    for (int l = s.line() + 1; l <= s.endLine(); l++) {
      String text = s.source().line(l);
      if (text == null) {
        break;
      }
      int indent = text.length() - text.stripLeading().length();
      segments.add(new int[] {l, indent, Math.max(0, text.stripTrailing().length() - indent)});
    }
    return offsetInFolded(segments, celColumn);
  }

  /**
   * The 0-based file column of the value's character at {@code offset} in a one-line quoted scalar
   * starting at {@code quoteColumn}: escapes ({@code \"}, {@code ''}...) take more source
   * characters than value characters.
   */
  static int quotedColumn(String line, int quoteColumn, int offset) {
    char quote = line.charAt(quoteColumn);
    int i = quoteColumn + 1;
    for (int n = 0; n < offset && i < line.length(); n++) {
      char c = line.charAt(i);
      if (quote == '\'' && c == '\'' && i + 1 < line.length() && line.charAt(i + 1) == '\'') {
        i += 2;
      } else if (quote == '"' && c == '\\' && i + 1 < line.length()) {
        i +=
            switch (line.charAt(i + 1)) {
              case 'x' -> 4;
              case 'u' -> 6;
              case 'U' -> 10;
              default -> 2;
            };
      } else {
        i++;
      }
    }
    return i;
  }

  private static Catalog readCatalog(Y root, List<Problem> problems) {
    if (root == null) {
      return Catalog.empty();
    }
    Y.Map top = MapReader.asMap(root, "the catalog", problems);
    if (top == null) {
      return Catalog.empty();
    }
    MapReader r = new MapReader(top, "the catalog", problems, CATALOG_KEYS);
    Y.Map tools = r.mapping("tools");
    if (tools == null) {
      if (top.get("tools") == null) {
        problems.add(
            YamlReader.at(
                top,
                "missing key `tools` in the catalog",
                "list the tools under `tools:`, one `name: {kind: ...}` entry each"));
      }
      return Catalog.empty();
    }
    Map<String, ToolSpec> exact = new LinkedHashMap<>();
    List<Map.Entry<Glob, ToolSpec>> patterns = new ArrayList<>();
    tools
        .entries()
        .forEach(
            (name, node) -> {
              String label = "tool `" + name + "`";
              Y.Map entry = MapReader.asMap(node, label, problems);
              if (entry == null) {
                return;
              }
              MapReader t = new MapReader(entry, label, problems, TOOL_KEYS);
              Y.Scalar kindNode = t.string("kind", true);
              String kind = kindNode == null ? "unknown" : (String) kindNode.value();
              if (kindNode != null && !ToolSpec.KINDS.contains(kind)) {
                String near = Names.nearest(kind, ToolSpec.KINDS);
                t.problem(
                    kindNode,
                    "unknown kind `" + kind + "` for " + label,
                    (near != null ? "did you mean `" + near + "`? " : "")
                        + "use one of "
                        + String.join(", ", ToolSpec.KINDS.stream().sorted().toList()));
              }
              Boolean external = t.bool("external");
              List<String> control = t.strings("control");
              List<String> labels = List.of();
              String trust = "trusted";
              Y.Map results = t.mapping("results");
              if (results != null) {
                MapReader res =
                    new MapReader(results, "`results` of " + label, problems, RESULT_KEYS);
                List<String> l = res.strings("labels");
                labels = l == null ? List.of() : l;
                Y.Scalar trustNode = res.string("trust", false);
                if (trustNode != null) {
                  trust = (String) trustNode.value();
                  if (!ToolSpec.TRUST.contains(trust)) {
                    res.problem(
                        trustNode,
                        "unknown trust `" + trust + "` for " + label,
                        "use `trusted` (the company's own systems) or `untrusted` (web pages, inbound"
                            + " mail, documents)");
                  }
                }
              }
              ToolSpec spec =
                  ToolSpec.of(
                      name,
                      true,
                      kind,
                      external != null && external,
                      control == null ? List.of() : control,
                      labels,
                      trust,
                      t.text("description", false));
              if (Glob.isWildcard(name)) {
                patterns.add(new AbstractMap.SimpleImmutableEntry<>(Glob.of(name), spec));
              } else {
                exact.put(name, spec);
              }
            });
    return new Catalog(exact, patterns);
  }

  private static Profiles readProfiles(
      String file, Y root, List<Problem> problems, List<Problem> warnings) {
    if (root == null) {
      if (problems.stream().noneMatch(p -> p.file().equals(file))) {
        problems.add(
            new Problem(
                file,
                0,
                0,
                "empty agents file",
                "list the agents under `agents:`, or say `defaults: {unprofiled: allow}` to let"
                    + " policies alone decide for agents without a profile",
                null));
      }
      return Profiles.NONE;
    }
    Y.Map top = MapReader.asMap(root, "the agents file", problems);
    if (top == null) {
      return Profiles.NONE;
    }
    MapReader r = new MapReader(top, "the agents file", problems, AGENTS_KEYS);
    boolean unprofiledAllowed = false;
    Y.Map defaults = r.mapping("defaults");
    if (defaults != null) {
      MapReader d =
          new MapReader(defaults, "`defaults` of the agents file", problems, DEFAULTS_KEYS);
      Y.Scalar unprofiled = d.string("unprofiled", false);
      if (unprofiled != null) {
        String value = (String) unprofiled.value();
        if (value.equals("allow")) {
          unprofiledAllowed = true;
          warnings.add(
              YamlReader.at(
                  unprofiled,
                  "defaults.unprofiled: allow lets agents without a profile act on every tool",
                  "give each agent a profile and say `unprofiled: deny` (the default), so that an"
                      + " agent nobody described can do nothing"));
        } else if (!value.equals("deny")) {
          d.problem(
              unprofiled,
              "unknown value `" + value + "` for `defaults.unprofiled`",
              "use `deny` (the default: agents without a profile may do nothing) or `allow`");
        }
      }
    }
    Y.Map agents = r.mapping("agents");
    if (agents == null) {
      if (top.get("agents") == null && defaults == null) {
        problems.add(
            YamlReader.at(
                top,
                "missing key `agents` in the agents file",
                "list the agents under `agents:`, one `name: {tools: [...]}` entry each"));
      }
      return new Profiles(Map.of(), true, unprofiledAllowed);
    }
    Map<String, Profiles.Profile> out = new LinkedHashMap<>();
    agents
        .entries()
        .forEach(
            (name, node) -> {
              String label = "agent `" + name + "`";
              Y.Map entry = MapReader.asMap(node, label, problems);
              if (entry == null) {
                return;
              }
              MapReader a = new MapReader(entry, label, problems, PROFILE_KEYS);
              List<String> tools = a.strings("tools");
              if (tools == null) {
                if (entry.get("tools") == null) {
                  problems.add(
                      YamlReader.at(
                          entry,
                          "missing key `tools` in " + label,
                          "list the tools this agent may use, for example `tools: [\"email.*\"]`"));
                }
                return;
              }
              out.put(name, new Profiles.Profile(name, tools.stream().map(Glob::of).toList()));
            });
    return new Profiles(out, true, unprofiledAllowed);
  }

  private static Manifest readManifest(String file, Y root, List<Problem> problems) {
    if (root == null) {
      if (problems.stream().noneMatch(p -> p.file().equals(file))) {
        problems.add(
            new Problem(
                file,
                0,
                0,
                "empty manifest",
                "run `tollgate bundle seal DIR` to write it, or remove bundle.yaml",
                null));
      }
      return Manifest.NONE;
    }
    Y.Map top = MapReader.asMap(root, "the manifest", problems);
    if (top == null) {
      return Manifest.NONE;
    }
    MapReader r = new MapReader(top, "the manifest", problems, MANIFEST_KEYS);
    Y revisionNode = r.node("revision");
    String revision =
        revisionNode instanceof Y.Scalar s && s.value() != null ? String.valueOf(s.value()) : null;
    Map<String, String> files = null;
    Y.Map listed = r.mapping("files");
    if (listed != null) {
      Map<String, String> sums = new TreeMap<>();
      listed
          .entries()
          .forEach(
              (name, node) -> {
                if (node instanceof Y.Scalar s
                    && s.value() instanceof String sum
                    && sum.matches("[0-9a-f]{64}")) {
                  sums.put(name, sum);
                } else {
                  problems.add(
                      YamlReader.at(
                          node,
                          "the sha256 of `" + name + "` in the manifest must be 64 hex digits",
                          "run `tollgate bundle seal DIR` to write the manifest"));
                }
              });
      files = sums;
    }
    Boolean noPolicies = r.bool("noPolicies");
    Boolean noAgents = r.bool("noAgents");
    return new Manifest(
        revision, files, noPolicies != null && noPolicies, noAgents != null && noAgents);
  }

  /**
   * A manifest names the snapshot a deploy meant: a directory that holds a file it does not list,
   * lacks one it lists or holds one that differs is half-copied and is refused whole.
   */
  private static void checkAgainstManifest(
      SortedMap<String, String> files, Manifest manifest, Y manifestRoot, List<Problem> problems) {
    Map<String, String> present = new TreeMap<>();
    String manifestFile = null;
    for (Map.Entry<String, String> f : files.entrySet()) {
      String base = baseName(f.getKey());
      if (base.equals(MANIFEST)) {
        manifestFile = f.getKey();
        continue;
      }
      present.put(base, f.getKey());
      String expected = manifest.files().get(base);
      if (expected == null) {
        problems.add(
            new Problem(
                f.getKey(),
                0,
                0,
                "`" + base + "` is not listed in the manifest bundle.yaml",
                "deploy the whole bundle (the manifest last), or run `tollgate bundle seal DIR`"
                    + " after editing",
                null));
      } else if (!expected.equals(sha256(f.getValue()))) {
        problems.add(
            new Problem(
                f.getKey(),
                0,
                0,
                "`" + base + "` does not match its sha256 in the manifest bundle.yaml",
                "the file is half-copied or was edited after sealing: finish the deploy, or run"
                    + " `tollgate bundle seal DIR`",
                null));
      }
    }
    for (String listed : manifest.files().keySet()) {
      if (!present.containsKey(listed)) {
        Y node =
            manifestRoot instanceof Y.Map m && m.get("files") instanceof Y.Map fm
                ? fm.keys().get(listed)
                : null;
        problems.add(
            node != null
                ? YamlReader.at(
                    node,
                    "`" + listed + "` is listed in the manifest but missing from the bundle",
                    "finish copying the bundle, or run `tollgate bundle seal DIR`")
                : new Problem(
                    manifestFile == null ? MANIFEST : manifestFile,
                    0,
                    0,
                    "`" + listed + "` is listed in the manifest but missing from the bundle",
                    "finish copying the bundle, or run `tollgate bundle seal DIR`",
                    null));
      }
    }
  }

  private static String baseName(String name) {
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    return slash < 0 ? name : name.substring(slash + 1);
  }

  /** The SHA-256 of a file's UTF-8 text, in hex: what {@code bundle.yaml} lists per file. */
  public static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static String digest(SortedMap<String, String> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> f : files.entrySet()) {
        sha.update(f.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(f.getValue().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** {@code approval: {ttl: 30m, fourEyes: true, fresh: true}} of an asking policy. */
  private static ApprovalOptions approvalOptions(
      Y.Map node, String label, Effect effect, List<Problem> problems) {
    MapReader a = new MapReader(node, "`approval` of " + label, problems, APPROVAL_KEYS);
    int before = problems.size();
    if (effect != null && effect != Effect.ASK) {
      a.problem(
          node,
          "`approval` in " + label + ", whose effect is " + effect.wireName(),
          "only an `ask` policy opens approvals: remove `approval` or make the effect `ask`");
    }
    java.time.Duration ttl = ApprovalOptions.DEFAULT_TTL;
    Y.Scalar ttlNode = a.string("ttl", false);
    if (ttlNode != null) {
      try {
        ttl = Durations.parse((String) ttlNode.value());
      } catch (IllegalArgumentException e) {
        a.problem(ttlNode, e.getMessage() + " in `approval` of " + label, Durations.HINT);
      }
    }
    Boolean fourEyes = a.bool("fourEyes");
    Boolean fresh = a.bool("fresh");
    if (problems.size() != before) {
      return null;
    }
    return new ApprovalOptions(ttl, fourEyes != null && fourEyes, fresh != null && fresh);
  }

  private record Draft(
      String name,
      Y.Scalar nameNode,
      String description,
      List<Glob> agents,
      List<Glob> tools,
      CelRuntime.Program condition,
      String conditionText,
      Effect effect,
      CelRuntime.Program message,
      String fallbackMessage,
      ApprovalOptions approval,
      Redaction redact,
      boolean shadow) {
    CompiledPolicy build(int order) {
      return new CompiledPolicy(
          name,
          description,
          agents,
          tools,
          condition,
          conditionText,
          effect,
          message,
          fallbackMessage,
          approval,
          redact,
          shadow,
          nameNode.source().file(),
          nameNode.line() + 1,
          order);
    }
  }
}
