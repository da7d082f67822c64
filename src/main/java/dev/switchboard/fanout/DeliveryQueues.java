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
 * <p>For each subscription memory holds either every pending delivery (the queue is
 * <em>complete</em>), or every pending delivery up to a sequence number, the rest waiting in the
 * outbox to be read in order ({@link #refillsDue}, {@link #refilled}). A subscription without a
 * queue has nothing pending. Deliveries of one lane go out one at a time, in order; a lane whose
 * head failed is <em>parked</em> until its retry time.
 *
 * <p>What is held is bounded. Deliveries that can go out count against
 * {@code maxHeldPerSubscription} and {@code maxHeld}; parked ones do not, so receivers that fail
 * never take the room of those that work. Parked deliveries are bounded apart: a subscription
 * with twice {@code maxHeldPerSubscription} parked reads no more, and when more than {@code maxHeld}
 * are parked in all, the subscription with the most lets go of everything it holds and reads it
 * back from the outbox once its earliest retry is due.
 *
 * <p>Not thread-safe: the fan-out's event loop owns it.
 */
final class DeliveryQueues {

  /**
   * A read of a subscription's pending deliveries after {@code afterSeq}, at most {@code limit};
   * {@code generation} tells a read made before the queue let go of what it held from one made
   * after.
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
  private int parked;
  /** Room promised to reads under way. */
  private int reserved;
  private int inFlight;
  private long now;

  /**
   * @param maxConcurrency deliveries in flight per subscription
   * @param maxInFlight deliveries in flight in all
   * @param maxHeldPerSubscription deliveries held in memory per subscription (besides parked ones)
   * @param maxHeld deliveries held in memory in all (besides parked ones)
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
    this.now = now;
    for (Delivery delivery : deliveries) {
      Queue queue = queues.computeIfAbsent(delivery.subscriptionId(), Queue::new);
      if (!queue.complete) {
        continue;
      }
      if (queue.active() >= maxHeldPerSubscription || held - parked + reserved >= maxHeld) {
        queue.complete = false;
        queue.loadedUpTo = queue.lastSeq;
        candidate(queue);
        continue;
      }
      hold(queue, delivery);
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
  List<Refill> refillsDue(long now) {
    this.now = now;
    List<Refill> due = new ArrayList<>();
    while (!refillCandidates.isEmpty()) {
      Queue queue = refillCandidates.poll();
      queue.candidate = false;
      int room = Math.min(maxHeldPerSubscription - queue.active(), maxHeld - (held - parked) - reserved);
      if (wantsRefill(queue) && room > 0) {
        queue.loading = true;
        queue.drainFirst = false;
        reserved += room;
        due.add(new Refill(queue.id, queue.loadedUpTo, room, queue.generation));
      }
    }
    return due;
  }

  /** Looks at every queue again for reads to make (a periodic safety net, and for due retries of queues that let go). */
  void rescan(long now) {
    this.now = now;
    queues.values().forEach(this::candidate);
  }

  /** What a read returned ({@code rows} is {@code null} when it failed). */
  void refilled(Refill refill, List<Delivery> rows, long now) {
    this.now = now;
    reserved -= refill.limit();
    Queue queue = queues.get(refill.subscriptionId());
    if (queue == null) {
      return;
    }
    queue.loading = false;
    if (rows == null) {
      return; // read again at the next rescan, not at once
    }
    if (queue.paused || queue.complete || queue.generation != refill.generation()) {
      candidate(queue);
      return;
    }
    for (Delivery delivery : rows) {
      hold(queue, delivery);
      queue.loadedUpTo = delivery.seq();
    }
    if (rows.size() < refill.limit()) {
      queue.complete = true;
    }
    forgetIfIdle(queue);
  }

  /** The next delivery to start now, marked as in flight; {@code null} when none may start. */
  Delivery next(long now) {
    this.now = now;
    while (!waiting.isEmpty() && waiting.peek().dueAt <= now) {
      Lane lane = waiting.poll();
      if (lane.waiting && lane.queue.lanes.get(lane.key) == lane) {
        unpark(lane);
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

  /** When the earliest parked retry is due (Unix ms), or {@link Long#MAX_VALUE}. */
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
    this.now = now;
    Queue queue = queues.get(delivery.subscriptionId());
    Lane lane = queue.lanes.get(delivery.orderKey());
    lane.busy = false;
    queue.busyLanes--;
    lane.deliveries.poll();
    // A queue that let go of what it held reads this delivery back from the outbox, where its
    // record now is; keeping it too would send it twice.
    if (retried != null && !queue.paused && !queue.drainFirst) {
      lane.deliveries.addFirst(retried);
    } else {
      queue.held--;
      held--;
    }
    settle(lane);
    runnable(queue);
    if (retried != null && parked > maxHeld) {
      letGoOfMostParked();
    }
    candidate(queue);
    forgetIfIdle(queue);
  }

  /** A delivery {@link #next} handed out was not started after all: it is due again as it was. */
  void unstarted(Delivery delivery, long now) {
    this.now = now;
    Queue queue = queues.get(delivery.subscriptionId());
    Lane lane = queue.lanes.get(delivery.orderKey());
    lane.busy = false;
    queue.busyLanes--;
    queue.inFlight--;
    inFlight--;
    settle(lane);
    runnable(queue);
  }

  /**
   * Holds back a subscription (it is disabled): what it holds in memory is let go, except what is
   * in flight, and it is read again from the outbox once resumed.
   */
  void pause(String subscriptionId) {
    Queue queue = queues.computeIfAbsent(subscriptionId, Queue::new);
    if (!queue.paused) {
      queue.paused = true;
      letGo(queue);
    }
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

  /** Deliveries held in memory, in flight and parked ones included. */
  int held() {
    return held;
  }

  /** Deliveries held in memory that wait for a retry. */
  int parked() {
    return parked;
  }

  /** Subscriptions with a queue. */
  int queues() {
    return queues.size();
  }

  private void hold(Queue queue, Delivery delivery) {
    Lane lane = queue.lanes.get(delivery.orderKey());
    if (lane == null) {
      lane = new Lane(queue, delivery.orderKey());
      queue.lanes.put(lane.key, lane);
    }
    lane.deliveries.add(delivery);
    queue.held++;
    held++;
    if (lane.waiting) {
      queue.parked++;
      parked++;
    }
    queue.lastSeq = Math.max(queue.lastSeq, delivery.seq());
    if (lane.deliveries.size() == 1) {
      settle(lane);
      runnable(queue);
    }
  }

  /** Puts a lane whose head is not in flight where it belongs: ready, parked, or gone when empty. */
  private void settle(Lane lane) {
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
      queue.parked += lane.deliveries.size();
      parked += lane.deliveries.size();
      waiting.add(lane);
    }
  }

  private void unpark(Lane lane) {
    lane.waiting = false;
    lane.queue.parked -= lane.deliveries.size();
    parked -= lane.deliveries.size();
  }

  /**
   * Drops everything a queue holds but the heads in flight; it reads all of it back from the
   * outbox, from the start, once no lane is busy and its earliest dropped retry is due.
   */
  private void letGo(Queue queue) {
    long earliest = Long.MAX_VALUE;
    boolean anyReady = false;
    for (var lanes = queue.lanes.values().iterator(); lanes.hasNext(); ) {
      Lane lane = lanes.next();
      if (lane.waiting) {
        earliest = Math.min(earliest, lane.dueAt);
        unpark(lane);
      } else if (!lane.busy) {
        anyReady = true;
      }
      int keep = lane.busy ? 1 : 0;
      int dropped = lane.deliveries.size() - keep;
      queue.held -= dropped;
      held -= dropped;
      while (lane.deliveries.size() > keep) {
        lane.deliveries.pollLast();
      }
      if (lane.deliveries.isEmpty()) {
        lanes.remove();
      }
    }
    queue.ready.clear();
    queue.complete = false;
    queue.loadedUpTo = 0;
    queue.drainFirst = true;
    queue.generation++;
    queue.notBefore = anyReady || earliest == Long.MAX_VALUE ? 0 : earliest;
  }

  private void letGoOfMostParked() {
    Queue most = null;
    for (Queue queue : queues.values()) {
      if (most == null || queue.parked > most.parked) {
        most = queue;
      }
    }
    if (most != null && most.parked > 0) {
      letGo(most);
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
        && now >= queue.notBefore && queue.active() <= maxHeldPerSubscription / 2
        && queue.parked < 2 * maxHeldPerSubscription;
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
    int parked;
    int inFlight;
    /** Lanes whose head was handed out and is not recorded yet. */
    int busyLanes;
    long lastSeq;
    /** Memory holds every pending delivery of the subscription; else those up to {@link #loadedUpTo}. */
    boolean complete = true;
    long loadedUpTo;
    boolean loading;
    boolean paused;
    /** After letting go, read the outbox only once no lane is busy, so nothing is read twice. */
    boolean drainFirst;
    /** After letting go of parked deliveries, no read before the earliest of them is due. */
    long notBefore;
    int generation;
    boolean runnable;
    boolean candidate;

    Queue(String id) {
      this.id = id;
    }

    int active() {
      return held - parked;
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
