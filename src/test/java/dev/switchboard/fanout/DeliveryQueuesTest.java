package dev.switchboard.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.fanout.Outbox.Delivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fan-out's working set on its own: lanes in order, limits on what is in flight and what is
 * held, reading back what did not fit, retries waiting, pauses.
 */
class DeliveryQueuesTest {

  private long seq;

  private Delivery delivery(String subscription, String key) {
    seq++;
    return new Delivery(seq, seq, "e" + seq, subscription, key, "{}", 0, 0);
  }

  private static List<Delivery> drain(DeliveryQueues queues, long now) {
    List<Delivery> started = new ArrayList<>();
    for (Delivery next = queues.next(now); next != null; next = queues.next(now)) {
      started.add(next);
    }
    return started;
  }

  private static void done(DeliveryQueues queues, Delivery delivery, long now) {
    queues.responded(delivery);
    queues.finished(delivery, null, now);
  }

  @Test
  void oneLaneGoesOutOneAtATimeInOrderWhileLanesRunSideBySide() {
    DeliveryQueues queues = new DeliveryQueues(16, 512, 100, 1000);
    Delivery a1 = delivery("s", "call-a");
    Delivery b1 = delivery("s", "call-b");
    Delivery a2 = delivery("s", "call-a");
    queues.journaled(List.of(a1, b1, a2), 0);

    assertEquals(List.of(a1, b1), drain(queues, 0), "one head per lane");
    queues.responded(a1);
    assertNull(queues.next(0), "a lane waits for its head's record, not only its answer");
    queues.finished(a1, null, 0);
    assertEquals(List.of(a2), drain(queues, 0));
    done(queues, b1, 0);
    done(queues, a2, 0);
    assertEquals(0, queues.held());
    assertEquals(0, queues.queues(), "an idle subscription leaves nothing behind");
  }

