package dev.switchboard.fanout;

import dev.switchboard.event.Event;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The durable record of what must be delivered: one delivery per event and matching subscription,
 * written before the event is acknowledged, and every attempt made on it. Every method is
 * asynchronous and safe on an event loop; writes are group-committed, so many events share one
 * transaction. {@link #append}, {@link #pending}, {@link #record}, {@link #replay} and
 * {@link #prune} take effect, and complete, in the order they are called.
 * {@code store.SqliteOutbox} is the embedded implementation.
 */
public interface Outbox {

  /**
   * Journals deliveries; succeeds once they are durable, with each one as journaled (its sequence
   * number assigned). Fails with {@link OutboxFullException} at the size limit.
   */
  Future<List<Delivery>> append(List<NewDelivery> deliveries);

  /**
   * A subscription's pending deliveries after a sequence number, in sequence order (which is the
   * order they were journaled in), with their event. Runs after every write asked for before it,
   * so what it returns and what is appended after it never overlap nor leave a gap.
   */
  Future<List<Delivery>> pending(String subscriptionId, long afterSeq, int limit);

  /** The subscriptions that have pending deliveries. */
  Future<Set<String>> subscriptionsWithPending();

  /** Records an attempt and what it leaves the delivery as, with the subscription's health. */
  Future<Void> record(Attempt attempt, Health health);

  /** A subscription's attempts, newest first; {@code outcome} and {@code beforeId} may be {@code null}. */
  Future<List<JsonObject>> attempts(String subscriptionId, String outcome, Long beforeId, int limit);

  /**
   * Journals again every event of the window (event timestamps, microseconds) that was delivered,
   * or tried, for the subscription and is not pending already.
   *
   * @return the deliveries queued, in event time order
   */
  Future<List<Delivery>> replay(String subscriptionId, long sinceMicros, long untilMicros);

  /** Every subscription's health as last recorded. */
  Future<Map<String, Health>> health();

  /** Pending deliveries of one subscription. */
  Future<Long> pendingCount(String subscriptionId);

  /**
   * Deletes attempt records and journaled events older than the cutoff, keeping every event a
   * pending delivery still needs; returns how many events were deleted.
   */
  Future<Integer> prune(long beforeMillis);

  /** When the oldest journaled event still kept was journaled (Unix ms), or {@code null} when there is none. */
  Future<Long> oldestEventAt();

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

  /**
   * A journaled delivery.
   *
   * @param seq its place in the journal: later deliveries have larger numbers
   * @param eventSeq the journaled event's number
   * @param eventJson the event as {@link Event#toJson()} wrote it
   * @param attempts attempts made so far
   * @param nextAttemptAt when it is due (Unix ms)
   */
  record Delivery(long seq, long eventSeq, String eventId, String subscriptionId, String orderKey, String eventJson,
      int attempts, long nextAttemptAt) {

    /** The same delivery after an attempt that leaves it pending, due again at {@code nextAttemptAt}. */
    public Delivery retried(int attemptsMade, long dueAt) {
      return new Delivery(seq, eventSeq, eventId, subscriptionId, orderKey, eventJson, attemptsMade, dueAt);
    }
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
