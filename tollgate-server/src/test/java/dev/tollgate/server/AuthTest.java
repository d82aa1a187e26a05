package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.store.jdbc.JdbcStore;
import dev.tollgate.store.jdbc.StoreConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache of verified tokens: bounded in time and size, keyed by hash, never negative. */
class AuthTest {
  @TempDir Path dir;
  private JdbcStore store;
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @BeforeEach
  void open() {
    store = JdbcStore.open(StoreConfig.sqlite(dir));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private String add(String agent) {
    String token = Tokens.newToken();
    store.credentials().add(agent, Tokens.hash(token), Instant.now());
    return token;
  }

  @Test
  void aRevokedTokenIsRefusedOnceItsLastLookupIsASecondOld() {
    Auth auth = new Auth(store, now::get, 16);
    String token = add("bot");
    assertThat(auth.nameFor(token)).isEqualTo("bot");
    store.credentials().revoke("bot"); // as another process would: this instance is not told
    now.addAndGet(Auth.FRESH - 1);
    assertThat(auth.nameFor(token)).as("trusted for up to a second").isEqualTo("bot");
    now.addAndGet(1);
    assertThat(auth.nameFor(token)).as("asked again, and refused").isNull();
    assertThat(auth.nameFor(token)).as("and not trusted again").isNull();
  }

  @Test
  void anUnknownTokenIsNeverCachedAndIsAcceptedAsSoonAsItIsAdded() {
    Auth auth = new Auth(store, now::get, 16);
    String token = Tokens.newToken();
    assertThat(auth.nameFor(token)).isNull();
    store.credentials().add("late", Tokens.hash(token), Instant.now());
    assertThat(auth.nameFor(token)).isEqualTo("late");
  }

  @Test
  void theCacheKeepsHashesOnlyAndAtMostItsBound() {
    Auth auth = new Auth(store, now::get, 4);
    java.util.List<String> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String token = add("bot-" + i);
      tokens.add(token);
      assertThat(auth.nameFor(token)).isEqualTo("bot-" + i);
      assertThat(auth.cachedKeys()).hasSizeLessThanOrEqualTo(4);
    }
    assertThat(auth.cachedKeys()).isNotEmpty().allMatch(k -> k.startsWith("sha256:"));
    for (String token : tokens) {
      assertThat(auth.cachedKeys()).noneMatch(k -> k.contains(token.substring(3)));
    }
    // a token that fell out of the cache is looked up again and still works
    assertThat(auth.nameFor(tokens.getFirst())).isEqualTo("bot-0");
  }
}
