package dev.switchboard.ingest.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.ingest.Captures;
import dev.switchboard.ingest.hep.HepDecoder;
import dev.switchboard.ingest.hep.HepPacket;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * On demand: {@code mvn -B test -Dgroups=benchmark -Dexcluded.test.groups=interop
 * -Dtest=SipIngestBenchmarkTest}. Prints HEP packets per second turned into events on one thread,
 * and the heap each tracked dialog takes.
 */
@Tag("benchmark")
class SipIngestBenchmarkTest {

  @Test
  void hepPacketsPerSecondOnOneCore() throws Exception {
    List<byte[]> burst = Captures.hepDatagrams("burst-200calls/hep.raw.gz");
    AtomicLong events = new AtomicLong();
    long packets = 0;
    // Warm up the JIT, then measure; a fresh tracker per pass, so every call is new to it.
    for (long seconds : new long[] {3, 5}) {
      packets = 0;
      events.set(0);
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        SipEventTracker tracker = new SipEventTracker(SipEventTrackerTest.settings(100, new JsonArray()),
            event -> events.incrementAndGet());
        for (byte[] datagram : burst) {
          HepPacket hep = HepDecoder.decode(datagram);
          if (hep.protocolType() == HepPacket.SIP) {
            tracker.accept(new SipPacket(SipMessage.parse(hep.payload()), hep.timestampMicros(), hep.srcIp(),
                hep.src(), hep.dst(), hep.captureId(), hep.correlationId()), hep.timestampMicros());
          }
        }
        tracker.drain();
        packets += burst.size();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      System.out.printf("HEP ingest (decode + SIP parse + dialog tracking + event building), one thread, %.1f s: "
          + "%,.0f packets/s, %,.0f events/s%n", elapsed, packets / elapsed, events.get() / elapsed);
    }
    assertTrue(packets > 0);
  }

  @Test
  void heapPerTrackedDialog() throws Exception {
    int dialogs = 100_000;
    SipTrackerSettings settings = new SipTrackerSettings(0, dialogs, 3_600_000_000L, 3_600_000_000L, 32_000_000L, 10,
        java.util.Set.of(), dev.switchboard.net.CidrSet.parse(List.of()), AccountRules.none());
    AtomicLong events = new AtomicLong();
    SipEventTracker tracker = new SipEventTracker(settings, event -> events.incrementAndGet());
    long before = usedHeap();
    for (int i = 0; i < dialogs; i++) {
      String invite = "INVITE sip:+4420" + (7_000_000 + i) + "@pbx.example.com SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 10.1.2.3:5060;branch=z9hG4bK-" + i + "\r\n"
          + "From: \"Caller " + i + "\" <sip:" + (1000 + i % 9000) + "@pbx.example.com>;tag=" + Long.toHexString(i * 7919L)
          + "\r\nTo: <sip:+4420" + (7_000_000 + i) + "@pbx.example.com>\r\n"
          + "Call-ID: " + Long.toHexString(i * 104729L) + "-" + i + "@10.1.2.3\r\nCSeq: 1 INVITE\r\n"
          + "Content-Length: 0\r\n\r\n";
      tracker.accept(new SipPacket(SipMessage.parse(invite.getBytes(StandardCharsets.UTF_8)),
          1_700_000_000_000_000L + i, "10.1.2.3", "10.1.2.3:5060", "10.9.9.9:5060", 1, null), 1);
    }
    tracker.drain();
    long after = usedHeap();
    assertEquals(dialogs, tracker.dialogs());
    assertEquals(dialogs, events.get());
    System.out.printf("heap per tracked dialog (ringing call, realistic header sizes): %,d bytes (%,d dialogs, "
        + "%,.1f MiB)%n", (after - before) / dialogs, dialogs, (after - before) / 1048576.0);
  }

  private static long usedHeap() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
    }
    return used;
  }
}
