package dev.switchboard.ingest.hep;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.TestConfig;
import dev.switchboard.ingest.Captures;
import dev.switchboard.ingest.FreePorts;
import dev.switchboard.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * On demand: {@code mvn -B test -Dgroups=benchmark -Dexcluded.test.groups=interop
 * -Dtest=HepReplayRateBenchmarkTest}. The whole path (UDP socket, decoding, dialog tracking,
 * intake, event bus, websocket) at rising paced HEP rates: the 200-call burst capture replayed ten
 * times per step with fresh Call-IDs; prints, per rate, datagrams lost and calls missing their
 * {@code call.hangup}.
 */
@Tag("benchmark")
@ExtendWith(VertxExtension.class)
class HepReplayRateBenchmarkTest {

  private static final int PASSES = 10;

  @TempDir
  Path dataDir;

  @Test
  void highestHepRateWithNoCallLost(Vertx vertx) throws Exception {
    List<HepPacket> burst = new ArrayList<>();
    for (byte[] datagram : Captures.hepDatagrams("burst-200calls/hep.raw.gz")) {
      burst.add(HepDecoder.decode(datagram));
    }
    int port = FreePorts.udpAndTcp();
    JsonObject config = TestConfig.create(dataDir);
    config.getJsonObject("hep").put("port", port);
    int best = 0;
    try (TestNode running = TestNode.start(vertx, config);
        DatagramSocket socket = new DatagramSocket()) {
      int step = 0;
      for (int rate : new int[] {2_000, 5_000, 10_000, 20_000, 40_000, 80_000}) {
        List<byte[]> datagrams = rewritten(burst, ++step);
        long packetsBefore = running.node.hep().counters().packets();
        int eventsBefore = running.feed().events().size();
        long start = System.nanoTime();
        // Paced in 5 ms slices: a sender spinning per packet would take the CPU the gateway needs.
        int perSlice = Math.max(1, rate / 200);
        for (int i = 0; i < datagrams.size(); i++) {
          if (i % perSlice == 0) {
            long due = start + (i / perSlice) * 5_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
          }
          byte[] datagram = datagrams.get(i);
          socket.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        int calls = 200 * PASSES;
        String suffix = ".s" + step + ".";
        List<JsonObject> hangups = running.feed().awaitAtLeast(e -> "hangup".equals(e.getString("event"))
            && e.getString("call_id", "").contains(suffix), calls, java.time.Duration.ofSeconds(20));
        long lost = datagrams.size() - (running.node.hep().counters().packets() - packetsBefore);
        System.out.printf("HEP at %,d packets/s (achieved %,.0f): %,d datagrams, %d lost, %d of %d calls hung up, "
            + "%,d events on the feed%n", rate, datagrams.size() / sendSeconds, datagrams.size(), lost, hangups.size(),
            calls, running.feed().events().size() - eventsBefore);
        if (hangups.size() < calls || lost > 0) {
          break;
        }
        best = (int) Math.min(rate, datagrams.size() / sendSeconds);
      }
    }
    System.out.println("highest HEP rate sent with no datagram and no call lost: " + best + " packets/s (when it "
        + "is below the asked rate, the test's sender was the limit, not the gateway)");
    assertTrue(best > 0);
  }

  /** The capture, {@link #PASSES} times, each call renamed so every pass is new calls, timestamps shifted. */
  private static List<byte[]> rewritten(List<HepPacket> burst, int step) {
    List<byte[]> datagrams = new ArrayList<>(burst.size() * PASSES);
    for (int pass = 0; pass < PASSES; pass++) {
      long shift = (step * PASSES + pass) * 60_000_000L;
      for (HepPacket hep : burst) {
        String payload = new String(hep.payload(), StandardCharsets.UTF_8);
        String callId = hep.correlationId() != null ? hep.correlationId() : callId(payload);
        String renamed = callId + ".s" + step + "." + pass;
        HepBuilder packet = new HepBuilder()
            .uint8(0x01, 2).uint8(0x02, 17)
            .bytes(0x03, HepBuilder.ipv4(hep.srcIp())).bytes(0x04, HepBuilder.ipv4(hep.dstIp()))
            .uint16(0x07, hep.srcPort()).uint16(0x08, hep.dstPort())
            .uint32(0x09, (hep.timestampMicros() + shift) / 1_000_000).uint32(0x0a, hep.timestampMicros() % 1_000_000)
            .uint8(0x0b, hep.protocolType()).uint32(0x0c, hep.captureId());
        if (hep.correlationId() != null) {
          packet.text(0x11, renamed);
        }
        datagrams.add(packet.text(0x0f, payload.replace(callId, renamed)).build());
      }
    }
    return datagrams;
  }

  private static String callId(String sip) {
    int at = sip.indexOf("\r\nCall-ID: ");
    return sip.substring(at + 11, sip.indexOf("\r\n", at + 11));
  }
}
