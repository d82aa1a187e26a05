package dev.tollgate.langchain4j;

import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;

/** The tests' AI service: one chat per memory id. */
interface Assistant {
  String chat(@MemoryId String conversation, @UserMessage String message);
}
