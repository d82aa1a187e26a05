package dev.tollgate.examples.langchain4j;

import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import dev.tollgate.engine.Bundle;
import dev.tollgate.engine.Tollgate;
import dev.tollgate.langchain4j.TollgateTools;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An invoice agent built with LangChain4j's {@code AiServices}, its tools gated by Tollgate in
 * process with the policies of {@code examples/invoice-vendor-mail}. Run from the repository (or
 * pass the policy directory as the first argument).
 */
public final class InvoiceAgent {
  private InvoiceAgent() {}

  /** The agent's AI service: one conversation per memory id. */
  interface Assistant {
    String chat(@MemoryId String conversation, @UserMessage String message);
  }

  public static void main(String[] args) throws Exception {
    run(args.length > 0 ? Path.of(args[0]) : policies(), System.out);
  }

  static void run(Path policies, PrintStream out) throws Exception {
    Tollgate tollgate = Tollgate.builder().bundle(Bundle.load(policies)).build();
    TollgateTools gated =
        TollgateTools.builder(tollgate.gate("invoice-bot"))
            .user("alice@acme.example")
            .toolNames(name -> name.replaceFirst("_", "."))
            .build();
    Assistant assistant =
        AiServices.builder(Assistant.class)
            .chatModel(new ScriptedPlanner(out))
            .chatMemoryProvider(id -> MessageWindowChatMemory.withMaxMessages(20))
            .tools(gated.tools(new InvoiceTools(out)))
            .build();
    String request = "Can you notify Globex that we need updated tax documents?";
    out.println("user: " + request);
    out.println("agent: " + assistant.chat("conversation-1", request));
  }

  /** The example policies, from the repository's root or from this module's directory. */
  private static Path policies() {
    for (Path p :
        new Path[] {
          Path.of("examples", "invoice-vendor-mail"), Path.of("..", "invoice-vendor-mail")
        }) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "run from the repository's root, or pass the policy directory (examples/invoice-vendor-mail)");
  }
}
