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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit hash chain's canonical encoding of an entry and a record, and its hash. Every record
 * ever written was hashed over these bytes, so they must never change: a change breaks {@code
 * verify} on every existing audit log. {@code AuditCanonicalTest} pins them against entries hashed
 * by earlier releases.
 *
 * <p>The canonical encoding is JSON with keys sorted (by their UTF-16 code units), no whitespace,
 * UTF-8, {@code null} fields written as {@code null}, integers in decimal, other numbers as {@link
 * Double#toString}, and instants as {@code yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ} (UTC, always nine
 * fraction digits). A record's hash is {@code sha256:} followed by the lowercase hex SHA-256 of the
 * canonical encoding of {@code {"entry": ..., "prevHash": ..., "seq": ...}}.
 */
public final class AuditCanonical {

  /** The {@code prevHash} of the first record. */
  public static final String GENESIS = "sha256:" + "0".repeat(64);

  /**
   * Reads stored entries back exactly as they were always read (Jackson's defaults: no depth limit
   * of its own, integers normalised to Long below), so that encoding them again gives the hashed
   * bytes. Not {@link ApiJson}'s strict mapper, whose limits are for untrusted input.
   */
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private AuditCanonical() {}

  /** The fixed-format UTC text of an instant, as used in the canonical encoding. */
  public static String time(Instant instant) {
    return time(new StringBuilder(30), instant).toString();
  }

  /**
   * Reads an instant back from its text: the fixed format {@link #time(Instant)} writes (how the
   * stores keep every time) directly, anything else as {@link Instant#parse} does. Every approval
   * and grant read on the decide path parses two or three of these, and {@code Instant.parse} was a
   * fifth of such a read's cost on PostgreSQL.
   *
   * @throws java.time.format.DateTimeParseException when {@link Instant#parse} would
   */
  public static Instant parseTime(String text) {
    if (text.length() == 30
        && text.charAt(4) == '-'
        && text.charAt(7) == '-'
        && text.charAt(10) == 'T'
        && text.charAt(13) == ':'
        && text.charAt(16) == ':'
        && text.charAt(19) == '.'
        && text.charAt(29) == 'Z') {
      int year = number(text, 0, 4);
      int month = number(text, 5, 2);
      int day = number(text, 8, 2);
      int hour = number(text, 11, 2);
      int minute = number(text, 14, 2);
      int second = number(text, 17, 2);
      int nano = number(text, 20, 9);
      if ((year | month | day | hour | minute | second | nano) >= 0
          && month >= 1
          && month <= 12
          && day >= 1
          && day <= java.time.YearMonth.of(year, month).lengthOfMonth()
          && hour < 24
          && minute < 60
          && second < 60) {
        return java.time.LocalDateTime.of(year, month, day, hour, minute, second, nano)
            .toInstant(ZoneOffset.UTC);
      }
    }
    return Instant.parse(text);
  }

