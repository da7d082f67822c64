package dev.switchboard.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.fanout.Outbox.Delivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DeliveryQueues} driven the way the fan-out drives it, against a model of the outbox
 * that runs appends, records and reads one at a time in the order they were asked for, with
 * random ingest, answers, retries, failures, disables and re-enables. Checked all along: a
 * delivery goes out once, a call's deliveries in journal order and one at a time, memory stays
 * within its bounds; and in the end every journaled delivery is finished.
 */
class DeliveryQueuesModelTest {

  private static final int PER_SUBSCRIPTION = 20;
  private static final int IN_ALL = 60;

  private record Op(String kind, Delivery delivery, Delivery retried, DeliveryQueues.Refill refill,
      List<Delivery> journal) {
  }

  private final TreeMap<Long, Delivery> outbox = new TreeMap<>();
  private final ArrayDeque<Op> outboxQueue = new ArrayDeque<>();
  private final List<Delivery> inFlight = new ArrayList<>();
  private final Set<Long> finished = new HashSet<>();
  private final Map<String, Long> lastDeliveredInLane = new HashMap<>();
  private final Set<String> busyLanes = new HashSet<>();
  private final Set<String> disabled = new HashSet<>();
  private long seq;
  private long now;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyDeliveryGoesOutOnceAndInOrderWhateverHappens(long seed) {
    Random random = new Random(seed);
    DeliveryQueues queues = new DeliveryQueues(4, 12, PER_SUBSCRIPTION, IN_ALL);
    List<String> subscriptions = List.of("s1", "s2", "s3", "s4");
    int journaled = 0;
    for (int step = 0; step < 20_000; step++) {
      boolean calm = step > 15_000;
      int action = random.nextInt(100);
      if (action < 10 && !calm) {
        List<Delivery> batch = new ArrayList<>();
        for (int i = random.nextInt(30); i >= 0; i--) {
          String subscription = subscriptions.get(random.nextInt(subscriptions.size()));
          seq++;
          Delivery delivery = new Delivery(seq, seq, "e" + seq, subscription, "call-" + random.nextInt(12), "{}", 0, now);
          batch.add(delivery);
        }
        journaled += batch.size();
        outboxQueue.add(new Op("append", null, null, null, batch));
      } else if (action < 40) {
        processOutbox(queues);
      } else if (action < 60) {
        startAll(queues);
      } else if (action < 85 && !inFlight.isEmpty()) {
        Delivery delivery = inFlight.remove(random.nextInt(inFlight.size()));
        int outcome = random.nextInt(100);
        Delivery retried = null;
        if (!calm && outcome < 25) {
          retried = delivery.retried(delivery.attempts() + 1, now + 1 + random.nextInt(50));
        } else if (!calm && outcome < 30) {
          retried = null;
        } else {
          Long last = lastDeliveredInLane.get(lane(delivery));
          if (last != null && last >= delivery.seq()) {
            fail("lane " + lane(delivery) + " delivered " + delivery.seq() + " after " + last);
          }
          lastDeliveredInLane.put(lane(delivery), delivery.seq());
        }
        queues.responded(delivery);
        outboxQueue.add(new Op("record", delivery, retried, null, null));
      } else if (action < 88 && !calm) {
        String subscription = subscriptions.get(random.nextInt(subscriptions.size()));
        if (disabled.add(subscription)) {
          queues.pause(subscription);
        } else {
          disabled.remove(subscription);
          queues.resume(subscription);
        }
      } else if (action < 95) {
        now += random.nextInt(10);
      } else {
        queues.rescan(now);
      }
      if (calm) {
        disabled.forEach(queues::resume);
        disabled.clear();
      }
      for (DeliveryQueues.Refill refill : queues.refillsDue(now)) {
        outboxQueue.add(new Op("read", null, null, refill, null));
      }
      assertTrue(queues.held() - queues.parked() <= IN_ALL + PER_SUBSCRIPTION, "held " + queues.held());
      assertTrue(queues.parked() <= IN_ALL + 2 * PER_SUBSCRIPTION, "parked " + queues.parked());
    }
    for (int round = 0; round < 100_000 && !(outbox.isEmpty() && outboxQueue.isEmpty()); round++) {
      processOutbox(queues);
      startAll(queues);
      if (!inFlight.isEmpty()) {
        Delivery delivery = inFlight.remove(0);
        Long last = lastDeliveredInLane.get(lane(delivery));
        assertTrue(last == null || last < delivery.seq(), "lane order at the end");
        lastDeliveredInLane.put(lane(delivery), delivery.seq());
        queues.responded(delivery);
        outboxQueue.add(new Op("record", delivery, null, null, null));
      }
      now += 5;
      queues.rescan(now);
      for (DeliveryQueues.Refill refill : queues.refillsDue(now)) {
        outboxQueue.add(new Op("read", null, null, refill, null));
      }
    }
    assertEquals(Map.of(), Map.copyOf(outbox), "every journaled delivery finished");
    assertEquals(journaled, finished.size());
    assertEquals(0, queues.held());
    assertEquals(0, queues.inFlight());
  }

  private void startAll(DeliveryQueues queues) {
    for (Delivery next = queues.next(now); next != null; next = queues.next(now)) {
      if (!outbox.containsKey(next.seq())) {
        fail("handed out " + next.seq() + ", which is finished already");
      }
      if (!busyLanes.add(lane(next))) {
        fail("two of lane " + lane(next) + " at once");
      }
      if (disabled.contains(next.subscriptionId())) {
        busyLanes.remove(lane(next));
        queues.unstarted(next, now);
        queues.pause(next.subscriptionId());
        continue;
      }
      inFlight.add(next);
    }
  }

  /** The outbox runs one queued operation: appends, records and reads, in the order asked. */
  private void processOutbox(DeliveryQueues queues) {
    Op op = outboxQueue.poll();
    if (op == null) {
      return;
    }
    switch (op.kind()) {
      case "append" -> {
        op.journal().forEach(delivery -> outbox.put(delivery.seq(), delivery));
        queues.journaled(op.journal(), now);
      }
      case "record" -> {
        if (op.retried() != null) {
          outbox.put(op.delivery().seq(), op.retried());
        } else {
          outbox.remove(op.delivery().seq());
          if (!finished.add(op.delivery().seq())) {
            fail("finished twice: " + op.delivery().seq());
          }
        }
        busyLanes.remove(lane(op.delivery()));
        queues.finished(op.delivery(), op.retried(), now);
      }
      default -> {
        DeliveryQueues.Refill refill = op.refill();
        List<Delivery> rows = outbox.tailMap(refill.afterSeq(), false).values().stream()
            .filter(delivery -> delivery.subscriptionId().equals(refill.subscriptionId()))
            .limit(refill.limit()).toList();
        queues.refilled(refill, rows, now);
      }
    }
  }

  private static String lane(Delivery delivery) {
    return delivery.subscriptionId() + "/" + delivery.orderKey();
  }
}
