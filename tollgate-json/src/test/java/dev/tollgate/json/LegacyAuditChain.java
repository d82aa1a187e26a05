package dev.tollgate.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.api.Reason;
import dev.tollgate.api.store.AuditEntry;
import dev.tollgate.api.store.AuditRecord;
import dev.tollgate.api.store.Checkpoint;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference: {@code AuditChain} of the store as it was at 96a9bcb, before its encoding moved to
 * {@link AuditCanonical}, kept verbatim (but for its name) so that the moved code is compared with
 * the code that hashed every existing audit log. Do not change it. The one change since: {@link
 * AuditEntry} holds its kind and effect typed, so this reads and writes them through their wire
 * names, which are the strings it held before.
 *
 * <p>The audit hash chain: the canonical encoding of a record and its hash.
 *
 * <p>The canonical encoding is JSON with keys sorted (by their UTF-16 code units), no whitespace,
 * UTF-8, {@code null} fields written as {@code null}, integers in decimal, other numbers as {@link
 * Double#toString}, and instants as {@code yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ} (UTC, always nine
 * fraction digits). A record's hash is {@code sha256:} followed by the lowercase hex SHA-256 of the
 * canonical encoding of {@code {"entry": ..., "prevHash": ..., "seq": ...}}.
 */
final class LegacyAuditChain {

  /** The {@code prevHash} of the first record. */
  public static final String GENESIS = "sha256:" + "0".repeat(64);

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private LegacyAuditChain() {}

  /** The fixed-format UTC text of an instant, as used in the canonical encoding. */
  public static String time(Instant instant) {
    if (instant.getEpochSecond() < -62167219200L || instant.getEpochSecond() > 253402300799L) {
      throw new IllegalArgumentException("audit time outside years 0000-9999: " + instant);
    }
    return TIME.format(instant);
  }

  /** The record {@code seq} would be, with this entry after a record whose hash is {@code prev}. */
  public static AuditRecord link(long seq, AuditEntry entry, String prevHash) {
    return new AuditRecord(seq, entry, prevHash, hash(seq, entry, prevHash));
  }

  /**
   * {@code sha256:<hex>} over the canonical encoding of {@code seq}, {@code entry}, {@code prev}.
   */
  public static String hash(long seq, AuditEntry entry, String prevHash) {
    return sha256(canonicalRecord(seq, entry, prevHash));
  }

  /** Whether a record's hash is the hash of its own content. */
  public static boolean intact(AuditRecord record) {
    return hash(record.seq(), record.entry(), record.prevHash()).equals(record.hash());
  }

  /** The canonical encoding of a record, as hashed. */
  public static String canonicalRecord(long seq, AuditEntry entry, String prevHash) {
    return canonicalRecord(seq, canonicalEntry(entry), prevHash);
  }

  /** The canonical encoding of a record whose entry is already canonically encoded. */
  static String canonicalRecord(long seq, String canonicalEntry, String prevHash) {
    StringBuilder out = new StringBuilder(canonicalEntry.length() + 120);
    out.append("{\"entry\":").append(canonicalEntry).append(",\"prevHash\":");
    string(out, prevHash);
    return out.append(",\"seq\":").append(seq).append('}').toString();
  }

  /** The hash of a record whose entry is already canonically encoded. */
  public static String hashCanonical(long seq, String canonicalEntry, String prevHash) {
    return sha256(canonicalRecord(seq, canonicalEntry, prevHash));
  }

  /** The canonical encoding of an entry alone (how the store keeps it). */
  public static String canonicalEntry(AuditEntry entry) {
    return canonical(entryMap(entry));
  }

  /** The canonical encoding of what a checkpoint signs: {@code seq}, {@code hash}, {@code time}. */
  public static String canonicalCheckpoint(Checkpoint checkpoint) {
    return canonicalCheckpoint(checkpoint.seq(), checkpoint.hash(), time(checkpoint.time()));
  }

  /** What a checkpoint signs, with its time as text (as stored): any other text is not signed. */
  static String canonicalCheckpoint(long seq, String hash, String time) {
    Map<String, Object> m = new TreeMap<>();
    m.put("seq", seq);
    m.put("hash", hash);
    m.put("time", time);
    return canonical(m);
  }

