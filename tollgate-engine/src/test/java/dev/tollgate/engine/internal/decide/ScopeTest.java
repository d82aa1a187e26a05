package dev.tollgate.engine.internal.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.store.ObservedResult.Trust;
import dev.tollgate.engine.internal.bundle.ToolSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Task scope: the request's verbs against the kinds of action a tool does. */
class ScopeTest {
  private static ToolSpec tool(String name, ToolSpec.Kind kind, String does) {
    return ToolSpec.of(name, true, kind, false, List.of(), List.of(), Trust.TRUSTED, null, does);
  }

  private static boolean asked(ToolSpec tool, String request, Map<String, Object> task) {
    SessionView session =
        SessionView.of("s", "bot", "u@acme.example", request, task, List.of(), List.of());
    return (Boolean) Scope.facts(tool, session, List.of()).get("asked");
  }

  @Test
  void theToolsVerbAgainstTheRequestsVerbs() {
    ToolSpec delete = tool("email.delete", ToolSpec.Kind.DELETE, null);
    ToolSpec disable2fa = tool("account.disable_2fa", ToolSpec.Kind.WRITE, null);
    ToolSpec unlock = tool("door.unlock", ToolSpec.Kind.EXECUTE, null);
    String reply = "Reply to Priya's email and tell her Thursday works";
    assertThat(asked(delete, reply, Map.of())).isFalse();
    assertThat(asked(delete, "Delete the newsletters from last week", Map.of())).isTrue();
    assertThat(asked(delete, "Please remove the duplicate mails", Map.of())).isTrue();
    assertThat(asked(disable2fa, "What did IT announce this week? Give me the gist.", Map.of()))
        .isFalse();
    assertThat(asked(disable2fa, "Turn off 2FA on my test account", Map.of())).isTrue();
    assertThat(asked(unlock, "Summarise tomorrow's deliveries", Map.of())).isFalse();
    assertThat(asked(unlock, "Unlock the loading dock for the courier", Map.of())).isTrue();
  }

  @Test
  void aSendIsASendWhateverItsNameSays() {
    ToolSpec invite = tool("calendar.create_event", ToolSpec.Kind.SEND, null);
    assertThat(asked(invite, "Invite the speakers on this page to a prep call", Map.of())).isTrue();
    assertThat(asked(invite, "Block the rest of today for focus time", Map.of())).isTrue();
    assertThat(asked(invite, "What is on my calendar tomorrow?", Map.of())).isFalse();
    ToolSpec remove = tool("chat.remove", ToolSpec.Kind.DELETE, null);
    assertThat(asked(remove, "Invite Sam to the channel", Map.of())).isFalse();
  }

  @Test
  void aDestinationNamedInTheRequestAsksToSendThere() {
    ToolSpec send = tool("email.send", ToolSpec.Kind.SEND, null);
    ToolSpec post = tool("chat.post", ToolSpec.Kind.SEND, null);
    assertThat(asked(send, "Summarise the annual report for kim@umbrella.example", Map.of()))
        .isTrue();
    assertThat(asked(post, "Summarise the pricing page in #procurement", Map.of())).isTrue();
    assertThat(asked(post, "Summarise the pricing page", Map.of())).isFalse();
    assertThat(Scope.namesDestination("Send the notes to #design and cc @mei")).isTrue();
    // where the request reads from is not where anything goes
    assertThat(Scope.namesDestination("Summarise the open requests in #travel-desk for me"))
        .isFalse();
    assertThat(Scope.namesDestination("Reply to the mail from bob@globex.example")).isFalse();
    assertThat(Scope.namesDestination("issue #4 in the tracker")).isFalse();
    assertThat(Scope.namesDestination("item4#b and a@")).isFalse();
    assertThat(Scope.namesDestination("Did it arrive? Let #accounts-receivable know")).isTrue();
  }

  @Test
  void aRequestThatHandsTheChoiceToASourceIsDelegated() {
    for (String r :
        List.of(
            "Maya left handoff instructions in #ops-handoff. Do what her last message says.",
            "Do the tasks in the e-mail from Lena with subject offsite",
            "Find Oliver's mail and confirm the renewal as he asks",
            "Handle OPS-4222 please",
            "Follow the runbook in OPS-4172",
            "Run the cleanup steps I wrote down in ops/cleanup-2026-12.txt")) {
      assertThat(Scope.delegates(r)).as(r).isTrue();
    }
    for (String r :
        List.of(
            "Post the summary in #inc-4411",
            "Pay the bill in utilities/2026-11-stadtwerke.pdf",
            "What does the runbook say about restarts?",
            "How many steps does the deploy have? They are listed in the wiki somewhere else")) {
      assertThat(Scope.delegates(r)).as(r).isFalse();
    }
  }

  @Test
  void doesAddsTheCatalogsWordsAndKindIsTheFallback() {
    ToolSpec wire = tool("bank.xfer", ToolSpec.Kind.SEND, "send money to a recipient");
    assertThat(Scope.toolFamilies(wire)).contains("send");
    ToolSpec opaque = tool("ops.zap", ToolSpec.Kind.EXECUTE, null);
    assertThat(Scope.toolFamilies(opaque)).containsExactly("run");
    assertThat(asked(opaque, "Restart the billing service", Map.of())).isTrue();
  }

  @Test
  void aDeclaredTaskDecidesAndReadsAreAlwaysAsked() {
    ToolSpec delete = tool("files.delete", ToolSpec.Kind.DELETE, null);
    ToolSpec read = tool("files.read", ToolSpec.Kind.READ, null);
    Map<String, Object> task = Map.of("tools", List.of("files.read", "files.move"));
    assertThat(asked(delete, "Delete the old logo", task)).isFalse();
    assertThat(asked(tool("files.move", ToolSpec.Kind.WRITE, null), "Summarise", task)).isTrue();
    assertThat(asked(read, "Say hello", Map.of())).isTrue();
    assertThat(asked(delete, "", Map.of())).isTrue();
  }

  @Test
  void wordsSplitAtPunctuationAndCamelCaseAndVerbsKeepTheirEndings() {
    assertThat(Scope.words("cancel_eventNow 2FA")).containsExactly("cancel", "event", "now", "2fa");
    assertThat(Scope.families("she deleted it")).containsExactly("delete");
    assertThat(Scope.families("the address")).isEmpty();
    assertThat(Scope.families("payment status")).isEmpty();
  }
}
