package dev.switchboard.fanout;

import dev.switchboard.event.Event;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The durable record of what must be delivered: one delivery per event and matching subscription,
 * written before the event is acknowledged, and every attempt made on it. Every method is
 * asynchronous and safe on an event loop; writes are group-committed, so many events share one
 * transaction. {@code store.SqliteOutbox} is the embedded implementation.
 */
public interface Outbox {

  /** Journals deliveries; succeeds once they are durable. Fails with {@link OutboxFullException} at the size limit. */
  Future<Void> append(List<NewDelivery> deliveries);

  /**
   * Deliveries due now, oldest first, each the oldest pending one of its subscription and order
   * key (so a call's events go out one at a time, in order).
   *
   * @param paused subscriptions whose deliveries wait (disabled ones)
   */
  Future<List<Delivery>> due(long nowMillis, int limit, Collection<String> paused);

  /** Records an attempt and what it leaves the delivery as, with the subscription's health. */
  Future<Void> record(Attempt attempt, Health health);

  /** A subscription's attempts, newest first; {@code outcome} and {@code beforeId} may be {@code null}. */
  Future<List<JsonObject>> attempts(String subscriptionId, String outcome, Long beforeId, int limit);

  /**
   * Queues again every event of the window (event timestamps, microseconds) that was journaled for
   * the subscription and is not pending already.
   *
   * @return how many deliveries were queued
   */
  Future<Integer> replay(String subscriptionId, long sinceMicros, long untilMicros);

  /** Every subscription's health as last recorded. */
  Future<Map<String, Health>> health();

  /** Pending deliveries of one subscription. */
  Future<Long> pendingCount(String subscriptionId);

  /** Deletes finished deliveries, attempts and events older than the cutoff; returns deliveries deleted. */
  Future<Integer> prune(long beforeMillis);

  /** Bytes the outbox holds on disk. */
  Future<Long> sizeBytes();

  /** Finishes pending writes and closes. */
  Future<Void> close();

  /** One delivery to journal. */
  record NewDelivery(Event event, String subscriptionId, String orderKey) {

    /**
     * A delivery of the event to the subscription, ordered with the other events of its call: the
     * same {@code key} field, else the same {@code call_id}; an event with neither stands alone.
     */
    public static NewDelivery of(Event event, String subscriptionId) {
      Object key = event.fields().get("key");
      if (key == null) {
        key = event.fields().get("call_id");
      }
      return new NewDelivery(event, subscriptionId, key == null ? "event:" + event.id() : "key:" + key);
    }
  }

  /** A journaled delivery. */
  record Delivery(long seq, String eventId, String subscriptionId, String orderKey, String eventJson, int attempts) {
  }

  /**
   * One attempt and its consequence.
   *
   * @param state the delivery's state after it: {@code pending}, {@code delivered} or {@code failed}
   * @param nextAttemptAt when a pending delivery is due again (Unix ms), else {@code null}
   * @param status the HTTP status, or {@code 0} when there was no response
   * @param outcome {@code delivered}, {@code retrying}, {@code failed} or {@code gone}
   */
  record Attempt(Delivery delivery, int number, long at, int status, String error, long latencyMillis,
      String outcome, String state, Long nextAttemptAt) {
  }

  /** A subscription's delivery health. Times in Unix ms, {@code null} when never. */
  record Health(String subscriptionId, Long lastSuccessAt, Long lastFailureAt, int consecutiveFailures,
      Long failingSince, String lastError) {

    /** Health after an attempt. */
    public Health after(boolean success, long at, String error) {
      if (success) {
        return new Health(subscriptionId, at, lastFailureAt, 0, null, lastError);
      }
      return new Health(subscriptionId, lastSuccessAt, at, consecutiveFailures + 1,
          failingSince == null ? at : failingSince, error);
    }

    /** No attempts yet. */
    public static Health none(String subscriptionId) {
      return new Health(subscriptionId, null, null, 0, null, null);
    }
  }

  /** The outbox reached {@code fanout.max_outbox_bytes}; nothing more is accepted until it drains. */
  final class OutboxFullException extends RuntimeException {
    /** @param message names the limit */
    public OutboxFullException(String message) {
      super(message, null, false, false);
    }
  }
}
