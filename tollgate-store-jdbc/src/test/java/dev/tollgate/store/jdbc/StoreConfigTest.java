package dev.tollgate.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreConfigTest {

  @Test
  void eitherADirectoryOrAPostgresUrl() {
    assertThat(StoreConfig.sqlite(Path.of("data")).isSqlite()).isTrue();
    assertThat(StoreConfig.sqlite(Path.of("data")).deadline()).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> new StoreConfig(null, null, null, null, Duration.ofSeconds(1)))
        .hasMessageContaining("either a SQLite data directory or a PostgreSQL JDBC URL");
    assertThatThrownBy(() -> StoreConfig.postgres("jdbc:mysql://h/db?password=s", "u", "p"))
        .hasMessageContaining("jdbc:postgresql:")
        .hasMessageNotContaining("password=s");
    assertThatThrownBy(() -> StoreConfig.sqlite(Path.of("d")).withDeadline(Duration.ZERO))
        .hasMessageContaining("positive");
  }

  @Test
  void thePasswordIsNeverShown() {
    StoreConfig c =
        StoreConfig.postgres("jdbc:postgresql://db/t?password=secret", "app", "hunter2");
    assertThat(c.toString()).isEqualTo("jdbc:postgresql://db/t as app");
  }

  @Test
  void migrationScriptsSplitOnStatementEnds() {
    assertThat(
            Migrations.statements("-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a\n VALUES (1);\n"))
        .containsExactly("CREATE TABLE a (x INT)", "INSERT INTO a\n VALUES (1)");
  }
}
