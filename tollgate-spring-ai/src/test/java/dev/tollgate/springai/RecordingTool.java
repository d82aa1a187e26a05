package dev.tollgate.springai;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/** An application's tool: answers with {@code answer} and remembers the inputs it ran with. */
final class RecordingTool implements ToolCallback {
  private final ToolDefinition definition;
  private final Function<String, String> answer;
  private final List<String> inputs = new ArrayList<>();

  RecordingTool(String name, Function<String, String> answer) {
    this.definition =
        ToolDefinition.builder()
            .name(name)
            .description("the " + name + " tool")
            .inputSchema("{\"type\":\"object\"}")
            .build();
    this.answer = answer;
  }

  RecordingTool(String name, String answer) {
    this(name, input -> answer);
  }

  synchronized List<String> inputs() {
    return List.copyOf(inputs);
  }

  @Override
  public ToolDefinition getToolDefinition() {
    return definition;
  }

  @Override
  public synchronized String call(String toolInput) {
    inputs.add(toolInput);
    return answer.apply(toolInput);
  }
}
