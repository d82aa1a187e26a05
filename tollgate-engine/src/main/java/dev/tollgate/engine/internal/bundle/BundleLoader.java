package dev.tollgate.engine.internal.bundle;

import dev.cel.runtime.CelRuntime;
import dev.tollgate.api.Effect;
import dev.tollgate.engine.BundleException;
import dev.tollgate.engine.Problem;
import dev.tollgate.engine.internal.cel.PolicyEnv;
import dev.tollgate.engine.internal.cel.RateCall;
import dev.tollgate.engine.internal.scan.Detectors;
import dev.tollgate.engine.internal.yaml.MapReader;
import dev.tollgate.engine.internal.yaml.Names;
import dev.tollgate.engine.internal.yaml.Y;
import dev.tollgate.engine.internal.yaml.YamlReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
  static final String MANIFEST = "bundle.yaml";

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
          "redact",
          "quarantine");
  private static final Set<String> REDACT_KEYS = Set.of("mode", "labels");
  private static final Set<String> APPROVAL_KEYS = Set.of("ttl", "fourEyes", "fresh");
  private static final Set<String> MATCH_KEYS = Set.of("agents", "tools");

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
        catalog = CatalogFile.read(root, problems);
      } else if (base.equals(AGENTS)) {
        profiles = AgentsFile.read(name, root, problems, warnings);
      } else if (base.equals(MANIFEST)) {
        manifest = ManifestFile.read(name, root, problems);
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
      ManifestFile.check(sorted, manifest, manifestRoot, problems);
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
    List<RateCall> rates = new ArrayList<>();
    Y.Scalar when = r.string("when", false);
    if (when != null) {
      PolicyEnv.Compiled compiled = PolicyEnv.condition((String) when.value());
      if (compiled instanceof PolicyEnv.Ok ok) {
        rates.addAll(ok.rates());
      }
      condition = CelProblems.compile(compiled, when, "`when` of " + label, "bool", problems);
    }
    CelRuntime.Program message = null;
    Y.Scalar messageNode = r.string("message", false);
    if (messageNode != null) {
      PolicyEnv.Compiled compiled = PolicyEnv.message((String) messageNode.value());
      if (compiled instanceof PolicyEnv.Ok ok) {
        rates.addAll(ok.rates());
      }
      message =
          CelProblems.compile(compiled, messageNode, "`message` of " + label, "string", problems);
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
    Boolean quarantine = r.bool("quarantine");
    if (Boolean.TRUE.equals(quarantine) && effect == Effect.ALLOW) {
      problems.add(
          YamlReader.at(
              map,
              "`quarantine` in " + label + ", whose effect is allow",
              "quarantine pauses the session when the policy denies or asks: give it `effect:"
                  + " deny` or `effect: ask`, or remove `quarantine`"));
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
        shadow,
        List.copyOf(new java.util.LinkedHashSet<>(rates)),
        Boolean.TRUE.equals(quarantine) && !shadow);
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

  static String baseName(String name) {
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
      boolean shadow,
      List<RateCall> rates,
      boolean quarantine) {
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
          order,
          rates,
          quarantine);
    }
  }
}
