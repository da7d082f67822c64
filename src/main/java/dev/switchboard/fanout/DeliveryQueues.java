package dev.switchboard.fanout;

import dev.switchboard.fanout.Outbox.Delivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The fan-out's working set: pending deliveries held in memory, per subscription, in lanes (one
 * per order key, oldest first), so that a freshly journaled delivery goes out without being read
 * back from the outbox, and the outbox is read only for what did not fit.
 *
 * <p>What is held is bounded ({@code maxHeldPerSubscription}, {@code maxHeld}). For each
 * subscription memory holds either every pending delivery (the queue is <em>complete</em>), or
 * every pending delivery up to a sequence number, the rest waiting in the outbox to be read in
 * order ({@link #refillsDue()}, {@link #refilled}). A subscription without a queue has nothing
 * pending. Deliveries of one lane go out one at a time, in order; a lane whose head failed waits
 * for its retry time. Not thread-safe: the fan-out's event loop owns it.
 */
final class DeliveryQueues {

  /**
   * A read of a subscription's pending deliveries after {@code afterSeq}, at most {@code limit};
   * {@code generation} tells a read made before a pause from one made after.
   */
  record Refill(String subscriptionId, long afterSeq, int limit, int generation) {
  }

  private final int maxConcurrency;
  private final int maxInFlight;
  private final int maxHeldPerSubscription;
  private final int maxHeld;
  private final Map<String, Queue> queues = new HashMap<>();
  private final ArrayDeque<Queue> runnable = new ArrayDeque<>();
  private final ArrayDeque<Queue> refillCandidates = new ArrayDeque<>();
  private final PriorityQueue<Lane> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.dueAt, b.dueAt));
  private int held;
  private int inFlight;

  /**
   * @param maxConcurrency deliveries in flight per subscription
   * @param maxInFlight deliveries in flight in all
   * @param maxHeldPerSubscription deliveries held in memory per subscription
   * @param maxHeld deliveries held in memory in all
   */
  DeliveryQueues(int maxConcurrency, int maxInFlight, int maxHeldPerSubscription, int maxHeld) {
    this.maxConcurrency = maxConcurrency;
    this.maxInFlight = maxInFlight;
    this.maxHeldPerSubscription = maxHeldPerSubscription;
    this.maxHeld = maxHeld;
  }

  /**
   * Deliveries just journaled (or queued again by a replay), in sequence order: held when their
   * subscription's queue is complete and has room; otherwise they wait in the outbox.
   */
  void journaled(List<Delivery> deliveries, long now) {
    for (Delivery delivery : deliveries) {
      Queue queue = queues.computeIfAbsent(delivery.subscriptionId(), Queue::new);
      if (!queue.complete) {
        continue;
      }
      if (queue.held >= maxHeldPerSubscription || held >= maxHeld) {
        queue.complete = false;
        queue.loadedUpTo = queue.lastSeq;
        continue;
      }
      hold(queue, delivery, now);
    }
  }

  /** Subscriptions whose pending deliveries are all in the outbox (at start). */
  void discovered(Collection<String> subscriptionIds) {
    for (String id : subscriptionIds) {
      Queue queue = queues.computeIfAbsent(id, Queue::new);
      if (queue.held == 0 && queue.complete) {
        queue.complete = false;
        queue.loadedUpTo = 0;
        candidate(queue);
      }
    }
  }

  /** Reads of the outbox to make now; each is marked as under way until {@link #refilled}. */
  List<Refill> refillsDue() {
    List<Refill> due = new ArrayList<>();
    while (!refillCandidates.isEmpty()) {
      Queue queue = refillCandidates.poll();
      queue.candidate = false;
      int room = Math.min(maxHeldPerSubscription - queue.held, maxHeld - held);
      if (wantsRefill(queue) && room > 0) {
        queue.loading = true;
        queue.drainFirst = false;
        due.add(new Refill(queue.id, queue.loadedUpTo, room, queue.generation));
      }
    }
    return due;
  }

  /** Looks at every queue again for reads to make (a periodic safety net). */
  void rescan() {
    queues.values().forEach(this::candidate);
  }

  /** What a read returned ({@code rows} is {@code null} when it failed). */
  void refilled(Refill refill, List<Delivery> rows, long now) {
    Queue queue = queues.get(refill.subscriptionId());
    if (queue == null) {
      return;
    }
    queue.loading = false;
    if (rows == null || queue.paused || queue.complete || queue.generation != refill.generation()) {
      candidate(queue);
      return;
    }
    for (Delivery delivery : rows) {
      hold(queue, delivery, now);
      queue.loadedUpTo = delivery.seq();
    }
    if (rows.size() < refill.limit()) {
      queue.complete = true;
    }
    forgetIfIdle(queue);
  }

  /** The next delivery to start now, marked as in flight; {@code null} when none may start. */
  Delivery next(long now) {
    while (!waiting.isEmpty() && waiting.peek().dueAt <= now) {
      Lane lane = waiting.poll();
      if (lane.waiting && lane.queue.lanes.get(lane.key) == lane) {
        lane.waiting = false;
        lane.queue.waitingLanes--;
        lane.queue.ready.add(lane);
        runnable(lane.queue);
      }
    }
    while (inFlight < maxInFlight && !runnable.isEmpty()) {
      Queue queue = runnable.poll();
      queue.runnable = false;
      if (queue.paused || queue.inFlight >= maxConcurrency) {
        continue;
      }
      Lane lane = queue.ready.poll();
      if (lane == null) {
        continue;
      }
      lane.busy = true;
      queue.busyLanes++;
      queue.inFlight++;
      inFlight++;
      runnable(queue);
      return lane.deliveries.peek();
    }
    return null;
  }

  /** When the earliest waiting retry is due (Unix ms), or {@link Long#MAX_VALUE}. */
  long nextDueAt() {
    while (!waiting.isEmpty()) {
      Lane lane = waiting.peek();
      if (lane.waiting && lane.queue.lanes.get(lane.key) == lane) {
        return lane.dueAt;
      }
      waiting.poll();
    }
    return Long.MAX_VALUE;
  }

  /**
   * A delivery {@link #next} handed out has had its answer (or none): it no longer counts against
   * the concurrency limits, while its lane waits for {@link #finished}.
   */
  void responded(Delivery delivery) {
    Queue queue = queues.get(delivery.subscriptionId());
    queue.inFlight--;
    inFlight--;
    runnable(queue);
  }

  /**
   * The attempt on a delivery that {@link #responded} has been recorded in the outbox: its lane
   * moves on.
   *
   * @param retried the delivery as it now waits for its next attempt, or {@code null} when it is
   *     finished (delivered or failed for good)
   */
  void finished(Delivery delivery, Delivery retried, long now) {
    Queue queue = queues.get(delivery.subscriptionId());
    Lane lane = queue.lanes.get(delivery.orderKey());
    lane.busy = false;
    queue.busyLanes--;
    lane.deliveries.poll();
    if (retried != null && !queue.paused) {
      lane.deliveries.addFirst(retried);
    } else {
      queue.held--;
      held--;
    }
    settle(lane, now);
    runnable(queue);
    candidate(queue);
    forgetIfIdle(queue);
  }

  /** A delivery {@link #next} handed out was not started after all: it is due again as it was. */
  void unstarted(Delivery delivery, long now) {
    Queue queue = queues.get(delivery.subscriptionId());
    Lane lane = queue.lanes.get(delivery.orderKey());
    lane.busy = false;
    queue.busyLanes--;
    queue.inFlight--;
    inFlight--;
    settle(lane, now);
    runnable(queue);
  }

  /**
   * Holds back a subscription (it is disabled): what it holds in memory is let go, except what is
   * in flight, and it is read again from the outbox once resumed.
   */
  void pause(String subscriptionId) {
    Queue queue = queues.computeIfAbsent(subscriptionId, Queue::new);
    if (queue.paused) {
      return;
    }
    queue.paused = true;
    queue.generation++;
    queue.complete = false;
    queue.loadedUpTo = 0;
    queue.drainFirst = true;
    queue.ready.clear();
    queue.waitingLanes = 0;
    queue.lanes.values().removeIf(lane -> {
      int let = lane.busy ? lane.deliveries.size() - 1 : lane.deliveries.size();
      queue.held -= let;
      held -= let;
      lane.waiting = false;
      while (lane.deliveries.size() > (lane.busy ? 1 : 0)) {
        lane.deliveries.pollLast();
      }
      return lane.deliveries.isEmpty();
    });
  }

  /** Lets a paused subscription go on. */
  void resume(String subscriptionId) {
    Queue queue = queues.get(subscriptionId);
    if (queue != null && queue.paused) {
      queue.paused = false;
      candidate(queue);
    }
  }

  /** The subscriptions paused now. */
  List<String> paused() {
    return queues.values().stream().filter(queue -> queue.paused).map(queue -> queue.id).toList();
  }

  /** Deliveries in flight. */
  int inFlight() {
    return inFlight;
  }

  /** Deliveries held in memory, in flight included. */
  int held() {
    return held;
  }

  /** Subscriptions with a queue. */
  int queues() {
    return queues.size();
  }

  private void hold(Queue queue, Delivery delivery, long now) {
    Lane lane = queue.lanes.get(delivery.orderKey());
    if (lane == null) {
      lane = new Lane(queue, delivery.orderKey());
      queue.lanes.put(lane.key, lane);
    }
    lane.deliveries.add(delivery);
    queue.held++;
    held++;
    queue.lastSeq = Math.max(queue.lastSeq, delivery.seq());
    if (lane.deliveries.size() == 1) {
      settle(lane, now);
      runnable(queue);
    }
  }

  /** Puts a lane whose head is not in flight where it belongs: ready, waiting, or gone when empty. */
  private void settle(Lane lane, long now) {
    Queue queue = lane.queue;
    if (lane.busy) {
      return;
    }
    Delivery head = lane.deliveries.peek();
    if (head == null) {
      queue.lanes.remove(lane.key);
    } else if (head.nextAttemptAt() <= now) {
      queue.ready.add(lane);
    } else {
      lane.waiting = true;
      lane.dueAt = head.nextAttemptAt();
      queue.waitingLanes++;
      waiting.add(lane);
    }
  }

  private void runnable(Queue queue) {
    if (!queue.runnable && !queue.paused && queue.inFlight < maxConcurrency && !queue.ready.isEmpty()) {
      queue.runnable = true;
      runnable.add(queue);
    }
  }

  private boolean wantsRefill(Queue queue) {
    return !queue.complete && !queue.loading && !queue.paused && !(queue.drainFirst && queue.busyLanes > 0)
        && queue.held - queue.waitingLanes <= maxHeldPerSubscription / 2 && queue.held < maxHeldPerSubscription;
  }

  private void candidate(Queue queue) {
    if (!queue.candidate && wantsRefill(queue)) {
      queue.candidate = true;
      refillCandidates.add(queue);
    }
  }

  private void forgetIfIdle(Queue queue) {
    if (queue.held == 0 && queue.complete && !queue.paused && !queue.loading) {
      queues.remove(queue.id);
    }
  }

  private static final class Queue {
    final String id;
    final Map<String, Lane> lanes = new HashMap<>();
    final ArrayDeque<Lane> ready = new ArrayDeque<>();
    int held;
    int inFlight;
    /** Lanes whose head was handed out and is not recorded yet. */
    int busyLanes;
    int waitingLanes;
    long lastSeq;
    /** Memory holds every pending delivery of the subscription; else those up to {@link #loadedUpTo}. */
    boolean complete = true;
    long loadedUpTo;
    boolean loading;
    boolean paused;
    /** After a pause, read the outbox only once no lane is busy, so nothing is read twice. */
    boolean drainFirst;
    int generation;
    boolean runnable;
    boolean candidate;

    Queue(String id) {
      this.id = id;
    }
  }

  private static final class Lane {
    final Queue queue;
    final String key;
    final ArrayDeque<Delivery> deliveries = new ArrayDeque<>(2);
    boolean busy;
    boolean waiting;
    long dueAt;

    Lane(Queue queue, String key) {
      this.queue = queue;
      this.key = key;
    }
  }
}
