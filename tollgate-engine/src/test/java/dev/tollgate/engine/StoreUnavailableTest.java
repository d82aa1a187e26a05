package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.api.Action;
import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Observation;
import dev.tollgate.api.SessionSpec;
import dev.tollgate.api.store.ObservedResult;
import dev.tollgate.api.store.SessionRecord;
import dev.tollgate.api.store.SessionStore;
import dev.tollgate.api.store.StoreUnavailableException;
import dev.tollgate.engine.internal.memory.MemorySessionStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sessions behind a store that goes away and comes back: deny while it is away, then recover. */
class StoreUnavailableTest {

  /** A real in-memory store behind a switch that makes every call fail like a lost connection. */
  static final class SwitchableStore implements SessionStore {
    private final MemorySessionStore delegate = new MemorySessionStore(100);
    volatile boolean down;

    private void check() {
      if (down) {
        throw new StoreUnavailableException("connection refused", null);
      }
    }

    @Override
    public boolean create(SessionRecord session) {
      check();
      return delegate.create(session);
    }

    @Override
    public Optional<SessionRecord> get(String id) {
      check();
      return delegate.get(id);
    }

    @Override
    public void appendHistory(String id, String tool, Effect effect, int max) {
      check();
      delegate.appendHistory(id, tool, effect, max);
    }

    @Override
    public void addLabels(String id, List<String> labels) {
      check();
      delegate.addLabels(id, labels);
    }

    @Override
    public long addResult(String id, ObservedResult result, int max) {
      check();
      return delegate.addResult(id, result, max);
    }

    @Override
    public List<ObservedResult> results(String id, long afterSeq) {
      check();
      return delegate.results(id, afterSeq);
    }
  }

  @Test
  void decisionsDenyWhileTheStoreIsDownAndRecoverWithoutARestart() {
    SwitchableStore store = new SwitchableStore();
    Tollgate t = Tollgate.builder().bundle(Bundles.of()).sessions(store).build();
    String id = t.openSession("bot", new SessionSpec("s-1", "u", "read my mail", null));
    Action action = Action.of(id, "u", "mail.read", Map.of());
    assertEquals(Effect.ALLOW, t.decide("bot", action).effect());

    store.down = true;
    Decision down = t.decide("bot", action);
    assertEquals(Effect.DENY, down.effect());
    assertEquals(List.of(Tollgate.INTERNAL), down.policies());
    assertTrue(down.reasons().get(0).message().startsWith("store unavailable"), down.toString());
    assertThrows(
        StoreUnavailableException.class,
        () -> t.observe("bot", new Observation(id, "mail.read", null, "hi")));

    store.down = false;
    assertEquals(Effect.ALLOW, t.decide("bot", action).effect());
    assertEquals(
        2,
        store.get(Tollgate.sessionKey("bot", id)).orElseThrow().history().size(),
        "the denied call left no step");
  }

  @Test
  void twoEnginesOnOneStoreShareSessions() {
    MemorySessionStore shared = new MemorySessionStore(100);
    Tollgate a = Tollgate.builder().bundle(Bundles.of()).sessions(shared).build();
    Tollgate b = Tollgate.builder().bundle(Bundles.of()).sessions(shared).build();
    String id = a.openSession("bot", new SessionSpec(null, "u", "r", null));
    assertEquals(Effect.ALLOW, b.decide("bot", Action.of(id, "u", "x", Map.of())).effect());
    assertEquals(1, shared.get(Tollgate.sessionKey("bot", id)).orElseThrow().history().size());
  }
}
