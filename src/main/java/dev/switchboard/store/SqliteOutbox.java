package dev.switchboard.store;

import dev.switchboard.event.Event;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedded outbox: its own SQLite file ({@code outbox.db}) beside the configuration store, so
 * the hot journal and its pruning never contend with account and subscription writes. WAL with
 * {@code synchronous=FULL}. Three tables: {@code events} (each journaled event once),
 * {@code pending} (one row per delivery not finished yet, deleted when it is) and {@code attempts}
 * (the delivery log). Sequence numbers are given here, in the order work runs, so a delivery's
 * number says when it was journaled.
 *
 * <p>Writes, and the reads the fan-out's bookkeeping depends on ({@link #pending}), join one queue;
 * whatever arrived while a transaction ran is done together in the next one (one fsync for many
 * events), in the order it was asked for, and each result is handed back after its transaction
 * commits. Reads for the API (the log, health, counts, size) go straight to the database thread. Attempt records alone wait a couple of
 * milliseconds for company before they commit, as nobody is answered on them.
 *
 * <p>Create and call it from one event loop (its owner's); the JDBC work runs on one worker thread.
 */
public final class SqliteOutbox implements Outbox {

  /** The file's name inside the data directory. */
  public static final String FILE_NAME = "outbox.db";

  private static final int PRUNE_CHUNK = 5_000;
  private static final long MEASURE_MILLIS = 100;
  private static final long LINGER_MILLIS = 2;
  private static final String MEASURE = "SELECT (page_count - freelist_count) * page_size"
      + " FROM pragma_page_count, pragma_freelist_count, pragma_page_size";

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
              + " consecutive_failures INTEGER NOT NULL, failing_since INTEGER, last_error TEXT)")),
      // Why: five indexes on every delivery row, and a finished delivery rewritten in place, made
      // the journal the fan-out's bottleneck. Now a delivery is one narrow row, deleted when done.
      new Schema.Migration(2, "pending deliveries apart from the log; events by number", List.of(
          "CREATE TABLE journal (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, ts_micros INTEGER NOT NULL,"
              + " created_at INTEGER NOT NULL, json TEXT NOT NULL)",
          "INSERT INTO journal (id, ts_micros, created_at, json)"
              + " SELECT id, ts_micros, created_at, json FROM events ORDER BY created_at, id",
          "CREATE INDEX journal_id ON journal (id)",
          "CREATE TABLE pending (seq INTEGER PRIMARY KEY, event_seq INTEGER NOT NULL, subscription_id TEXT NOT NULL,"
              + " order_key TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,"
              + " created_at INTEGER NOT NULL)",
          "INSERT INTO pending SELECT d.seq, j.seq, d.subscription_id, d.order_key, d.attempts, d.next_attempt_at,"
              + " d.created_at FROM deliveries d JOIN journal j ON j.id = d.event_id WHERE d.state = 'pending'",
          "CREATE TABLE log (id INTEGER PRIMARY KEY, subscription_id TEXT NOT NULL, delivery_seq INTEGER NOT NULL,"
              + " event_seq INTEGER NOT NULL, event_id TEXT NOT NULL, attempt INTEGER NOT NULL, at INTEGER NOT NULL,"
              + " status INTEGER, error TEXT, latency_ms INTEGER NOT NULL, outcome TEXT NOT NULL, next_attempt_at INTEGER)",
          "INSERT INTO log SELECT a.id, a.subscription_id, a.delivery_seq, j.seq, a.event_id, a.attempt, a.at,"
              + " a.status, a.error, a.latency_ms, a.outcome, a.next_attempt_at FROM attempts a"
              + " JOIN journal j ON j.id = a.event_id",
          "DROP TABLE attempts",
          "DROP TABLE deliveries",
          "DROP TABLE events",
          "DROP INDEX journal_id",
          "ALTER TABLE journal RENAME TO events",
          "ALTER TABLE log RENAME TO attempts",
          "CREATE INDEX pending_subscription ON pending (subscription_id, seq)",
          "CREATE INDEX attempts_subscription ON attempts (subscription_id, id)")));

  private final Vertx vertx;
  private final SqliteDatabase database;
  private final long maxBytes;
  private final List<Step<?>> queued = new ArrayList<>();
  /** Health as of the newest attempt per subscription, written once by the next commit. */
  private final Map<String, Health> healthToWrite = new LinkedHashMap<>();
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  /** The next numbers to give; used on the worker thread only, in the order work runs. */
  private final AtomicLong nextSeq;
  private final AtomicLong nextEventSeq;
  private boolean committing;
  /** Queued steps someone waits on (appends, reads): they commit at once. */
  private int urgent;
  private long lingerTimer = -1;
  private long sizeBytes;
  private volatile long measured;
  private volatile long measuredAt;

  private SqliteOutbox(Vertx vertx, SqliteDatabase database, long maxBytes, long[] next) {
    this.vertx = vertx;
    this.database = database;
    this.maxBytes = maxBytes;
    this.sizeBytes = next[0];
    this.measured = next[0];
    this.nextSeq = new AtomicLong(next[1]);
    this.nextEventSeq = new AtomicLong(next[2]);
  }

  /** Opens (creating and migrating when needed) {@code dataDir/outbox.db}. */
  public static Future<SqliteOutbox> open(Vertx vertx, Path dataDir, long maxBytes) {
    return SqliteDatabase.open(vertx, dataDir, FILE_NAME, MIGRATIONS)
        // Numbers go on after every one still referred to, pruned events included: a number
        // given twice could make a replay send one account's event to another's receiver.
        .compose(database -> database.call(connection -> new long[] {measure(connection),
                1 + Math.max(single(connection, "SELECT MAX(seq) FROM pending"),
                    single(connection, "SELECT MAX(delivery_seq) FROM attempts")),
                1 + Math.max(single(connection, "SELECT MAX(seq) FROM events"),
                    Math.max(single(connection, "SELECT MAX(event_seq) FROM pending"),
                        single(connection, "SELECT MAX(event_seq) FROM attempts")))})
            .map(next -> new SqliteOutbox(vertx, database, maxBytes, next)));
  }

  @Override
  public Future<List<Delivery>> append(List<NewDelivery> deliveries) {
    if (sizeBytes >= maxBytes) {
      return Future.failedFuture(new OutboxFullException("the outbox holds " + sizeBytes
          + " bytes, at its limit fanout.max_outbox_bytes = " + maxBytes + "; deliveries must drain first"));
    }
    return enqueue(connection -> {
      long now = System.currentTimeMillis();
      PreparedStatement insertEvent = prepared(connection,
          "INSERT INTO events (seq, id, ts_micros, created_at, json) VALUES (?, ?, ?, ?, ?)");
      PreparedStatement insertPending = prepared(connection, "INSERT INTO pending (seq, event_seq, subscription_id,"
          + " order_key, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)");
      List<Delivery> journaled = new ArrayList<>(deliveries.size());
      String lastEvent = null;
      long eventSeq = 0;
      for (NewDelivery item : deliveries) {
        Event event = item.event();
        if (!event.id().equals(lastEvent)) {
          lastEvent = event.id();
          eventSeq = nextEventSeq.getAndIncrement();
          insertEvent.setLong(1, eventSeq);
          insertEvent.setString(2, event.id());
          insertEvent.setLong(3, event.timestampMicros());
          insertEvent.setLong(4, now);
          insertEvent.setString(5, event.toJson());
          insertEvent.executeUpdate();
        }
        long seq = nextSeq.getAndIncrement();
        insertPending.setLong(1, seq);
        insertPending.setLong(2, eventSeq);
        insertPending.setString(3, item.subscriptionId());
        insertPending.setString(4, item.orderKey());
        insertPending.setLong(5, now);
        insertPending.setLong(6, now);
        insertPending.executeUpdate();
        journaled.add(new Delivery(seq, eventSeq, event.id(), item.subscriptionId(), item.orderKey(), event.toJson(),
            0, now));
      }
      return journaled;
    });
  }

  @Override
  public Future<List<Delivery>> pending(String subscriptionId, long afterSeq, int limit) {
    return enqueue(connection -> {
      PreparedStatement query = prepared(connection, "SELECT p.seq, p.event_seq, e.id, p.order_key, e.json,"
          + " p.attempts, p.next_attempt_at FROM pending p JOIN events e ON e.seq = p.event_seq"
          + " WHERE p.subscription_id = ? AND p.seq > ? ORDER BY p.seq LIMIT ?");
      query.setString(1, subscriptionId);
      query.setLong(2, afterSeq);
      query.setInt(3, limit);
      List<Delivery> found = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          found.add(new Delivery(rows.getLong(1), rows.getLong(2), rows.getString(3), subscriptionId,
              rows.getString(4), rows.getString(5), rows.getInt(6), rows.getLong(7)));
        }
      }
      return found;
    });
  }

  @Override
  public Future<Set<String>> subscriptionsWithPending() {
    return enqueue(connection -> {
      Set<String> found = new HashSet<>();
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT DISTINCT subscription_id FROM pending")) {
        while (rows.next()) {
          found.add(rows.getString(1));
        }
      }
      return found;
    });
  }

  @Override
  public Future<Void> record(Attempt attempt, Health health) {
    healthToWrite.put(health.subscriptionId(), health);
    return enqueueLingering(connection -> {
      Delivery delivery = attempt.delivery();
      if (attempt.state().equals("pending")) {
        PreparedStatement update = prepared(connection,
            "UPDATE pending SET attempts = ?, next_attempt_at = ? WHERE seq = ?");
        update.setInt(1, attempt.number());
        update.setLong(2, attempt.nextAttemptAt());
        update.setLong(3, delivery.seq());
        update.executeUpdate();
      } else {
        PreparedStatement delete = prepared(connection, "DELETE FROM pending WHERE seq = ?");
        delete.setLong(1, delivery.seq());
        delete.executeUpdate();
      }
      PreparedStatement insert = prepared(connection, "INSERT INTO attempts (subscription_id, delivery_seq,"
          + " event_seq, event_id, attempt, at, status, error, latency_ms, outcome, next_attempt_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      insert.setString(1, delivery.subscriptionId());
      insert.setLong(2, delivery.seq());
      insert.setLong(3, delivery.eventSeq());
      insert.setString(4, delivery.eventId());
      insert.setInt(5, attempt.number());
      insert.setLong(6, attempt.at());
      setLong(insert, 7, attempt.status() == 0 ? null : (long) attempt.status());
      insert.setString(8, attempt.error());
      insert.setLong(9, attempt.latencyMillis());
      insert.setString(10, attempt.outcome());
      setLong(insert, 11, attempt.nextAttemptAt());
      insert.executeUpdate();
      return null;
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
  public Future<List<Delivery>> replay(String subscriptionId, long sinceMicros, long untilMicros) {
    return enqueue(connection -> {
      long now = System.currentTimeMillis();
      List<Delivery> queuedAgain = new ArrayList<>();
      try (PreparedStatement query = connection.prepareStatement("SELECT DISTINCT e.seq, e.id, e.json, e.ts_micros"
          + " FROM attempts a JOIN events e ON e.seq = a.event_seq AND e.id = a.event_id"
          + " WHERE a.subscription_id = ? AND e.ts_micros >= ? AND e.ts_micros < ?"
          + " AND e.seq NOT IN (SELECT event_seq FROM pending WHERE subscription_id = ?)"
          + " ORDER BY e.ts_micros, e.seq")) {
        query.setString(1, subscriptionId);
        query.setLong(2, sinceMicros);
        query.setLong(3, untilMicros);
        query.setString(4, subscriptionId);
        PreparedStatement insert = prepared(connection, "INSERT INTO pending (seq, event_seq, subscription_id,"
            + " order_key, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)");
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            String json = rows.getString(3);
            String orderKey = NewDelivery.of(Event.fromJson(json), subscriptionId).orderKey();
            long seq = nextSeq.getAndIncrement();
            insert.setLong(1, seq);
            insert.setLong(2, rows.getLong(1));
            insert.setString(3, subscriptionId);
            insert.setString(4, orderKey);
            insert.setLong(5, now);
            insert.setLong(6, now);
            insert.executeUpdate();
            queuedAgain.add(new Delivery(seq, rows.getLong(1), rows.getString(2), subscriptionId, orderKey, json, 0,
                now));
          }
        }
      }
      return queuedAgain;
    });
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
      PreparedStatement count = prepared(connection, "SELECT COUNT(*) FROM pending WHERE subscription_id = ?");
      count.setString(1, subscriptionId);
      try (ResultSet rows = count.executeQuery()) {
        return rows.next() ? rows.getLong(1) : 0L;
      }
    });
  }

  @Override
  public Future<Integer> prune(long beforeMillis) {
    // In chunks, each its own step, so that appends waiting behind a large prune wait for one
    // chunk at most. Rows are numbered in time order, so the old ones are a prefix: walked, not
    // found through an index on time that every insert would pay for.
    return pruneAttempts(beforeMillis)
        .compose(ignored -> enqueue(connection -> {
          long first = single(connection, "SELECT IFNULL(MIN(seq), 0) FROM events");
          PreparedStatement firstKept = prepared(connection,
              "SELECT seq FROM events WHERE created_at >= ? ORDER BY seq LIMIT 1");
          firstKept.setLong(1, beforeMillis);
          try (ResultSet rows = firstKept.executeQuery()) {
            return new long[] {first, rows.next() ? rows.getLong(1) : nextEventSeq.get()};
          }
        }))
        .compose(range -> pruneEvents(range[0], range[1], 0));
  }

  private Future<Void> pruneAttempts(long beforeMillis) {
    return enqueue(connection -> {
      PreparedStatement oldest = prepared(connection,
          "SELECT MAX(id) FROM (SELECT id, at FROM attempts ORDER BY id LIMIT ?) WHERE at < ?");
      oldest.setInt(1, PRUNE_CHUNK);
      oldest.setLong(2, beforeMillis);
      Long upTo;
      try (ResultSet rows = oldest.executeQuery()) {
        upTo = rows.next() ? getLong(rows, 1) : null;
      }
      if (upTo == null) {
        return 0;
      }
      PreparedStatement delete = prepared(connection, "DELETE FROM attempts WHERE id <= ? AND at < ?");
      delete.setLong(1, upTo);
      delete.setLong(2, beforeMillis);
      return delete.executeUpdate();
    }).compose(deleted -> deleted < PRUNE_CHUNK ? Future.<Void>succeededFuture() : pruneAttempts(beforeMillis));
  }

  /** Deletes events numbered from {@code from} to before {@code cut} that no pending delivery needs. */
  private Future<Integer> pruneEvents(long from, long cut, int deletedSoFar) {
    if (from >= cut) {
      return Future.succeededFuture(deletedSoFar);
    }
    long to = Math.min(cut, from + PRUNE_CHUNK);
    return enqueue(connection -> {
      PreparedStatement delete = prepared(connection, "DELETE FROM events WHERE seq >= ? AND seq < ?"
          + " AND seq NOT IN (SELECT event_seq FROM pending WHERE event_seq >= ? AND event_seq < ?)");
      delete.setLong(1, from);
      delete.setLong(2, to);
      delete.setLong(3, from);
      delete.setLong(4, to);
      return delete.executeUpdate();
    }).compose(deleted -> pruneEvents(to, cut, deletedSoFar + deleted));
  }

  @Override
  public Future<Long> oldestEventAt() {
    return read(connection -> {
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT created_at FROM events ORDER BY seq LIMIT 1")) {
        return rows.next() ? rows.getLong(1) : null;
      }
    });
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
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(MEASURE)) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }

  /** The size after a commit, measured again at most every {@link #MEASURE_MILLIS} (worker thread only). */
  private long measureNow(Connection connection) throws SQLException {
    long now = System.currentTimeMillis();
    if (now - measuredAt >= MEASURE_MILLIS) {
      measuredAt = now;
      try (ResultSet rows = prepared(connection, MEASURE).executeQuery()) {
        measured = rows.next() ? rows.getLong(1) : 0;
      }
    }
    return measured;
  }

  private static long single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }

  /** Work that joins the next group commit, and its result. */
  private record Step<T>(SqliteDatabase.Work<T> work, Promise<T> done) {

    void run(Connection connection, List<Object> results) throws Exception {
      results.add(work.run(connection));
    }

    @SuppressWarnings("unchecked")
    void complete(Object result) {
      done.complete((T) result);
    }
  }

  private <T> Future<T> enqueue(SqliteDatabase.Work<T> work) {
    urgent++;
    return queue(work);
  }

  /**
   * Queues work that no caller is waiting on to answer anyone (an attempt record): it waits up
   * to {@link #LINGER_MILLIS} for company, so that a stream of records shares fewer fsyncs.
   */
  private <T> Future<T> enqueueLingering(SqliteDatabase.Work<T> work) {
    return queue(work);
  }

  private <T> Future<T> queue(SqliteDatabase.Work<T> work) {
    Promise<T> done = Promise.promise();
    queued.add(new Step<>(work, done));
    commitWhenDue();
    return done.future();
  }

  private void commitWhenDue() {
    if (committing || queued.isEmpty()) {
      return;
    }
    if (urgent > 0) {
      if (lingerTimer >= 0) {
        vertx.cancelTimer(lingerTimer);
        lingerTimer = -1;
      }
      commit();
    } else if (lingerTimer < 0) {
      lingerTimer = vertx.setTimer(LINGER_MILLIS, ignored -> {
        lingerTimer = -1;
        if (!committing && !queued.isEmpty()) {
          commit();
        }
      });
    }
  }

  private void commit() {
    committing = true;
    urgent = 0;
    List<Step<?>> batch = new ArrayList<>(queued);
    queued.clear();
    List<Health> health = new ArrayList<>(healthToWrite.values());
    healthToWrite.clear();
    List<Object> results = new ArrayList<>(batch.size());
    database.transaction(connection -> {
      for (Step<?> step : batch) {
        step.run(connection, results);
      }
      writeHealth(connection, health);
      return measureNow(connection);
    }).onComplete(result -> {
      if (result.succeeded()) {
        sizeBytes = result.result();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).complete(results.get(i));
        }
        committed();
      } else {
        health.forEach(latest -> healthToWrite.putIfAbsent(latest.subscriptionId(), latest));
        runAlone(batch, 0, result.cause());
      }
    });
  }

  /** After a batch failed: each step again in a transaction of its own, so one bad step fails alone. */
  private void runAlone(List<Step<?>> batch, int index, Throwable batchFailure) {
    if (index == batch.size()) {
      committed();
      return;
    }
    Step<?> step = batch.get(index);
    if (batch.size() == 1) {
      step.done().fail(batchFailure);
      committed();
      return;
    }
    database.transaction(connection -> step.work().run(connection)).onComplete(alone -> {
      if (alone.succeeded()) {
        step.complete(alone.result());
      } else {
        step.done().fail(alone.cause());
      }
      runAlone(batch, index + 1, batchFailure);
    });
  }

  private void committed() {
    committing = false;
    commitWhenDue();
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
