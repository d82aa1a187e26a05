package dev.tollgate.mcp;

import dev.tollgate.api.Finding;
import java.util.List;

/**
 * What the detectors find in a server's tool definition (its name, title, description and input
 * schema) before an agent is shown it: the engine's {@code Tollgate.inspect} in process.
 */
@FunctionalInterface
public interface ToolInspector {

  /** Finds nothing: every tool is shown. */
  ToolInspector NONE = value -> List.of();

  /** The findings, masked. */
  List<Finding> inspect(Object definition);
}
