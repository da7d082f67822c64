package dev.switchboard.store;

import dev.switchboard.subscription.Account;
import dev.switchboard.subscription.ApiKey;
import dev.switchboard.subscription.Json;
import dev.switchboard.subscription.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The embedded store: one SQLite file in the data directory, in WAL mode, with its schema migrated
 * at open ({@link Schema}). A single connection is used from a one-thread worker pool with ordered
 * execution, so writes never contend and never run on an event loop.
 */
public final class SqliteStore implements Store {

  /** The database file's name inside the data directory. */
  public static final String FILE_NAME = "switchboard.db";

  private final WorkerExecutor worker;
  private final Connection connection;

  private SqliteStore(WorkerExecutor worker, Connection connection) {
    this.worker = worker;
    this.connection = connection;
  }

  /** Opens (creating when needed) and migrates {@code dataDir/switchboard.db}. */
  public static Future<Store> open(Vertx vertx, Path dataDir) {
    Path file = dataDir.toAbsolutePath().normalize().resolve(FILE_NAME);
    WorkerExecutor worker = vertx.createSharedWorkerExecutor("switchboard-sqlite-" + file, 1);
    return worker.<Store>executeBlocking(() -> {
      Files.createDirectories(file.getParent());
      createPrivate(file);
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode = WAL");
        statement.execute("PRAGMA synchronous = FULL");
        statement.execute("PRAGMA busy_timeout = 5000");
        Schema.migrate(connection);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
      return new SqliteStore(worker, connection);
    }, true).onFailure(failure -> worker.close());
  }

  /** The file holds webhook secrets: readable by the gateway's user only (where the file system can say so). */
  private static void createPrivate(Path file) throws java.io.IOException {
    if (Files.exists(file)) {
      return;
    }
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException raced) {
      // Another process created it first; it chose the mode.
    }
  }

  @Override
  public Future<Contents> load() {
    return run(() -> {
      List<Account> accounts = new ArrayList<>();
      List<ApiKey> keys = new ArrayList<>();
      List<Subscription> subscriptions = new ArrayList<>();
      try (Statement statement = connection.createStatement()) {
        try (ResultSet rows = statement.executeQuery("SELECT doc FROM accounts")) {
          while (rows.next()) {
            accounts.add(Json.readAccount(new JsonObject(rows.getString(1))));
          }
        }
        try (ResultSet rows = statement.executeQuery("SELECT doc, key_hash, last_used_at FROM api_keys")) {
          while (rows.next()) {
            long lastUsed = rows.getLong(3);
            keys.add(Json.readKey(new JsonObject(rows.getString(1)), rows.getString(2), rows.wasNull() ? null : lastUsed));
          }
        }
        try (ResultSet rows = statement.executeQuery("SELECT doc FROM subscriptions")) {
          while (rows.next()) {
            subscriptions.add(Json.readSubscription(new JsonObject(rows.getString(1))));
          }
        }
      }
      return new Contents(accounts, keys, subscriptions);
    });
  }

  @Override
  public Future<Void> insert(Account account) {
    return write("INSERT INTO accounts (id, parent_id, version, doc) VALUES (?, ?, ?, ?)",
        "account " + account.id() + " exists", account.id(), account.parentId(), account.version(),
        Json.write(account).encode());
  }

  @Override
  public Future<Void> update(Account account, long expectedVersion) {
    return write("UPDATE accounts SET parent_id = ?, version = ?, doc = ? WHERE id = ? AND version = ?",
        "account " + account.id() + " changed meanwhile", account.parentId(), account.version(),
        Json.write(account).encode(), account.id(), expectedVersion);
  }

  @Override
  public Future<Void> deleteAccount(String id) {
    return write("DELETE FROM accounts WHERE id = ?", "account " + id + " is gone", id);
  }

  @Override
  public Future<Void> insert(ApiKey key) {
    return write("INSERT INTO api_keys (id, account_id, key_hash, version, last_used_at, doc) VALUES (?, ?, ?, ?, ?, ?)",
        "key " + key.id() + " exists", key.id(), key.accountId(), key.hash(), key.version(), key.lastUsedAt(),
        Json.write(key).encode());
  }

  @Override
  public Future<Void> update(ApiKey key, long expectedVersion) {
    return write("UPDATE api_keys SET version = ?, doc = ? WHERE id = ? AND version = ?",
        "key " + key.id() + " changed meanwhile", key.version(), Json.write(key).encode(), key.id(), expectedVersion);
  }

  @Override
  public Future<Void> recordKeyUse(Map<String, Long> lastUsed) {
    return run(() -> transaction(() -> {
      try (PreparedStatement statement = connection.prepareStatement(
          "UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
        for (Map.Entry<String, Long> use : lastUsed.entrySet()) {
          statement.setLong(1, use.getValue());
          statement.setString(2, use.getKey());
          statement.addBatch();
        }
        statement.executeBatch();
      }
      return null;
    }));
  }

  @Override
  public Future<Void> deleteKey(String id) {
    return write("DELETE FROM api_keys WHERE id = ?", "key " + id + " is gone", id);
  }

  @Override
  public Future<Void> insert(Subscription subscription) {
    return write("INSERT INTO subscriptions (id, account_id, version, doc) VALUES (?, ?, ?, ?)",
        "subscription " + subscription.id() + " exists", subscription.id(), subscription.accountId(),
        subscription.version(), Json.write(subscription).encode());
  }

  @Override
  public Future<Void> update(Subscription subscription, long expectedVersion) {
    return write("UPDATE subscriptions SET account_id = ?, version = ?, doc = ? WHERE id = ? AND version = ?",
        "subscription " + subscription.id() + " changed meanwhile", subscription.accountId(), subscription.version(),
        Json.write(subscription).encode(), subscription.id(), expectedVersion);
  }

  @Override
  public Future<Void> deleteSubscription(String id) {
    return write("DELETE FROM subscriptions WHERE id = ?", "subscription " + id + " is gone", id);
  }

  @Override
  public Future<Void> close() {
    Future<Void> closed = run(() -> {
      connection.close();
      return null;
    });
    return closed.eventually(() -> worker.close());
  }

  /** Runs one statement that must change exactly one row, else fails with the conflict message. */
  private Future<Void> write(String sql, String conflict, Object... parameters) {
    return run(() -> {
      int changed;
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < parameters.length; i++) {
          Object value = parameters[i];
          if (value == null) {
            statement.setNull(i + 1, Types.NULL);
          } else {
            statement.setObject(i + 1, value);
          }
        }
        changed = statement.executeUpdate();
      } catch (SQLException e) {
        if (e.getMessage() != null && e.getMessage().contains("UNIQUE constraint failed")) {
          throw new StoreConflictException(conflict);
        }
        throw e;
      }
      if (changed != 1) {
        throw new StoreConflictException(conflict);
      }
      return null;
    });
  }

  private <T> T transaction(Callable<T> work) throws Exception {
    connection.setAutoCommit(false);
    try {
      T result = work.call();
      connection.commit();
      return result;
    } catch (Exception e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private <T> Future<T> run(Callable<T> work) {
    return worker.executeBlocking(work, true);
  }
}
