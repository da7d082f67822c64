package dev.switchboard.store;

import static dev.switchboard.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.event.Event;
import dev.switchboard.fanout.Outbox;
import dev.switchboard.fanout.Outbox.Attempt;
import dev.switchboard.fanout.Outbox.Delivery;
import dev.switchboard.fanout.Outbox.Health;
import dev.switchboard.fanout.Outbox.NewDelivery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox on its own: numbering, reading back, finishing, pruning, and an upgrade from schema 1. */
class SqliteOutboxTest {

  @TempDir
  Path dataDir;
  Vertx vertx;
  Context context;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  /** The outbox is called from its owner's event loop. */
  private <T> T on(Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    context.runOnContext(ignored -> call.get().onComplete(result));
    return await(result.future());
  }

  private SqliteOutbox open() {
    return on(() -> SqliteOutbox.open(vertx, dataDir, 1L << 30));
  }

  private static Event call(String id, String callId) {
    return Event.fromJson("{\"class\":\"call\",\"event\":\"ringing\",\"timestamp\":1.000000,\"id\":\"" + id
        + "\",\"call_id\":\"" + callId + "\"}");
  }

  @Test
  void journalsInOrderReadsBackAfterASequenceNumberAndForgetsWhatIsFinished() {
    SqliteOutbox outbox = open();
    Event first = call("e1", "c1");
    Event second = call("e2", "c1");
    List<Delivery> journaled = on(() -> outbox.append(List.of(NewDelivery.of(first, "s1"), NewDelivery.of(first, "s2"),
        NewDelivery.of(second, "s1"))));
    assertEquals(3, journaled.size());
    assertTrue(journaled.get(0).seq() < journaled.get(1).seq() && journaled.get(1).seq() < journaled.get(2).seq());
    assertEquals(journaled.get(0).eventSeq(), journaled.get(1).eventSeq(), "one event row for both subscriptions");
    assertEquals("key:c1", journaled.get(0).orderKey());
    assertEquals(Set.of("s1", "s2"), on(outbox::subscriptionsWithPending));

    List<Delivery> s1 = on(() -> outbox.pending("s1", 0, 10));
    assertEquals(List.of("e1", "e2"), s1.stream().map(Delivery::eventId).toList());
    assertEquals(first.toJson(), s1.get(0).eventJson());
    assertEquals(List.of("e2"), on(() -> outbox.pending("s1", s1.get(0).seq(), 10)).stream().map(Delivery::eventId).toList());

    long now = System.currentTimeMillis();
    Delivery d = s1.get(0);
    on(() -> outbox.record(new Attempt(d, 1, now, 503, "HTTP 503", 3, "retrying", "pending", now + 5_000),
        Health.none("s1").after(false, now, "HTTP 503")));
    Delivery retrying = on(() -> outbox.pending("s1", 0, 1)).get(0);
    assertEquals(1, retrying.attempts());
    assertEquals(now + 5_000, retrying.nextAttemptAt());
    on(() -> outbox.record(new Attempt(retrying, 2, now, 200, null, 2, "delivered", "delivered", null),
        Health.none("s1").after(true, now, null)));
    assertEquals(1L, on(() -> outbox.pendingCount("s1")));
    List<JsonObject> log = on(() -> outbox.attempts("s1", null, null, 10));
    assertEquals(List.of("delivered", "retrying"), log.stream().map(a -> a.getString("outcome")).toList());

    assertEquals(0, on(() -> outbox.prune(now - 60_000)), "nothing is old yet");
    on(outbox::close);
    SqliteOutbox reopened = open();
    List<Delivery> more = on(() -> reopened.append(List.of(NewDelivery.of(call("e3", "c2"), "s1"))));
    assertTrue(more.get(0).seq() > journaled.get(2).seq(), "numbers go on after a restart");
    assertTrue(more.get(0).eventSeq() > journaled.get(2).eventSeq());
    on(reopened::close);
  }

