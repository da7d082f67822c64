package dev.switchboard.store;

import dev.switchboard.fanout.Outbox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded outbox: its own SQLite file ({@code outbox.db}) beside the configuration store, so
 * the hot journal and its pruning never contend with account and subscription writes. WAL with
 * {@code synchronous=FULL}; appends and attempt records are queued and committed together, one
 * transaction (one fsync) for everything that arrived while the previous commit ran.
 *
 * <p>Create and call it from one event loop (its owner's); the JDBC work runs on one worker thread.
 */
public final class SqliteOutbox implements Outbox {

  /** The file's name inside the data directory. */
  public static final String FILE_NAME = "outbox.db";

  static final List<Schema.Migration> MIGRATIONS = List.of(
      new Schema.Migration(1, "events, deliveries, attempts and health", List.of(
          "CREATE TABLE events (id TEXT PRIMARY KEY, ts_micros INTEGER NOT NULL, created_at INTEGER NOT NULL,"
              + " json TEXT NOT NULL)",
          "CREATE TABLE deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL,"
              + " subscription_id TEXT NOT NULL, order_key TEXT NOT NULL, state TEXT NOT NULL,"
              + " attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL,"
              + " completed_at INTEGER, last_status INTEGER, last_error TEXT)",
          "CREATE INDEX deliveries_pending ON deliveries (seq) WHERE state = 'pending'",
          "CREATE INDEX deliveries_order ON deliveries (subscription_id, order_key, seq) WHERE state = 'pending'",
          "CREATE INDEX deliveries_event ON deliveries (event_id)",
          "CREATE INDEX deliveries_subscription ON deliveries (subscription_id, event_id)",
          "CREATE INDEX deliveries_completed ON deliveries (completed_at)",
          "CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, subscription_id TEXT NOT NULL,"
              + " delivery_seq INTEGER NOT NULL, event_id TEXT NOT NULL, attempt INTEGER NOT NULL, at INTEGER NOT NULL,"
              + " status INTEGER, error TEXT, latency_ms INTEGER NOT NULL, outcome TEXT NOT NULL, next_attempt_at INTEGER)",
          "CREATE INDEX attempts_subscription ON attempts (subscription_id, id)",
          "CREATE INDEX attempts_at ON attempts (at)",
          "CREATE TABLE health (subscription_id TEXT PRIMARY KEY, last_success_at INTEGER, last_failure_at INTEGER,"
              + " consecutive_failures INTEGER NOT NULL, failing_since INTEGER, last_error TEXT)")));

  private final Vertx vertx;
  private final SqliteDatabase database;
  private final long maxBytes;
  private final List<Write> queued = new ArrayList<>();
  /** Health as of the newest attempt per subscription, written once by the next commit. */
  private final Map<String, Health> healthToWrite = new LinkedHashMap<>();
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private boolean committing;
  private long sizeBytes;

  private SqliteOutbox(Vertx vertx, SqliteDatabase database, long maxBytes) {
    this.vertx = vertx;
    this.database = database;
    this.maxBytes = maxBytes;
  }

  /** Opens (creating and migrating when needed) {@code dataDir/outbox.db}. */
  public static Future<SqliteOutbox> open(Vertx vertx, Path dataDir, long maxBytes) {
    return SqliteDatabase.open(vertx, dataDir, FILE_NAME, MIGRATIONS)
        .compose(database -> database.call(SqliteOutbox::measure)
            .map(size -> {
              SqliteOutbox outbox = new SqliteOutbox(vertx, database, maxBytes);
              outbox.sizeBytes = size;
              return outbox;
            }));
  }

  @Override
  public Future<Void> append(List<NewDelivery> deliveries) {
    if (sizeBytes >= maxBytes) {
      return Future.failedFuture(new OutboxFullException("the outbox holds " + sizeBytes
          + " bytes, at its limit fanout.max_outbox_bytes = " + maxBytes + "; deliveries must drain first"));
    }
    return enqueue(connection -> {
      long now = System.currentTimeMillis();
      PreparedStatement event = prepared(connection,
          "INSERT OR IGNORE INTO events (id, ts_micros, created_at, json) VALUES (?, ?, ?, ?)");
      PreparedStatement delivery = prepared(connection, "INSERT INTO deliveries (event_id, subscription_id,"
          + " order_key, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)");
      String lastEvent = null;
      for (NewDelivery item : deliveries) {
        if (!item.event().id().equals(lastEvent)) {
          event.setString(1, item.event().id());
          event.setLong(2, item.event().timestampMicros());
          event.setLong(3, now);
          event.setString(4, item.event().toJson());
          event.addBatch();
          lastEvent = item.event().id();
        }
        delivery.setString(1, item.event().id());
        delivery.setString(2, item.subscriptionId());
        delivery.setString(3, item.orderKey());
        delivery.setLong(4, now);
        delivery.setLong(5, now);
        delivery.addBatch();
      }
      event.executeBatch();
      delivery.executeBatch();
    });
  }

  @Override
  public Future<List<Delivery>> due(long nowMillis, int limit, Collection<String> paused) {
    return read(connection -> {
      StringBuilder sql = new StringBuilder("SELECT d.seq, d.event_id, d.subscription_id, d.order_key, e.json, d.attempts"
          + " FROM deliveries d JOIN events e ON e.id = d.event_id"
          + " WHERE d.state = 'pending' AND d.next_attempt_at <= ?"
          + " AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.subscription_id = d.subscription_id"
          + " AND p.order_key = d.order_key AND p.state = 'pending' AND p.seq < d.seq)");
      if (!paused.isEmpty()) {
        sql.append(" AND d.subscription_id NOT IN (").append("?,".repeat(paused.size() - 1)).append("?)");
      }
      sql.append(" ORDER BY d.seq LIMIT ?");
      try (PreparedStatement query = connection.prepareStatement(sql.toString())) {
        int index = 1;
        query.setLong(index++, nowMillis);
        for (String id : paused) {
          query.setString(index++, id);
        }
        query.setInt(index, limit);
        List<Delivery> found = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            found.add(new Delivery(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5), rows.getInt(6)));
          }
        }
        return found;
      }
    });
  }

  @Override
  public Future<Void> record(Attempt attempt, Health health) {
    healthToWrite.put(health.subscriptionId(), health);
    return enqueue(connection -> {
      Delivery delivery = attempt.delivery();
      boolean finished = !attempt.state().equals("pending");
      PreparedStatement update = prepared(connection, "UPDATE deliveries SET state = ?, attempts = ?,"
          + " next_attempt_at = ?, completed_at = ?, last_status = ?, last_error = ? WHERE seq = ?");
      PreparedStatement insert = prepared(connection, "INSERT INTO attempts (subscription_id, delivery_seq,"
          + " event_id, attempt, at, status, error, latency_ms, outcome, next_attempt_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      update.setString(1, attempt.state());
      update.setInt(2, attempt.number());
      update.setLong(3, attempt.nextAttemptAt() == null ? Long.MAX_VALUE : attempt.nextAttemptAt());
      setLong(update, 4, finished ? attempt.at() : null);
      setLong(update, 5, attempt.status() == 0 ? null : (long) attempt.status());
      update.setString(6, attempt.error());
      update.setLong(7, delivery.seq());
      update.executeUpdate();
      insert.setString(1, delivery.subscriptionId());
      insert.setLong(2, delivery.seq());
      insert.setString(3, delivery.eventId());
      insert.setInt(4, attempt.number());
      insert.setLong(5, attempt.at());
      setLong(insert, 6, attempt.status() == 0 ? null : (long) attempt.status());
      insert.setString(7, attempt.error());
      insert.setLong(8, attempt.latencyMillis());
      insert.setString(9, attempt.outcome());
      setLong(insert, 10, attempt.nextAttemptAt());
      insert.executeUpdate();
    });
  }

  private void writeHealth(Connection connection, Collection<Health> latest) throws SQLException {
    PreparedStatement upsert = prepared(connection, "INSERT INTO health (subscription_id, last_success_at,"
        + " last_failure_at, consecutive_failures, failing_since, last_error) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (subscription_id) DO UPDATE SET last_success_at = excluded.last_success_at,"
        + " last_failure_at = excluded.last_failure_at, consecutive_failures = excluded.consecutive_failures,"
        + " failing_since = excluded.failing_since, last_error = excluded.last_error");
    for (Health health : latest) {
      upsert.setString(1, health.subscriptionId());
      setLong(upsert, 2, health.lastSuccessAt());
      setLong(upsert, 3, health.lastFailureAt());
      upsert.setInt(4, health.consecutiveFailures());
      setLong(upsert, 5, health.failingSince());
      upsert.setString(6, health.lastError());
      upsert.executeUpdate();
    }
  }

  @Override
  public Future<List<JsonObject>> attempts(String subscriptionId, String outcome, Long beforeId, int limit) {
    return read(connection -> {
      String sql = "SELECT id, event_id, attempt, at, status, error, latency_ms, outcome, next_attempt_at"
          + " FROM attempts WHERE subscription_id = ?" + (outcome == null ? "" : " AND outcome = ?")
          + (beforeId == null ? "" : " AND id < ?") + " ORDER BY id DESC LIMIT ?";
      try (PreparedStatement query = connection.prepareStatement(sql)) {
        int index = 1;
        query.setString(index++, subscriptionId);
        if (outcome != null) {
          query.setString(index++, outcome);
        }
        if (beforeId != null) {
          query.setLong(index++, beforeId);
        }
        query.setInt(index, limit);
        List<JsonObject> found = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            JsonObject attempt = new JsonObject()
                .put("id", rows.getLong(1))
                .put("event_id", rows.getString(2))
                .put("attempt", rows.getInt(3))
                .put("at", rows.getLong(4));
            long status = rows.getLong(5);
            attempt.put("status", rows.wasNull() ? null : status)
                .put("error", rows.getString(6))
                .put("latency_ms", rows.getLong(7))
                .put("outcome", rows.getString(8));
            long next = rows.getLong(9);
            attempt.put("next_attempt_at", rows.wasNull() ? null : next);
            found.add(attempt);
          }
        }
        return found;
      }
    });
  }

  @Override
  public Future<Integer> replay(String subscriptionId, long sinceMicros, long untilMicros) {
    Promise<Integer> count = Promise.promise();
    enqueue(connection -> {
      long now = System.currentTimeMillis();
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO deliveries (event_id, subscription_id,"
          + " order_key, state, attempts, next_attempt_at, created_at)"
          + " SELECT d.event_id, d.subscription_id, MIN(d.order_key), 'pending', 0, ?, ? FROM deliveries d"
          + " JOIN events e ON e.id = d.event_id"
          + " WHERE d.subscription_id = ? AND e.ts_micros >= ? AND e.ts_micros < ?"
          + " AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.subscription_id = d.subscription_id"
          + " AND p.event_id = d.event_id AND p.state = 'pending')"
          + " GROUP BY d.event_id ORDER BY MIN(e.ts_micros), MIN(d.seq)")) {
        insert.setLong(1, now);
        insert.setLong(2, now);
        insert.setString(3, subscriptionId);
        insert.setLong(4, sinceMicros);
        insert.setLong(5, untilMicros);
        count.complete(insert.executeUpdate());
      }
    }).onFailure(count::tryFail);
    return count.future();
  }

  @Override
  public Future<Map<String, Health>> health() {
    return read(connection -> {
      Map<String, Health> all = new HashMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT subscription_id, last_success_at, last_failure_at,"
              + " consecutive_failures, failing_since, last_error FROM health")) {
        while (rows.next()) {
          all.put(rows.getString(1), new Health(rows.getString(1), getLong(rows, 2), getLong(rows, 3), rows.getInt(4),
              getLong(rows, 5), rows.getString(6)));
        }
      }
      return all;
    });
  }

  @Override
  public Future<Long> pendingCount(String subscriptionId) {
    return read(connection -> {
      PreparedStatement count = prepared(connection,
          "SELECT COUNT(*) FROM deliveries WHERE subscription_id = ? AND state = 'pending'");
      count.setString(1, subscriptionId);
      try (ResultSet rows = count.executeQuery()) {
        return rows.next() ? rows.getLong(1) : 0L;
      }
    });
  }

  @Override
  public Future<Integer> prune(long beforeMillis) {
    Promise<Integer> pruned = Promise.promise();
    enqueue(connection -> {
      try (PreparedStatement deliveries = connection.prepareStatement(
          "DELETE FROM deliveries WHERE state <> 'pending' AND completed_at < ?");
          PreparedStatement attempts = connection.prepareStatement("DELETE FROM attempts WHERE at < ?");
          PreparedStatement events = connection.prepareStatement("DELETE FROM events WHERE created_at < ?"
              + " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)")) {
        deliveries.setLong(1, beforeMillis);
        int deleted = deliveries.executeUpdate();
        attempts.setLong(1, beforeMillis);
        attempts.executeUpdate();
        events.setLong(1, beforeMillis);
        events.executeUpdate();
        pruned.complete(deleted);
      }
    }).onFailure(pruned::tryFail);
    return pruned.future();
  }

  @Override
  public Future<Long> sizeBytes() {
    return read(SqliteOutbox::measure).onSuccess(size -> sizeBytes = size);
  }

  @Override
  public Future<Void> close() {
    Promise<Void> drained = Promise.promise();
    whenIdle(drained);
    return drained.future()
        .compose(ignored -> database.call(connection -> {
          for (PreparedStatement statement : statements.values()) {
            statement.close();
          }
          return null;
        }))
        .eventually(database::close)
        .mapEmpty();
  }

  private void whenIdle(Promise<Void> drained) {
    if (!committing && queued.isEmpty()) {
      drained.complete();
    } else {
      vertx.setTimer(5, ignored -> whenIdle(drained));
    }
  }

  /** A statement prepared once and kept for the connection's life (worker thread only). */
  private PreparedStatement prepared(Connection connection, String sql) throws SQLException {
    PreparedStatement statement = statements.get(sql);
    if (statement == null) {
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    }
    return statement;
  }

  private static long measure(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count, pragma_freelist_count,"
                + " pragma_page_size")) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }

  /** A write that joins the next group commit. */
  private interface SqlWork {
    void run(Connection connection) throws SQLException;
  }

  private record Write(SqlWork work, Promise<Void> done) {
  }

  private Future<Void> enqueue(SqlWork work) {
    Promise<Void> done = Promise.promise();
    queued.add(new Write(work, done));
    if (!committing) {
      commit();
    }
    return done.future();
  }

  private void commit() {
    committing = true;
    List<Write> batch = new ArrayList<>(queued);
    queued.clear();
    List<Health> health = new ArrayList<>(healthToWrite.values());
    healthToWrite.clear();
    database.transaction(connection -> {
      for (Write write : batch) {
        write.work().run(connection);
      }
      writeHealth(connection, health);
      return measure(connection);
    }).onComplete(result -> {
      committing = false;
      if (result.succeeded()) {
        sizeBytes = result.result();
        batch.forEach(write -> write.done().complete());
      } else {
        health.forEach(latest -> healthToWrite.putIfAbsent(latest.subscriptionId(), latest));
        batch.forEach(write -> write.done().fail(result.cause()));
      }
      if (!queued.isEmpty()) {
        commit();
      }
    });
  }

  private <T> Future<T> read(SqliteDatabase.Work<T> query) {
    return database.call(query);
  }

  private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setLong(index, value);
    }
  }

  private static Long getLong(ResultSet rows, int index) throws SQLException {
    long value = rows.getLong(index);
    return rows.wasNull() ? null : value;
  }
}
