package dev.switchboard.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.FeedClient;
import dev.switchboard.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On demand: {@code mvn -B test -Dgroups=benchmark -Dexcluded.test.groups=interop
 * -Dtest=KamailioCallRateBenchmarkTest} (needs Kamailio and SIPp). SIPp calls through Kamailio
 * at rising rates (200 ms talk time); for each rate prints how many calls lack an event they are
 * due: every call needs {@code call.initial} and one end ({@code call.hangup} or
 * {@code call.missed}), every answered call its {@code call.hangup}. A missing {@code call.ringing}
 * is counted apart: Kamailio does not relay a 180 it handles after the 200, so it can be absent on
 * the wire. SIPp's own exit code is printed too (under load its UAC fails calls on a late 180).
 */
@Tag("benchmark")
class KamailioCallRateBenchmarkTest {

  private static final List<String> LIFECYCLE = List.of("initial", "ringing", "connected", "hangup");
  private static final Duration STEP_DEADLINE = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  @Test
  void highestCallRateWithNoEventMissing() throws Exception {
    InteropRun.requireTools();
    int best = 0;
    Vertx vertx = Vertx.vertx();
    try (InteropRun run = InteropRun.startGateway(dir);
        FeedClient feed = FeedClient.open(vertx, run.websocketPort(), TestConfig.AUTHKEY)) {
      run.startProxy();
      for (int rate : new int[] {25, 50, 100, 150, 200, 300, 400}) {
        int calls = rate * 4;
        int offset = feed.events().size();
        long started = System.nanoTime();
        int sipp = run.placeCalls(calls, rate, 200);
        long deadline = System.nanoTime() + STEP_DEADLINE.toNanos();
        Map<String, Set<String>> byCall = new HashMap<>();
        while (System.nanoTime() < deadline) {
          byCall.clear();
          List<JsonObject> events = feed.events();
          for (JsonObject event : events.subList(offset, events.size())) {
            if ("call".equals(event.getString("class")) && "hep".equals(event.getString("source"))) {
              byCall.computeIfAbsent(event.getString("call_id"), id -> new HashSet<>()).add(event.getString("event"));
            }
          }
          if (byCall.size() >= calls && byCall.values().stream().allMatch(e -> e.contains("hangup")
              || e.contains("missed"))) {
            break;
          }
          Thread.sleep(100);
        }
        long incomplete = byCall.values().stream().filter(e -> !e.contains("initial")
            || e.contains("hangup") == e.contains("missed") || (e.contains("connected") && !e.contains("hangup"))).count()
            + Math.max(0, calls - byCall.size());
        long noRinging = byCall.values().stream().filter(e -> !e.contains("ringing")).count();
        long answered = byCall.values().stream().filter(e -> e.containsAll(LIFECYCLE.subList(2, 4))).count();
        System.out.printf("rate %d calls/s: %d calls, sipp exit %d, %d calls seen, %d answered, %d missing a due "
            + "event, %d without call.ringing, %.1f s%n", rate, calls, sipp, byCall.size(), answered, incomplete,
            noRinging, (System.nanoTime() - started) / 1e9);
        if (incomplete > 0) {
          break;
        }
        best = rate;
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    System.out.println("highest rate with no call missing a due event: " + best + " calls/s");
    assertTrue(best > 0, "at least the lowest rate completes");
  }
}
