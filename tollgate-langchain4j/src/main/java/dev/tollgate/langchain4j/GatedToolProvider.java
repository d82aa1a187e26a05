package dev.tollgate.langchain4j;

import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;

/**
 * A tool provider whose every tool's executor is gated: the tools it offers are the provider's own
 * (specifications and return behaviours unchanged), and whatever it returns on a later, dynamic
 * call is wrapped again.
 */
final class GatedToolProvider implements ToolProvider {
  private final TollgateTools tollgate;
  private final ToolProvider provider;

  GatedToolProvider(TollgateTools tollgate, ToolProvider provider) {
    this.tollgate = tollgate;
    this.provider = provider;
  }

  @Override
  public ToolProviderResult provideTools(ToolProviderRequest request) {
    ToolProviderResult offered = provider.provideTools(request);
    if (offered == null) {
      return null;
    }
    ToolProviderResult.Builder gated = ToolProviderResult.builder();
    offered.aiServiceTools().forEach(t -> gated.add(tollgate.gate(t)));
    return gated.build();
  }

  @Override
  public boolean isDynamic() {
    return provider.isDynamic();
  }
}