  /** Reads back an entry written by {@link #canonicalEntry}. */
  @SuppressWarnings("unchecked")
  public static AuditEntry parseEntry(String canonicalEntry) {
    Map<String, Object> m;
    try {
      m = MAPPER.readValue(canonicalEntry, Map.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a stored audit entry: " + e.getOriginalMessage(), e);
    }
    List<Reason> reasons = new ArrayList<>();
    for (Map<String, Object> r : (List<Map<String, Object>>) m.get("reasons")) {
      reasons.add(new Reason((String) r.get("policy"), (String) r.get("message")));
    }
    List<Finding> findings = new ArrayList<>();
    for (Map<String, Object> f : (List<Map<String, Object>>) m.get("findings")) {
      findings.add(
          new Finding(
              (String) f.get("detector"),
              (String) f.get("label"),
              (String) f.get("path"),
              (String) f.get("excerpt")));
    }
    return new AuditEntry(
        Instant.parse((String) m.get("time")),
        AuditEntry.Kind.parse((String) m.get("kind")),
        (String) m.get("agent"),
        (String) m.get("user"),
        (String) m.get("session"),
        (String) m.get("tool"),
        m.get("effect") == null ? null : Effect.parse((String) m.get("effect")),
        (String) m.get("decision"),
        reasons,
        findings,
        (String) m.get("argsDigest"),
        ((Number) m.get("latencyMicros")).longValue(),
        (Map<String, Object>) normalise(m.get("detail")));
  }

  /** {@code sha256:} and the lowercase hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code sha256:} and the lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static Map<String, Object> entryMap(AuditEntry e) {
    Map<String, Object> m = new TreeMap<>();
    m.put("time", time(e.time()));
    m.put("kind", e.kind().wireName());
    m.put("agent", e.agent());
    m.put("user", e.user());
    m.put("session", e.session());
    m.put("tool", e.tool());
    m.put("effect", e.effect() == null ? null : e.effect().wireName());
    m.put("decision", e.decision());
    List<Object> reasons = new ArrayList<>();
    for (Reason r : e.reasons()) {
      Map<String, Object> rm = new TreeMap<>();
      rm.put("policy", r.policy());
      rm.put("message", r.message());
      reasons.add(rm);
    }
    m.put("reasons", reasons);
    List<Object> findings = new ArrayList<>();
    for (Finding f : e.findings()) {
      Map<String, Object> fm = new TreeMap<>();
      fm.put("detector", f.detector());
      fm.put("label", f.label());
      fm.put("path", f.path());
      fm.put("excerpt", f.excerpt());
      findings.add(fm);
    }
    m.put("findings", findings);
    m.put("argsDigest", e.argsDigest());
    m.put("latencyMicros", e.latencyMicros());
    m.put("detail", e.detail());
    return m;
  }

  /** Integers as Long, other numbers as Double, maps keep their order: the values JSON reads to. */
  private static Object normalise(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put((String) k, normalise(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(normalise(v)));
      return out;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    return value;
  }

  static String canonical(Object value) {
    StringBuilder out = new StringBuilder(256);
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    switch (value) {
      case null -> out.append("null");
      case String s -> string(out, s);
      case Boolean b -> out.append(b);
      case Long l -> out.append(l);
      case Integer i -> out.append(i);
      case Short s -> out.append(s);
      case Byte b -> out.append(b);
      case BigInteger b -> out.append(b);
      case Double d -> number(out, d);
      case Float f -> number(out, Double.parseDouble(f.toString()));
      case BigDecimal b -> number(out, b.doubleValue());
      case Map<?, ?> map -> {
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach(
            (k, v) -> {
              if (!(k instanceof String key)) {
                throw new IllegalArgumentException("audit detail keys must be strings: " + k);
              }
              sorted.put(key, v);
            });
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : sorted.entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          string(out, e.getKey());
          out.append(':');
          write(out, e.getValue());
        }
        out.append('}');
      }
      case List<?> list -> {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(out, list.get(i));
        }
        out.append(']');
      }
      default ->
          throw new IllegalArgumentException(
              "audit detail values must be JSON values, not " + value.getClass().getName());
    }
  }

  private static void number(StringBuilder out, double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("audit detail numbers must be finite: " + d);
    }
    out.append(d);
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
