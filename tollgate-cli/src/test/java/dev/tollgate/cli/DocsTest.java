package dev.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ point only at what the repository holds, and leave measured figures to
 * BENCHMARKS.md, where each has its command, machine and date.
 */
class DocsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern FILE_NAME = Pattern.compile("\\b[A-Za-z][\\w./-]*\\.md\\b");
  private static final Pattern FIGURE =
      Pattern.compile("\\d[\\d,.]*\\s*(?:durable\\s+)?(?:decisions|req(?:uests)?)/s");

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  private static Set<String> anchors(Path page) throws IOException {
    Set<String> out = new HashSet<>();
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("#")) {
        String title = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
        out.add(title.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
      }
    }
    return out;
  }

  @Test
  void everyLinkAndFileNamedResolvesInsideTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      String text = Files.readString(page);
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("[a-z]+:.*")) {
          continue; // http(s), mailto: not checked here
        }
        String file = target.replaceFirst("#.*", "");
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
          broken.add(ROOT.relativize(page) + ": " + target);
        } else if (anchor != null
            && resolved.toString().endsWith(".md")
            && !anchors(resolved).contains(anchor)) {
          broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
        }
      }
      Matcher named = FILE_NAME.matcher(text);
      while (named.find()) {
        String name = named.group();
        if (!Files.exists(page.getParent().resolve(name)) && !Files.exists(ROOT.resolve(name))) {
          broken.add(
              ROOT.relativize(page) + ": names " + name + ", which is not in the repository");
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  void theServerPageLeavesFiguresToBenchmarks() throws IOException {
    String server = Files.readString(ROOT.resolve("docs/server.md"));
    Matcher m = FIGURE.matcher(server);
    List<String> figures = new ArrayList<>();
    while (m.find()) {
      figures.add(m.group());
    }
    assertEquals(List.of(), figures, "docs/server.md links to BENCHMARKS.md for figures");
  }

  @Test
  void theMcpGatewayIsDocumentedWithWhatItDoesNotDoYet() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String mcp = Files.readString(ROOT.resolve("docs/mcp.md"));
    assertTrue(readme.contains("[docs/mcp.md](docs/mcp.md)"), "README links the gateway's page");
    assertTrue(mcp.contains("## What is built, and what is not yet"), "docs/mcp.md says it");
    // the SDK's revisions the page names are the ones the gateway speaks
    assertTrue(mcp.contains("2025-11-25"), "docs/mcp.md names the protocol revisions");
  }
}