  @Test
  void pruningKeepsWhatAPendingDeliveryNeeds() {
    SqliteOutbox outbox = open();
    List<Delivery> journaled = on(() -> outbox.append(List.of(NewDelivery.of(call("e1", "c1"), "s1"),
        NewDelivery.of(call("e2", "c2"), "s1"))));
    long now = System.currentTimeMillis();
    on(() -> outbox.record(new Attempt(journaled.get(0), 1, now, 200, null, 1, "delivered", "delivered", null),
        Health.none("s1")));
    assertEquals(1, on(() -> outbox.prune(now + 60_000)), "the delivered event goes, the pending one stays");
    assertEquals(List.of(), on(() -> outbox.attempts("s1", null, null, 10)));
    assertEquals(List.of("e2"), on(() -> outbox.pending("s1", 0, 10)).stream().map(Delivery::eventId).toList());
    on(outbox::close);
  }

  @Test
  void anOutboxFromSchemaOneKeepsItsPendingDeliveriesAndLog() throws Exception {
    on(() -> SqliteDatabase.open(vertx, dataDir, SqliteOutbox.FILE_NAME, SqliteOutbox.MIGRATIONS.subList(0, 1))
        .compose(SqliteDatabase::close));
    Event event = call("e1", "c1");
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteOutbox.FILE_NAME));
        Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO events VALUES ('e1', 1, 1000, '" + event.toJson() + "')");
      statement.execute("INSERT INTO deliveries (seq, event_id, subscription_id, order_key, state, attempts,"
          + " next_attempt_at, created_at) VALUES (7, 'e1', 's1', 'key:c1', 'pending', 2, 5000, 1000)");
      statement.execute("INSERT INTO deliveries (seq, event_id, subscription_id, order_key, state, attempts,"
          + " next_attempt_at, created_at, completed_at) VALUES (8, 'e1', 's2', 'key:c1', 'delivered', 1, 0, 1000, 2000)");
      statement.execute("INSERT INTO attempts (subscription_id, delivery_seq, event_id, attempt, at, status, error,"
          + " latency_ms, outcome, next_attempt_at) VALUES ('s2', 8, 'e1', 1, 2000, 200, NULL, 5, 'delivered', NULL)");
    }

    SqliteOutbox outbox = open();
    assertEquals(Set.of("s1"), on(outbox::subscriptionsWithPending));
    Delivery pending = on(() -> outbox.pending("s1", 0, 10)).get(0);
    assertEquals(7, pending.seq());
    assertEquals(2, pending.attempts());
    assertEquals(5000, pending.nextAttemptAt());
    assertEquals(event.toJson(), pending.eventJson());
    assertEquals("delivered", on(() -> outbox.attempts("s2", null, null, 10)).get(0).getString("outcome"));
    List<Delivery> replayed = on(() -> outbox.replay("s2", 0, Long.MAX_VALUE));
    assertEquals(1, replayed.size(), "the migrated log still drives a replay");
    assertTrue(replayed.get(0).seq() > 8, "new numbers after the migrated ones");
    on(outbox::close);
  }

  @Test
  void numbersAreNotGivenAgainAfterAPruneAndARestartSoAReplayStaysInItsSubscription() {
    SqliteOutbox outbox = open();
    List<Delivery> first = on(() -> outbox.append(List.of(NewDelivery.of(call("e1", "c1"), "sA"))));
    long now = System.currentTimeMillis();
    on(() -> outbox.record(new Attempt(first.get(0), 1, now + 10_000, 200, null, 1, "delivered", "delivered", null),
        Health.none("sA")));
    assertEquals(1, on(() -> outbox.prune(now + 5_000)), "the event goes; its attempt, newer, stays");
    on(outbox::close);

    SqliteOutbox reopened = open();
    List<Delivery> other = on(() -> reopened.append(List.of(NewDelivery.of(call("secret-of-B", "c9"), "sB"))));
    assertTrue(other.get(0).eventSeq() > first.get(0).eventSeq());
    assertTrue(other.get(0).seq() > first.get(0).seq());
    assertEquals(List.of(), on(() -> reopened.replay("sA", 0, Long.MAX_VALUE)), "sA's event is gone; nothing else is sA's");
    on(reopened::close);
  }
}
