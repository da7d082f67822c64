package dev.switchboard.subscription;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.event.Binding;
import dev.switchboard.event.Bindings;
import dev.switchboard.event.Event;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Events matched per second on one thread with 100,000 subscriptions across 10,000 accounts
 * (1,000 resellers with 9 customers each; a tenth of the subscriptions include sub-accounts, a
 * third carry a filter). Run with
 * {@code mvn -B test -Dexcluded.test.groups=interop -Dtest=MatchBenchmark}.
 */
@Tag("benchmark")
class MatchBenchmark {

  private static final String[] BINDINGS = {"call.*", "call.hangup", "call.ringing", "call.missed",
      "message.received", "registration.*", "*.hangup", "*"};
  private static final String[][] TYPES = {{"call", "initial"}, {"call", "ringing"}, {"call", "connected"},
      {"call", "hangup"}, {"call", "missed"}, {"message", "received"}, {"registration", "registered"}};

  @Test
  void matchesAtLeastHalfAMillionEventsPerSecond() {
    Random random = new Random(7);
    MatchIndex index = new MatchIndex(System::currentTimeMillis);
    List<String> accounts = new ArrayList<>();
    for (int reseller = 0; reseller < 1000; reseller++) {
      String parent = "r" + reseller;
      index.chain(parent, List.of(parent));
      accounts.add(parent);
      for (int customer = 0; customer < 9; customer++) {
        String child = parent + "c" + customer;
        index.chain(child, List.of(child, parent));
        accounts.add(child);
      }
    }
    for (int i = 0; i < 100_000; i++) {
      String account = accounts.get(i % accounts.size());
      List<Filter.Condition> conditions = i % 3 == 0
          ? List.of(new Filter.Condition("direction", false, random.nextBoolean() ? "inbound" : "outbound"))
          : List.of();
      index.replace(null, new Subscription("sub" + i, "", account, i % 10 == 0,
          Bindings.of(List.of(Binding.parse(BINDINGS[random.nextInt(BINDINGS.length)]))), new Filter(conditions),
          new Target("https://crm.example.com/", "POST", "json", Map.of()), new JsonObject(), null, true, null, null,
          "whsec_x", null, null, 0, 0, 1, false));
    }
    Event[] events = new Event[8192];
    for (int i = 0; i < events.length; i++) {
      String[] type = TYPES[random.nextInt(TYPES.length)];
      events[i] = Event.builder(type[0], type[1]).accountId(accounts.get(random.nextInt(accounts.size())))
          .put("direction", random.nextBoolean() ? "inbound" : "outbound").put("to", "+61390000000").build();
    }
    long matches = 0;
    for (int i = 0; i < 2_000_000; i++) {
      matches += index.match(events[i & 8191]).size();
    }
    // The machine is shared: the rate is events per second of this thread's own CPU time (one
    // core's worth of work), measured over five one-second rounds; the best round is reported.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double best = 0;
    long count = 0;
    matches = 0;
    List<String> rounds = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      long cpuStart = threads.getCurrentThreadCpuTime();
      long wallStart = System.nanoTime();
      long roundCount = 0;
      while (System.nanoTime() - wallStart < 1_000_000_000L) {
        for (int i = 0; i < 8192; i++) {
          matches += index.match(events[i]).size();
        }
        roundCount += 8192;
      }
      double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
      best = Math.max(best, roundCount / cpuSeconds);
      rounds.add(String.format("%,.0f/s cpu (%,.0f/s wall)", roundCount / cpuSeconds, roundCount / wallSeconds));
      count += roundCount;
    }
    double perSecond = best;
    String report = String.format("MatchBenchmark: 100,000 subscriptions, 10,000 accounts: best %,.0f events/s"
        + " per CPU-second of one thread, %.2f matches per event on average; rounds: %s", perSecond,
        (double) matches / count, String.join(", ", rounds));
    System.out.println(report);
    assertTrue(perSecond >= 500_000, report);
  }
}