  @Test
  void concurrencyIsCappedPerSubscriptionAndInAll() {
    DeliveryQueues queues = new DeliveryQueues(2, 3, 100, 1000);
    List<Delivery> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(delivery("s1", "k" + i));
      all.add(delivery("s2", "k" + i));
    }
    queues.journaled(all, 0);
    List<Delivery> started = drain(queues, 0);
    assertEquals(3, started.size(), "three in flight in all");
    assertTrue(started.stream().filter(d -> d.subscriptionId().equals("s1")).count() <= 2);
    assertTrue(started.stream().filter(d -> d.subscriptionId().equals("s2")).count() <= 2);
    queues.responded(started.get(0));
    assertEquals(1, drain(queues, 0).size(), "an answered request frees its slot");
  }

  @Test
  void whatDoesNotFitIsReadBackInJournalOrderAndNothingTwice() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 10, 1000);
    List<Delivery> journal = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      journal.add(delivery("s", "k" + (i % 3)));
    }
    queues.journaled(journal, 0);
    assertEquals(10, queues.held(), "held up to the per-subscription limit; the rest is in the outbox");

    List<Delivery> delivered = new ArrayList<>();
    List<Delivery> outbox = new ArrayList<>(journal);
    while (delivered.size() < journal.size()) {
      for (DeliveryQueues.Refill refill : queues.refillsDue(0)) {
        List<Delivery> rows = outbox.stream().filter(d -> d.seq() > refill.afterSeq()).limit(refill.limit()).toList();
        queues.refilled(refill, rows, 0);
      }
      List<Delivery> started = drain(queues, 0);
      assertTrue(!started.isEmpty(), "progress");
      for (Delivery delivery : started) {
        delivered.add(delivery);
        outbox.remove(delivery);
        done(queues, delivery, 0);
      }
      assertTrue(queues.held() <= 10, "never more held than the limit");
    }
    assertEquals(journal.size(), Set.copyOf(delivered).size(), "each once");
    for (String key : List.of("k0", "k1", "k2")) {
      List<Long> order = delivered.stream().filter(d -> d.orderKey().equals(key)).map(Delivery::seq).toList();
      assertEquals(order.stream().sorted().toList(), order, "lane " + key + " in order");
    }
    assertEquals(0, queues.queues());
  }

  @Test
  void aDeliveryJournaledAfterAnOverflowWaitsForTheReadBackInsteadOfOvertaking() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 2, 1000);
    Delivery first = delivery("s", "call");
    Delivery second = delivery("s", "call");
    Delivery third = delivery("s", "call");
    queues.journaled(List.of(first, second, third), 0);
    Delivery fourth = delivery("s", "call");
    queues.journaled(List.of(fourth), 0);
    assertEquals(2, queues.held());
    assertEquals(List.of(first), drain(queues, 0));
    done(queues, first, 0);
    List<DeliveryQueues.Refill> refills = queues.refillsDue(0);
    assertEquals(1, refills.size());
    assertEquals(second.seq(), refills.get(0).afterSeq(), "reads after what it holds");
    queues.refilled(refills.get(0), List.of(third, fourth), 0);
    List<Delivery> order = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Delivery next = queues.next(0);
      order.add(next);
      done(queues, next, 0);
    }
    assertEquals(List.of(second, third, fourth), order);
  }

  @Test
  void aRetryHoldsItsLaneUntilItIsDue() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 100, 1000);
    Delivery head = delivery("s", "call");
    Delivery next = delivery("s", "call");
    Delivery other = delivery("s", "other");
    queues.journaled(List.of(head, next, other), 0);
    assertEquals(List.of(head, other), drain(queues, 0));
    queues.responded(head);
    queues.finished(head, head.retried(1, 5_000), 10);
    done(queues, other, 10);
    assertNull(queues.next(4_999), "not before its time; the lane behind it waits too");
    assertEquals(5_000, queues.nextDueAt());
    Delivery again = queues.next(5_000);
    assertEquals(head.seq(), again.seq());
    assertEquals(1, again.attempts());
    done(queues, again, 5_000);
    assertEquals(List.of(next), drain(queues, 5_000));
  }

  @Test
  void aPausedSubscriptionLetsGoOfWhatItHoldsAndReadsItBackWhenResumed() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 100, 1000);
    List<Delivery> journal = List.of(delivery("s", "a"), delivery("s", "b"), delivery("s", "a"));
    queues.journaled(journal, 0);
    Delivery inFlight = queues.next(0);
    queues.pause("s");
    assertEquals(1, queues.held(), "only the one in flight");
    assertNull(queues.next(0));
    queues.journaled(List.of(delivery("s", "c")), 0);
    assertEquals(1, queues.held(), "new deliveries of a paused subscription stay in the outbox");
    queues.resume("s");
    assertTrue(queues.refillsDue(0).isEmpty(), "not read back while a lane is busy");
    done(queues, inFlight, 0);
    List<DeliveryQueues.Refill> refills = queues.refillsDue(0);
    assertEquals(1, refills.size());
    assertEquals(0, refills.get(0).afterSeq(), "everything is read back");
  }

  @Test
  void startingWithPendingDeliveriesInTheOutboxReadsThemFirst() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 100, 1000);
    queues.discovered(Set.of("s"));
    Delivery old = delivery("s", "call").retried(3, 0);
    Delivery fresh = delivery("s", "call");
    queues.journaled(List.of(fresh), 0);
    assertNull(queues.next(0), "a fresh delivery does not overtake what waits in the outbox");
    DeliveryQueues.Refill refill = queues.refillsDue(0).get(0);
    queues.refilled(refill, List.of(old, fresh), 0);
    assertEquals(old, queues.next(0));
  }

  @Test
  void theLimitInAllSendsEverySubscriptionToTheOutbox() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 100, 5);
    List<Delivery> journal = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      journal.add(delivery("s1", "k" + i));
      journal.add(delivery("s2", "k" + i));
    }
    queues.journaled(journal, 0);
    assertEquals(5, queues.held());
  }

  @Test
  void aSubscriptionResumedWhileARequestIsInFlightSendsItOnce() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 100, 1000);
    Delivery d = delivery("s", "k");
    queues.journaled(List.of(d), 0);
    assertEquals(d, queues.next(0));
    queues.pause("s");
    queues.resume("s");
    queues.responded(d);
    Delivery retried = d.retried(1, 5_000);
    queues.finished(d, retried, 0);
    List<DeliveryQueues.Refill> refills = queues.refillsDue(0);
    assertEquals(1, refills.size());
    assertEquals(0, refills.get(0).afterSeq());
    queues.refilled(refills.get(0), List.of(retried), 0);
    List<Long> sent = new ArrayList<>();
    for (Delivery next = queues.next(5_000); next != null; next = queues.next(5_000)) {
      sent.add(next.seq());
      done(queues, next, 5_000);
    }
    assertEquals(List.of(d.seq()), sent, "sent once, read back from the outbox");
    assertEquals(0, queues.held());
  }

  @Test
  void readsUnderWayShareTheRoomInAll() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 10, 20);
    List<String> subscriptions = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      subscriptions.add("s" + i);
    }
    queues.discovered(subscriptions);
    List<DeliveryQueues.Refill> refills = queues.refillsDue(0);
    assertTrue(refills.stream().mapToInt(DeliveryQueues.Refill::limit).sum() <= 20);
    for (DeliveryQueues.Refill refill : refills) {
      List<Delivery> rows = new ArrayList<>();
      for (int i = 0; i < refill.limit(); i++) {
        rows.add(delivery(refill.subscriptionId(), "k" + i));
      }
      queues.refilled(refill, rows, 0);
    }
    assertTrue(queues.held() <= 20, "held " + queues.held());
  }

  @Test
  void failingReceiversDoNotTakeTheRoomOfWorkingOnes() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 2, 4);
    for (String s : List.of("down1", "down2")) {
      queues.journaled(List.of(delivery(s, "a"), delivery(s, "b")), 0);
      for (Delivery d : List.of(queues.next(0), queues.next(0))) {
        queues.responded(d);
        queues.finished(d, d.retried(1, 3_600_000), 0);
      }
    }
    assertEquals(4, queues.parked());
    Delivery healthy = delivery("ok", "x");
    queues.journaled(List.of(healthy), 1_000);
    assertEquals(healthy, queues.next(1_000));
  }

  @Test
  void aParkedCallDoesNotHoldBackTheSubscriptionsOtherCalls() {
    DeliveryQueues queues = new DeliveryQueues(4, 512, 4, 1000);
    List<Delivery> journal = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      journal.add(delivery("s", "busy-call"));
    }
    Delivery other = delivery("s", "other-call");
    journal.add(other);
    queues.journaled(journal, 0);
    Delivery head = queues.next(0);
    queues.responded(head);
    queues.finished(head, head.retried(1, 3_600_000), 0);
    List<DeliveryQueues.Refill> refills = queues.refillsDue(1_000);
    assertEquals(1, refills.size(), "the parked call does not count against the room");
    queues.refilled(refills.get(0), List.of(other), 1_000);
    assertEquals(other, queues.next(1_000));
  }

  @Test
  void tooManyParkedInAllMakesTheWorstSubscriptionLetGoUntilItsRetryIsDue() {
    DeliveryQueues queues = new DeliveryQueues(16, 512, 10, 3);
    List<Delivery> journal = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      journal.add(delivery("down", "k" + i));
    }
    queues.journaled(journal, 0);
    assertEquals(3, queues.held(), "the fourth waits in the outbox");
    for (Delivery d : drain(queues, 0)) {
      queues.responded(d);
      queues.finished(d, d.retried(1, 60_000), 0);
    }
    assertEquals(3, queues.parked(), "at the limit, not over it");
    List<DeliveryQueues.Refill> refills = queues.refillsDue(0);
    assertEquals(1, refills.size(), "parked deliveries leave room to read");
    queues.refilled(refills.get(0), List.of(journal.get(3)), 0);
    Delivery fourth = queues.next(0);
    assertEquals(journal.get(3), fourth);
    queues.responded(fourth);
    queues.finished(fourth, fourth.retried(1, 30_000), 0);
    assertEquals(0, queues.parked(), "over the limit: let go of, to be read back from the outbox");
    assertEquals(0, queues.held());
    queues.rescan(29_999);
    assertTrue(queues.refillsDue(29_999).isEmpty(), "not before its earliest retry");
    queues.rescan(30_000);
    assertEquals(0, queues.refillsDue(30_000).get(0).afterSeq(), "everything is read back");
  }
}
