package dev.switchboard.ingest;

import dev.switchboard.event.Event;
import dev.switchboard.intake.Intake;
import dev.switchboard.intake.IntakeUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands an adapter's events to {@link Intake} in the order they were offered: one batch in flight
 * at a time, so events of one call never overtake each other. For sources that cannot be told to
 * retry (mirrored SIP, datagrams), a refused batch is retried with backoff a few times before it
 * is dropped and counted. Bounded: offers past the limit are dropped and counted at once.
 *
 * <p>Use from one event-loop context (the adapter verticle's).
 */
public final class IntakeQueue {

  private static final Logger LOG = System.getLogger(IntakeQueue.class.getName());
  private static final int MAX_ATTEMPTS = 6;
  private static final long FIRST_RETRY_MS = 50;
  private static final int ADAPTER_LIMIT = 100_000;
  private static final int ADAPTER_BATCH = 500;

  private record Entry(Event event, Promise<Void> accepted) {
  }

  private final Vertx vertx;
  private final Intake intake;
  private final int limit;
  private final int maxBatch;
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, 10_000);
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private List<Entry> inFlight;
  private Promise<Void> emptied;
  private long submitted;
  private long dropped;

  /**
   * @param limit the most events waiting (beyond it, offers are dropped)
   * @param maxBatch the most events handed over in one batch
   */
  public IntakeQueue(Vertx vertx, Intake intake, int limit, int maxBatch) {
    this.vertx = vertx;
    this.intake = intake;
    this.limit = limit;
    this.maxBatch = maxBatch;
  }

  /**
   * The queue an ingest adapter uses: intake's own timeout ({@code intake.timeout_ms}), up to
   * 100,000 events waiting, batches of up to 500.
   *
   * @param config the whole gateway configuration
   */
  public static IntakeQueue forAdapter(Vertx vertx, JsonObject config) {
    return new IntakeQueue(vertx, new Intake(vertx, config.getJsonObject("intake").getLong("timeout_ms")),
        ADAPTER_LIMIT, ADAPTER_BATCH);
  }

  /** Queues an event; nobody waits for the outcome. */
  public void offer(Event event) {
    enqueue(event, null);
  }

  /** Queues an event; the future succeeds once intake accepted it, fails when it was dropped. */
  public Future<Void> offerAndWait(Event event) {
    Promise<Void> accepted = Promise.promise();
    enqueue(event, accepted);
    return accepted.future();
  }

  /** Succeeds once every queued event was handed over or dropped (for a clean stop). */
  public Future<Void> drained() {
    if (queue.isEmpty() && inFlight == null) {
      return Future.succeededFuture();
    }
    if (emptied == null) {
      emptied = Promise.promise();
    }
    return emptied.future();
  }

  /** Events intake accepted. */
  public long submitted() {
    return submitted;
  }

  /** Events dropped: queue full, or intake refused them every time. */
  public long dropped() {
    return dropped;
  }

  private void enqueue(Event event, Promise<Void> accepted) {
    if (queue.size() >= limit) {
      dropped++;
      warnings.warn("full", () -> "intake queue full (" + limit + " events): dropping events");
      if (accepted != null) {
        accepted.fail(new IntakeUnavailableException("the adapter's intake queue is full", null));
      }
      return;
    }
    queue.add(new Entry(event, accepted));
    pump();
  }

  private void pump() {
    if (inFlight != null) {
      return;
    }
    if (queue.isEmpty()) {
      if (emptied != null) {
        Promise<Void> done = emptied;
        emptied = null;
        done.complete();
      }
      return;
    }
    List<Entry> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      batch.add(queue.poll());
    }
    inFlight = batch;
    send(batch, 1);
  }

  private void send(List<Entry> batch, int attempt) {
    List<Event> events = new ArrayList<>(batch.size());
    for (Entry entry : batch) {
      events.add(entry.event);
    }
    intake.submit(events).onComplete(result -> {
      if (result.succeeded()) {
        submitted += batch.size();
        batch.forEach(entry -> complete(entry, null));
      } else if (result.cause() instanceof IntakeUnavailableException && attempt < MAX_ATTEMPTS) {
        vertx.setTimer(FIRST_RETRY_MS << (attempt - 1), timer -> send(batch, attempt + 1));
        return;
      } else {
        dropped += batch.size();
        warnings.warn("refused", () -> "intake refused " + batch.size() + " events " + attempt + " times, dropped: "
            + result.cause().getMessage());
        batch.forEach(entry -> complete(entry, result.cause()));
      }
      inFlight = null;
      pump();
    });
  }

  private static void complete(Entry entry, Throwable failure) {
    if (entry.accepted == null) {
      return;
    }
    if (failure == null) {
      entry.accepted.complete();
    } else {
      entry.accepted.fail(failure);
    }
  }
}
