package dev.tollgate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.Effect;
import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.engine.internal.memory.MemorySessionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Building the engine masks every session a store kept in clear; a store that offers sessions for
 * masking but cannot take the masked text back stops the build with a clear error, never a loop.
 */
class RemaskStoreTest {
  private static final SessionRecord CLEAR =
      new SessionRecord(
          "bot/s-1",
          "bot",
          "alice@acme.example",
          "write to jane@initech.example",
          Map.of(),
          List.of(),
          List.of(),
          Instant.EPOCH,
          0);

  /** A store of one session kept in clear; {@code remasks} says whether it takes the mask. */
  private static final class OldStore implements SessionStore {
    private final SessionStore kept = new MemorySessionStore(10);
    private final boolean remasks;
    private final List<String> remasked = new ArrayList<>();

    OldStore(boolean remasks) {
      this.remasks = remasks;
      kept.create(CLEAR);
    }

    @Override
    public List<SessionRecord> unmasked(int max) {
      return remasked.contains(CLEAR.id()) ? List.of() : List.of(CLEAR);
    }

    @Override
    public void remask(String id, String request, Map<String, Object> task) {
      if (remasks) {
        assertThat(request).doesNotContain("jane@initech.example");
        remasked.add(id);
      }
    }

    @Override
    public boolean create(SessionRecord session) {
      return kept.create(session);
    }

    @Override
    public Optional<SessionRecord> get(String id) {
      return kept.get(id);
    }

    @Override
    public void appendHistory(String id, String tool, Effect effect, int max) {
      kept.appendHistory(id, tool, effect, max);
    }

    @Override
    public void addLabels(String id, List<String> labels) {
      kept.addLabels(id, labels);
    }

    @Override
    public long addResult(String id, ObservedResult result, int max) {
      return kept.addResult(id, result, max);
    }

    @Override
    public List<ObservedResult> results(String id, long afterSeq) {
      return kept.results(id, afterSeq);
    }
  }

  @Test
  void aStoreThatTakesTheMaskIsMaskedOnce() {
    OldStore store = new OldStore(true);
    Tollgate.builder().sessions(store).build();
    assertThat(store.remasked).containsExactly(CLEAR.id());
  }

  @Test
  void aStoreThatCannotTakeTheMaskStopsTheBuild() {
    assertThatThrownBy(() -> Tollgate.builder().sessions(new OldStore(false)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("bot/s-1")
        .hasMessageContaining("implement SessionStore.remask");
  }
}