  /** The decimal number of {@code length} digits at {@code from}, or -1 if one is not a digit. */
  private static int number(String text, int from, int length) {
    int n = 0;
    for (int i = from; i < from + length; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
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
  public static String canonicalRecord(long seq, String canonicalEntry, String prevHash) {
    StringBuilder out = new StringBuilder(canonicalEntry.length() + 120);
    out.append("{\"entry\":").append(canonicalEntry).append(",\"prevHash\":");
    string(out, prevHash);
    return out.append(",\"seq\":").append(seq).append('}').toString();
  }

  /** The hash of a record whose entry is already canonically encoded. */
  public static String hashCanonical(long seq, String canonicalEntry, String prevHash) {
    return sha256(canonicalRecord(seq, canonicalEntry, prevHash));
  }

  /**
   * The canonical encoding of an entry alone (how the store keeps it). Every decision pays for it,
   * so the entry's fields are written straight out in their sorted order, with no map to sort
   * first; {@code AuditCanonicalTest} checks the result against the reference encoding.
   */
  public static String canonicalEntry(AuditEntry e) {
    StringBuilder out = new StringBuilder(512);
    out.append("{\"agent\":");
    nullable(out, e.agent());
    out.append(",\"argsDigest\":");
    nullable(out, e.argsDigest());
    out.append(",\"decision\":");
    nullable(out, e.decision());
    out.append(",\"detail\":");
    write(out, e.detail());
    out.append(",\"effect\":");
    nullable(out, e.effect() == null ? null : e.effect().wireName());
    out.append(",\"findings\":[");
    List<Finding> findings = e.findings();
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      out.append(i == 0 ? "{\"detector\":" : ",{\"detector\":");
      nullable(out, f.detector());
      out.append(",\"excerpt\":");
      nullable(out, f.excerpt());
      out.append(",\"label\":");
      nullable(out, f.label());
      out.append(",\"path\":");
      nullable(out, f.path());
      out.append('}');
    }
    out.append("],\"kind\":");
    nullable(out, e.kind() == null ? null : e.kind().wireName());
    out.append(",\"latencyMicros\":").append(e.latencyMicros()).append(",\"reasons\":[");
    List<Reason> reasons = e.reasons();
    for (int i = 0; i < reasons.size(); i++) {
      Reason r = reasons.get(i);
      out.append(i == 0 ? "{\"message\":" : ",{\"message\":");
      nullable(out, r.message());
      out.append(",\"policy\":");
      nullable(out, r.policy());
      out.append('}');
    }
    out.append("],\"session\":");
    nullable(out, e.session());
    out.append(",\"time\":");
    time(out.append('"'), e.time()).append('"');
    out.append(",\"tool\":");
    nullable(out, e.tool());
    out.append(",\"user\":");
    nullable(out, e.user());
    return out.append('}').toString();
  }

  private static void nullable(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
    } else {
      string(out, s);
    }
  }

  /**
   * The fixed-format text of an instant, written digit by digit: a {@code DateTimeFormatter} cost
   * more than the rest of an entry's fields together.
   */
  private static StringBuilder time(StringBuilder out, Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < -62167219200L || seconds > 253402300799L) {
      throw new IllegalArgumentException("audit time outside years 0000-9999: " + instant);
    }
    java.time.LocalDateTime t =
        java.time.LocalDateTime.ofEpochSecond(seconds, instant.getNano(), ZoneOffset.UTC);
    digits(out, t.getYear(), 4).append('-');
    digits(out, t.getMonthValue(), 2).append('-');
    digits(out, t.getDayOfMonth(), 2).append('T');
    digits(out, t.getHour(), 2).append(':');
    digits(out, t.getMinute(), 2).append(':');
    digits(out, t.getSecond(), 2).append('.');
    return digits(out, t.getNano(), 9).append('Z');
  }

  private static StringBuilder digits(StringBuilder out, int value, int width) {
    for (int d = width - 1, div = pow10(d); d >= 0; d--, div /= 10) {
      out.append((char) ('0' + (value / div) % 10));
    }
    return out;
  }

  private static int pow10(int n) {
    int p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }

  /** The canonical encoding of what a checkpoint signs: {@code seq}, {@code hash}, {@code time}. */
  public static String canonicalCheckpoint(Checkpoint checkpoint) {
    return canonicalCheckpoint(checkpoint.seq(), checkpoint.hash(), time(checkpoint.time()));
  }

  /** What a checkpoint signs, with its time as text (as stored): any other text is not signed. */
  public static String canonicalCheckpoint(long seq, String hash, String time) {
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
        parseTime((String) m.get("time")),
        Names.wire(
            (String) m.get("kind"),
            AuditEntry.Kind.values(),
            AuditEntry.Kind::wireName,
            "audit kind"),
        (String) m.get("agent"),
        (String) m.get("user"),
        (String) m.get("session"),
        (String) m.get("tool"),
        m.get("effect") == null
            ? null
            : Names.wire(
                (String) m.get("effect"), Effect.values(), Effect::wireName, "audit effect"),
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

  /**
   * The canonical encoding of a JSON value (maps with string keys, lists, strings, numbers,
   * booleans, null); anything else is refused with {@link IllegalArgumentException}.
   */
  public static String canonical(Object value) {
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
    int plain = 0;
    while (plain < s.length()) {
      char c = s.charAt(plain);
      if (c < 0x20 || c == '"' || c == '\\') {
        break;
      }
      plain++;
    }
    // Most text needs no escape: copied in one piece up to the first character that does.
    out.append(s, 0, plain);
    for (int i = plain; i < s.length(); i++) {
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
