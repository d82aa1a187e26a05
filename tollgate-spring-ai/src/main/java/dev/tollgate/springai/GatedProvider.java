package dev.tollgate.springai;

import java.util.Arrays;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.ToolCallbackProvider;

/**
 * A provider whose callbacks are gated. It asks its delegate each time, so that a provider whose
 * tools change (an MCP client's, for one) never hands out a callback that was not wrapped.
 */
final class GatedProvider implements ToolCallbackProvider {
  private final ToolCallbackProvider delegate;
  private final TollgateTools tools;

  GatedProvider(ToolCallbackProvider delegate, TollgateTools tools) {
    this.delegate = delegate;
    this.tools = tools;
  }

  @Override
  public ToolCallback[] getToolCallbacks() {
    return Arrays.stream(delegate.getToolCallbacks()).map(tools::wrap).toArray(ToolCallback[]::new);
  }
}
