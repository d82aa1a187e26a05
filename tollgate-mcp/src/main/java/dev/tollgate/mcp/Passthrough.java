package dev.tollgate.mcp;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What the servers behind offer besides tools, shown to the client as they give it: resources,
 * resource templates, prompts, and the completions of prompt arguments and template variables. None
 * of it acts, so none of it is decided; a read or a prompt goes to the server that listed it,
 * through that server's current client (started again after a crash like any call).
 *
 * <p>Completions are passed on from servers of the session-based revisions only.
 */
final class Passthrough {
  private final List<McpServerFeatures.SyncResourceSpecification> resources = new ArrayList<>();
  private final List<McpServerFeatures.SyncResourceTemplateSpecification> templates =
      new ArrayList<>();
  private final List<McpServerFeatures.SyncPromptSpecification> prompts = new ArrayList<>();
  private final List<McpServerFeatures.SyncCompletionSpecification> completions = new ArrayList<>();

  /** Lists, every page, what {@code upstream} offers, as its capabilities say it does. */
  void add(Upstream upstream, Connection first) {
    McpSchema.ServerCapabilities caps = first.capabilities();
    if (caps == null) {
      return;
    }
    boolean completes = caps.completions() != null && first instanceof Connection.Sessions;
    if (caps.resources() != null) {
      for (McpSchema.Resource r :
          pages(c -> first.listResources(c), r -> r.resources(), r -> r.nextCursor())) {
        resources.add(
            new McpServerFeatures.SyncResourceSpecification(
                r, (exchange, request) -> upstream.client().readResource(request)));
      }
      for (McpSchema.ResourceTemplate t :
          pages(
              c -> first.listResourceTemplates(c),
              r -> r.resourceTemplates(),
              r -> r.nextCursor())) {
        templates.add(
            new McpServerFeatures.SyncResourceTemplateSpecification(
                t, (exchange, request) -> upstream.client().readResource(request)));
        if (completes) {
          completions.add(
              new McpServerFeatures.SyncCompletionSpecification(
                  new McpSchema.ResourceReference(t.uriTemplate()),
                  (exchange, request) -> upstream.client().complete(request)));
        }
      }
    }
    if (caps.prompts() != null) {
      for (McpSchema.Prompt p :
          pages(c -> first.listPrompts(c), r -> r.prompts(), r -> r.nextCursor())) {
        prompts.add(
            new McpServerFeatures.SyncPromptSpecification(
                p, (exchange, request) -> upstream.client().getPrompt(request)));
        if (completes && p.arguments() != null && !p.arguments().isEmpty()) {
          completions.add(
              new McpServerFeatures.SyncCompletionSpecification(
                  new McpSchema.PromptReference(p.name()),
                  (exchange, request) -> upstream.client().complete(request)));
        }
      }
    }
  }

  /**
   * The gateway's server, offering what was listed; completions only where a server offers them.
   */
  McpServer.SyncSpecification<?> offer(McpServer.SyncSpecification<?> server) {
    server.resources(resources).resourceTemplates(templates).prompts(prompts);
    if (!completions.isEmpty()) {
      server.completions(completions);
    }
    return server;
  }

  /** The capabilities the gateway's server declares: tools always, the rest as offered. */
  McpSchema.ServerCapabilities capabilities() {
    McpSchema.ServerCapabilities.Builder caps =
        McpSchema.ServerCapabilities.builder().tools(true).resources(false, true).prompts(true);
    if (!completions.isEmpty()) {
      caps.completions();
    }
    return caps.build();
  }

  private static <R, T> List<T> pages(
      Function<String, R> page, Function<R, List<T>> items, Function<R, String> next) {
    List<T> all = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 1000; pages++) {
      R result = page.apply(cursor);
      if (items.apply(result) != null) {
        all.addAll(items.apply(result));
      }
      cursor = next.apply(result);
      if (cursor == null || cursor.isEmpty()) {
        break;
      }
    }
    return all;
  }
}
