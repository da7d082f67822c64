package dev.switchboard.store;

import dev.switchboard.subscription.Account;
import dev.switchboard.subscription.ApiKey;
import dev.switchboard.subscription.Json;
import dev.switchboard.subscription.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The embedded {@link Store} on {@link SqliteDatabase}. Each row keeps the columns the database
 * must look up or guard (id, owner, version, key hash) and the resource's JSON form.
 */
public final class SqliteStore implements Store {

  private final SqliteDatabase database;

  private SqliteStore(SqliteDatabase database) {
    this.database = database;
  }

  /** Opens the store in {@code dataDir} (see {@link SqliteDatabase#open}). */
  public static Future<Store> open(Vertx vertx, Path dataDir) {
    return SqliteDatabase.open(vertx, dataDir).map(SqliteStore::new);
  }

  @Override
  public Future<Contents> load() {
    return database.call(connection -> {
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
    return database.changeOne("INSERT INTO accounts (id, parent_id, version, doc) VALUES (?, ?, ?, ?)",
        "account " + account.id() + " exists", account.id(), account.parentId(), account.version(),
        Json.write(account).encode());
  }

  @Override
  public Future<Void> update(Account account, long expectedVersion) {
    return database.changeOne("UPDATE accounts SET parent_id = ?, version = ?, doc = ? WHERE id = ? AND version = ?",
        "account " + account.id() + " changed meanwhile", account.parentId(), account.version(),
        Json.write(account).encode(), account.id(), expectedVersion);
  }

  @Override
  public Future<Void> deleteAccount(String id) {
    return database.changeOne("DELETE FROM accounts WHERE id = ?", "account " + id + " is gone", id);
  }

  @Override
  public Future<Void> insert(ApiKey key) {
    return database.changeOne(
        "INSERT INTO api_keys (id, account_id, key_hash, version, last_used_at, doc) VALUES (?, ?, ?, ?, ?, ?)",
        "key " + key.id() + " exists", key.id(), key.accountId(), key.hash(), key.version(), key.lastUsedAt(),
        Json.write(key).encode());
  }

  @Override
  public Future<Void> update(ApiKey key, long expectedVersion) {
    return database.changeOne("UPDATE api_keys SET version = ?, doc = ? WHERE id = ? AND version = ?",
        "key " + key.id() + " changed meanwhile", key.version(), Json.write(key).encode(), key.id(), expectedVersion);
  }

  @Override
  public Future<Void> recordKeyUse(Map<String, Long> lastUsed) {
    return database.transaction(connection -> {
      try (PreparedStatement statement = connection.prepareStatement("UPDATE api_keys SET last_used_at = ? WHERE id = ?")) {
        for (Map.Entry<String, Long> use : lastUsed.entrySet()) {
          statement.setLong(1, use.getValue());
          statement.setString(2, use.getKey());
          statement.addBatch();
        }
        statement.executeBatch();
      }
      return null;
    });
  }

  @Override
  public Future<Void> deleteKey(String id) {
    return database.changeOne("DELETE FROM api_keys WHERE id = ?", "key " + id + " is gone", id);
  }

  @Override
  public Future<Void> insert(Subscription subscription) {
    return database.changeOne("INSERT INTO subscriptions (id, account_id, version, doc) VALUES (?, ?, ?, ?)",
        "subscription " + subscription.id() + " exists", subscription.id(), subscription.accountId(),
        subscription.version(), Json.write(subscription).encode());
  }

  @Override
  public Future<Void> update(Subscription subscription, long expectedVersion) {
    return database.changeOne(
        "UPDATE subscriptions SET account_id = ?, version = ?, doc = ? WHERE id = ? AND version = ?",
        "subscription " + subscription.id() + " changed meanwhile", subscription.accountId(), subscription.version(),
        Json.write(subscription).encode(), subscription.id(), expectedVersion);
  }

  @Override
  public Future<Void> deleteSubscription(String id) {
    return database.changeOne("DELETE FROM subscriptions WHERE id = ?", "subscription " + id + " is gone", id);
  }

  @Override
  public Future<Void> close() {
    return database.close();
  }
}
