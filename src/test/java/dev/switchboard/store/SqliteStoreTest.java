package dev.switchboard.store;

import static dev.switchboard.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.subscription.Account;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite store on its own: migrations, WAL, optimistic versions. */
class SqliteStoreTest {

  @TempDir
  Path dataDir;
  Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  @Test
  void migratesOnceAndRunsInWalMode() throws Exception {
    await(await(SqliteStore.open(vertx, dataDir)).close());
    await(await(SqliteStore.open(vertx, dataDir)).close());
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE_NAME));
        Statement statement = connection.createStatement()) {
      assertEquals(Schema.MIGRATIONS.size(), Schema.userVersion(connection));
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dataDir.resolve(SqliteDatabase.FILE_NAME))), "it holds webhook secrets");
      try (ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
        assertTrue(mode.next());
        assertEquals("wal", mode.getString(1));
      }
    }
  }

  @Test
  void refusesADatabaseFromANewerVersion() throws Exception {
    await(await(SqliteStore.open(vertx, dataDir)).close());
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE_NAME));
        Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA user_version = " + (Schema.MIGRATIONS.size() + 1));
    }
    Throwable failure = Await.failure(SqliteStore.open(vertx, dataDir));
    assertTrue(failure.getMessage().contains("run a newer version"), failure.getMessage());
  }

  @Test
  void staleVersionsAndTakenIdsConflict() {
    Store store = await(SqliteStore.open(vertx, dataDir));
    try {
      Account first = new Account("a", "A", null, 1, 1, 1);
      await(store.insert(first));
      Throwable taken = Await.failure(store.insert(first));
      assertTrue(taken instanceof StoreConflictException, taken.toString());
      Account second = new Account("a", "A2", null, 1, 2, 2);
      await(store.update(second, 1));
      Throwable stale = Await.failure(store.update(new Account("a", "A3", null, 1, 3, 2), 1));
      assertTrue(stale instanceof StoreConflictException, stale.toString());
      assertEquals(List.of(second), await(store.load()).accounts());
    } finally {
      await(store.close());
    }
  }
}
