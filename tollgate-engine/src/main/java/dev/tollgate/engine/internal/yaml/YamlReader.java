package dev.tollgate.engine.internal.yaml;

import dev.tollgate.engine.Problem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads YAML 1.2 (core schema) into {@link Y} nodes with their positions: {@code NO}, {@code on}
 * and {@code yes} are strings, {@code 0o17} is octal and {@code 017} is decimal. Duplicate keys,
 * non-string keys, more aliases to collections than a small bound and nesting deeper than 64 are
 * problems, not surprises.
 *
 * <p>The tree is built from snakeyaml-engine's events rather than its composer: the composer
 * recurses once per nesting level and has no depth limit, while this loop keeps its own stack and
 * stops descending at {@link #MAX_DEPTH}, reporting where.
 */
public final class YamlReader {
  private static final int MAX_DEPTH = 64;
  private static final int MAX_ALIASES_TO_COLLECTIONS = 20;
  private static final int CODE_POINT_LIMIT = 8 * 1024 * 1024;
  private static final ScalarResolver CORE = new CoreSchema().getScalarResolver();

  private YamlReader() {}

  /**
   * Parses one document. Returns {@code null} and adds problems when the text is not usable YAML;
   * an empty document is returned as {@code null} without a problem.
   */
  public static Y read(String file, String text, List<Problem> problems) {
    Y.Source source = Y.Source.of(file, text);
    if (text.length() > CODE_POINT_LIMIT
        && text.codePointCount(0, text.length()) > CODE_POINT_LIMIT) {
      problems.add(
          at(
              source,
              -1,
              -1,
              "the file is longer than " + CODE_POINT_LIMIT + " characters",
              "split it into several files"));
      return null;
    }
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(file)
            .setSchema(new CoreSchema())
            .setParseComments(false)
            .setCodePointLimit(CODE_POINT_LIMIT)
            .build();
    try {
      return new Builder(
              source, new ParserImpl(settings, new StreamReader(settings, text)), problems)
          .document();
    } catch (Abandoned e) {
      return null;
    } catch (MarkedYamlEngineException e) {
      Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
      if (e.getContextMark().isPresent()
          && (mark == null
              || source.line(mark.getLine()) == null
              || source.line(mark.getLine()).isBlank())) {
        // the problem is at the end of the text: point where the unfinished construct starts
        mark = e.getContextMark().get();
      }
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      if (e.getContext() != null) {
        what = e.getContext() + ": " + what;
      }
      problems.add(
          at(
              source,
              mark == null ? -1 : mark.getLine(),
              mark == null ? -1 : mark.getColumn(),
              "invalid YAML: " + what.replace('\'', '`'),
              "check the indentation and quoting around this line"));
      return null;
    } catch (RuntimeException e) {
      problems.add(
          at(
              source,
              -1,
              -1,
              "invalid YAML: " + e.getMessage(),
              "check that the file is YAML text in UTF-8"));
      return null;
    }
  }

  /** Stops reading a document whose problem is already reported. */
  private static final class Abandoned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super(null, null, false, false);
    }
  }

  /**
   * Builds one document's tree from the event stream. Collections under construction sit on an
   * explicit stack; a node deeper than {@link #MAX_DEPTH} is reported once and its events skipped.
   */
  private static final class Builder {
    private final Y.Source source;
    private final ParserImpl parser;
    private final List<Problem> problems;
    private final HashMap<String, Y> anchors = new HashMap<>();
    private final Set<String> openAnchors = new HashSet<>();
    private final Deque<Open> stack = new ArrayDeque<>();
    private int aliasesToCollections;

    Builder(Y.Source source, ParserImpl parser, List<Problem> problems) {
      this.source = source;
      this.parser = parser;
      this.problems = problems;
    }

    /** A collection being built; a mapping holds its pending key between key and value. */
    private static final class Open {
      final int line;
      final int column;
      final String anchor;
      final LinkedHashMap<String, Y> entries;
      final LinkedHashMap<String, Y.Scalar> keys;
      final List<Y> items;
      Y.Scalar pendingKey;
      boolean skipValue;
      boolean expectKey = true;

      Open(int line, int column, String anchor, boolean mapping) {
        this.line = line;
        this.column = column;
        this.anchor = anchor;
        this.entries = mapping ? new LinkedHashMap<>() : null;
        this.keys = mapping ? new LinkedHashMap<>() : null;
        this.items = mapping ? null : new ArrayList<>();
      }

      boolean mapping() {
        return entries != null;
      }
    }

    Y document() {
      Y root = null;
      boolean seenDocument = false;
      while (parser.hasNext()) {
        Event event = parser.next();
        switch (event.getEventId()) {
          case StreamStart, DocumentEnd, Comment -> {}
          case StreamEnd -> {
            return root;
          }
          case DocumentStart -> {
            if (seenDocument) {
              Mark mark = event.getStartMark().orElse(null);
              problems.add(
                  at(
                      source,
                      line(mark),
                      column(mark),
                      "invalid YAML: expected a single document, found a second one",
                      "keep one document per file (remove the `---` line and what follows it)"));
              return null;
            }
            seenDocument = true;
            root = node(parser.next());
          }
          default -> throw new IllegalStateException("unexpected YAML event " + event);
        }
      }
      return root;
    }

    /** Reads the node that starts with {@code first}, and everything inside it. */
    private Y node(Event first) {
      Event event = first;
      while (true) {
        Y done = null;
        switch (event.getEventId()) {
          case Scalar -> {
            ScalarEvent scalar = (ScalarEvent) event;
            tooDeep(event); // reported; the scalar itself costs nothing to keep
            done = scalar(scalar);
            anchor(scalar, done);
          }
          case Alias -> done = alias((AliasEvent) event);
          case SequenceStart, MappingStart -> {
            if (tooDeep(event)) {
              skipSubtree();
              done = placeholder(event);
            } else {
              String anchor = ((NodeEvent) event).getAnchor().map(a -> a.getValue()).orElse(null);
              if (anchor != null) {
                openAnchors.add(anchor);
              }
              stack.push(
                  new Open(
                      line(event.getStartMark().orElse(null)),
                      column(event.getStartMark().orElse(null)),
                      anchor,
                      event instanceof MappingStartEvent));
              // Collection tags (!!set, !!omap, custom ones) carry no meaning in Tollgate's files:
              // the collection is read as the mapping or list it is written as.
            }
          }
          case SequenceEnd, MappingEnd -> {
            Open open = stack.pop();
            done =
                open.mapping()
                    ? new Y.Map(source, open.line, open.column, open.entries, open.keys)
                    : new Y.Seq(source, open.line, open.column, open.items);
            if (open.anchor != null) {
              openAnchors.remove(open.anchor);
              anchors.put(open.anchor, done);
            }
          }
          default -> throw new IllegalStateException("unexpected YAML event " + event);
        }
        if (done != null) {
          if (stack.isEmpty()) {
            return done;
          }
          add(stack.peek(), done);
        }
        event = parser.next();
      }
    }

    private void add(Open parent, Y child) {
      if (!parent.mapping()) {
        parent.items.add(child);
        return;
      }
      if (parent.expectKey) {
        parent.expectKey = false;
        parent.pendingKey = null;
        parent.skipValue = true;
        if (!(child instanceof Y.Scalar key)) {
          problems.add(at(child, "keys must be plain strings", "write the key as a simple word"));
          return;
        }
        if (key.text().equals("<<") && !key.quoted()) {
          problems.add(
              at(
                  key,
                  "merge keys (`<<`) are not part of YAML 1.2",
                  "write the entries out, or quote the key if you mean the text `<<`"));
          return;
        }
        String name = key.text();
        if (parent.entries.containsKey(name)) {
          Y.Scalar first = parent.keys.get(name);
          problems.add(
              at(
                  key,
                  "duplicate key `" + name + "`",
                  "it is already set on line " + (first.line() + 1) + "; keep one of them"));
          return;
        }
        parent.pendingKey = key;
        parent.skipValue = false;
        return;
      }
      parent.expectKey = true;
      if (!parent.skipValue) {
        parent.keys.put(parent.pendingKey.text(), parent.pendingKey);
        parent.entries.put(parent.pendingKey.text(), child);
      }
    }

    /** Is a node starting here deeper than allowed? Reports it if so. */
    private boolean tooDeep(Event event) {
      if (stack.size() <= MAX_DEPTH) {
        return false;
      }
      Mark mark = event.getStartMark().orElse(null);
      problems.add(
          at(
              source,
              line(mark),
              column(mark),
              "nesting deeper than " + MAX_DEPTH + " levels",
              "flatten the structure"));
      return true;
    }

    /** Consumes the events of a collection whose start event was just read. */
    private void skipSubtree() {
      int open = 1;
      while (open > 0) {
        switch (parser.next().getEventId()) {
          case SequenceStart, MappingStart -> open++;
          case SequenceEnd, MappingEnd -> open--;
          default -> {}
        }
      }
    }

    private Y.Scalar placeholder(Event event) {
      Mark mark = event.getStartMark().orElse(null);
      return new Y.Scalar(source, line(mark), column(mark), "", null, false, false, line(mark));
    }

    private Y alias(AliasEvent event) {
      String name = event.getAlias().getValue();
      Mark mark = event.getStartMark().orElse(null);
      if (openAnchors.contains(name)) {
        problems.add(
            at(
                source,
                line(mark),
                column(mark),
                "alias `*" + name + "` refers to a node that contains it",
                "an alias cannot repeat the node it is inside of; copy what you need"));
        return placeholder(event);
      }
      Y target = anchors.get(name);
      if (target == null) {
        problems.add(
            at(
                source,
                line(mark),
                column(mark),
                "undefined alias `*" + name + "`",
                "define the anchor with `&" + name + "` before this line"));
        return placeholder(event);
      }
      if (!(target instanceof Y.Scalar) && ++aliasesToCollections > MAX_ALIASES_TO_COLLECTIONS) {
        // Fatal: what follows is likely an expansion bomb, and reading on only makes noise.
        problems.add(
            at(
                source,
                line(mark),
                column(mark),
                "invalid YAML: more than "
                    + MAX_ALIASES_TO_COLLECTIONS
                    + " aliases to lists or mappings",
                "write the repeated parts out; many aliases can expand a small file enormously"));
        throw new Abandoned();
      }
      // The same node, with the anchor's position: that is where its text is.
      return target;
    }

    private void anchor(NodeEvent event, Y node) {
      event.getAnchor().ifPresent(a -> anchors.put(a.getValue(), node));
    }

    private Y.Scalar scalar(ScalarEvent event) {
      Mark start = event.getStartMark().orElse(null);
      Mark end = event.getEndMark().orElse(start);
      ScalarStyle style = event.getScalarStyle();
      boolean block = style == ScalarStyle.FOLDED || style == ScalarStyle.LITERAL;
      boolean quoted = style == ScalarStyle.SINGLE_QUOTED || style == ScalarStyle.DOUBLE_QUOTED;
      return new Y.Scalar(
          source,
          line(start),
          column(start),
          event.getValue(),
          resolve(event),
          block,
          quoted,
          line(end));
    }
  }

  /**
   * The value of a scalar under the YAML 1.2 core schema. Numbers that do not fit a long, and the
   * special floats {@code .inf} and {@code .nan} (JSON has neither), stay strings.
   */
  private static Object resolve(ScalarEvent event) {
    String text = event.getValue();
    Optional<String> explicit = event.getTag().filter(t -> !t.equals("!"));
    Tag tag;
    if (explicit.isPresent()) {
      tag = new Tag(explicit.get());
    } else if (event.getScalarStyle() == ScalarStyle.PLAIN) {
      tag = CORE.resolve(text, true);
    } else {
      tag = Tag.STR;
    }
    try {
      if (tag.equals(Tag.NULL)) {
        return null;
      }
      if (tag.equals(Tag.BOOL)) {
        String lower = text.toLowerCase(Locale.ROOT);
        return lower.equals("true") ? Boolean.TRUE : lower.equals("false") ? Boolean.FALSE : text;
      }
      if (tag.equals(Tag.INT)) {
        return parseInt(text);
      }
      if (tag.equals(Tag.FLOAT)) {
        double value = Double.parseDouble(text);
        return Double.isFinite(value) ? value : text;
      }
    } catch (NumberFormatException e) {
      return text;
    }
    return text;
  }

  private static long parseInt(String text) {
    if (text.startsWith("0o")) {
      return Long.parseLong(text.substring(2), 8);
    }
    if (text.startsWith("0x")) {
      return Long.parseLong(text.substring(2), 16);
    }
    return Long.parseLong(text);
  }

  private static int line(Mark mark) {
    return mark == null ? -1 : mark.getLine();
  }

  private static int column(Mark mark) {
    return mark == null ? -1 : mark.getColumn();
  }

  /** A problem at a 0-based position of a source (negative line: the whole file). */
  public static Problem at(Y.Source source, int line, int column, String message, String hint) {
    if (line < 0) {
      return new Problem(source.file(), 0, 0, message, hint, null);
    }
    return new Problem(source.file(), line + 1, column + 1, message, hint, source.line(line));
  }

  /** A problem at a node. */
  public static Problem at(Y node, String message, String hint) {
    return at(node.source(), node.line(), node.column(), message, hint);
  }
}
