package dev.switchboard.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.FeedClient;
import dev.switchboard.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway behind a real Kamailio proxy with SIPp on both ends: the call lifecycle a websocket
 * client sees from mirrored SIP, and Kamailio's own dialog events over all three transports.
 * Runs on demand ({@code src/test/interop/ci.sh}); skipped when Kamailio or SIPp is missing.
 */
@Tag("interop")
class KamailioInteropTest {

  private static final int CALLS = 50;
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private static Predicate<JsonObject> is(String type, String source, String transport) {
    return e -> type.equals(e.getString("class") + "." + e.getString("event")) && source.equals(e.getString("source"))
        && (transport == null || transport.equals(e.getString("transport")));
  }

  /** Every HEP event of each call that has none of the given type, in arrival order. */
  private static String callsWithout(FeedClient feed, String type) {
    List<JsonObject> hep = feed.events().stream().filter(e -> "hep".equals(e.getString("source"))).toList();
    java.util.Set<String> with = new java.util.HashSet<>();
    hep.stream().filter(is(type, "hep", null)).forEach(e -> with.add(e.getString("call_id")));
    StringBuilder out = new StringBuilder();
    hep.stream().map(e -> e.getString("call_id")).distinct().filter(id -> id != null && !with.contains(id))
        .forEach(id -> {
          out.append(id).append(":\n");
          hep.stream().filter(e -> id.equals(e.getString("call_id"))).forEach(e -> out.append("  ").append(e.encode())
              .append('\n'));
        });
    return out.toString();
  }

  @Test
  void fiftyCallsThroughKamailioGiveExactlyFiftyOfEachLifecycleEvent() throws Exception {
    InteropRun.requireTools();
    Vertx vertx = Vertx.vertx();
    try (InteropRun run = InteropRun.startGateway(dir);
        FeedClient feed = FeedClient.open(vertx, run.websocketPort(), TestConfig.AUTHKEY)) {
      run.startProxy();
      assertEquals(1, feed.awaitType("system.link_up", 1, DEADLINE).size(),
          "the evapi client reaches Kamailio\n" + run.tail("gateway"));

      int sipp = run.placeCalls(CALLS, 25, 500);
      assertEquals(0, sipp, "every SIPp call succeeds\n" + run.tail("uac") + "\n" + run.tail("kamailio"));

      feed.awaitAtLeast(is("call.hangup", "hep", null), CALLS, DEADLINE);
      for (String transport : List.of("datagram", "jsonrpc", "evapi")) {
        feed.awaitAtLeast(is("call.cdr", "kamailio", transport), CALLS, DEADLINE);
      }
      for (String type : List.of("call.initial", "call.ringing", "call.connected", "call.hangup")) {
        assertEquals(CALLS, feed.events().stream().filter(is(type, "hep", null)).count(),
            () -> type + " from HEP; the calls without one, with what they had:\n" + callsWithout(feed, type));
      }
      assertEquals(0, feed.events().stream().filter(is("call.missed", "hep", null)).count());
      assertEquals(CALLS, feed.ofType("log.dialog.start").size(), "Kamailio's hlog packets");
      for (String transport : List.of("datagram", "jsonrpc", "evapi")) {
        for (String type : List.of("call.connected", "call.hangup", "call.cdr")) {
          assertEquals(CALLS, feed.events().stream().filter(is(type, "kamailio", transport)).count(),
              type + " over " + transport);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
