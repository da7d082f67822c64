package dev.switchboard.ingest.hep;

import static dev.switchboard.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.FeedClient;
import dev.switchboard.Switchboard;
import dev.switchboard.TestConfig;
import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.EventCatalog.Emitter;
import dev.switchboard.ingest.Captures;
import dev.switchboard.ingest.FreePorts;
import dev.switchboard.TestNode;
import dev.switchboard.ingest.Pieces;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The collector on real sockets inside a running node, checked through the websocket feed. */
@ExtendWith(VertxExtension.class)
class HepCollectorTest {

  private static final Duration DEADLINE = Duration.ofSeconds(15);

  @TempDir
  Path dataDir;
  private TestNode running;
  private Switchboard node;
  private FeedClient feed;
  private int port;

  private void start(Vertx vertx, JsonObject hepSettings) throws Exception {
    port = FreePorts.udpAndTcp();
    JsonObject config = TestConfig.create(dataDir);
    config.getJsonObject("hep").put("port", port).mergeIn(hepSettings);
    config.getJsonObject("sip").put("reorder_window_ms", 20);
    running = TestNode.start(vertx, config);
    node = running.node;
    feed = running.feed();
  }

  @AfterEach
  void stop() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  private void sendUdp(List<byte[]> datagrams) throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      for (byte[] datagram : datagrams) {
        socket.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
      }
    }
  }

  private void assertTwentyCalls() throws InterruptedException {
    feed.awaitType("call.hangup", 20, DEADLINE);
    feed.awaitType("log.dialog.end", 20, DEADLINE);
    for (String type : List.of("call.initial", "call.ringing", "call.connected", "call.hangup")) {
      assertEquals(20, feed.ofType(type).size(), type);
    }
    assertEquals(20, feed.ofType("log.dialog.start").size());
    assertEquals(20, feed.ofType("log.dialog.end").size());
    List<JsonObject> up = feed.ofType("system.source_up");
    assertEquals(1, up.size());
    assertEquals(2001L, up.get(0).getLong("capture_id"));
    assertEquals("127.0.0.1", up.get(0).getString("address"));
    CatalogCheck check = new CatalogCheck();
    feed.events().forEach(event -> check.check(event, Emitter.HEP));
  }

  @Test
  void capturedKamailioTrafficOverUdpBecomesCallEvents(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    sendUdp(Captures.hepDatagrams("interop-20calls/hep.raw"));

    assertTwentyCalls();
    JsonObject log = feed.ofType("log.dialog.start").get(0);
    assertEquals("1-11307@127.0.0.1", log.getString("correlation_id"));
    assertEquals("200 OK", log.getJsonObject("data").getString("trigger"));
    JsonObject initial = feed.ofType("call.initial").get(0);
    assertEquals("sipp", initial.getString("from"));
    assertEquals("1000", initial.getString("to"));
    assertEquals("1795498095.830071", java.math.BigDecimal.valueOf(initial.getDouble("timestamp")).toPlainString());
    assertEquals(300, node.hep().counters().packets());
    assertEquals(260, node.hep().counters().sip());
  }

  @Test
  void tcpStreamCutAnywhereIsFramedByTheHepLength(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    Captures.hepDatagrams("interop-20calls/hep.raw").forEach(stream::writeBytes);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      Pieces.write(socket.getOutputStream(), stream.toByteArray(), 1, 700);
      assertTwentyCalls();
    }
    assertEquals("tcp", feed.ofType("system.source_up").get(0).getString("transport"));
    assertEquals(0, node.hep().counters().malformed());
  }

  @Test
  void garbageIsCountedAndGoodTrafficStillFlows(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    byte[] good = Captures.hepDatagrams("interop-20calls/hep.raw").get(0);
    sendUdp(List.of("not hep at all".getBytes(), new byte[] {'H', 'E', 'P', '3', 0, 99, 0},
        java.util.Arrays.copyOf(good, good.length - 10), new byte[0]));
    byte[] notSip = HepBuilder.sip("this is not SIP", 1_700_000_000_000_000L, "10.0.0.1", 5060, "10.0.0.2", 5060, 9)
        .build();
    byte[] otherType = new HepBuilder().uint8(0x0b, 5).uint32(0x0c, 9).text(0x0f, "RTCP").build();
    sendUdp(List.of(notSip, otherType, good));

    feed.awaitType("call.initial", 1, DEADLINE);
    HepCounters counters = node.hep().counters();
    assertEquals(4, counters.malformed(), "garbage, a short header, a truncated packet, an empty datagram");
    assertEquals(1, counters.sipUnparsable());
    assertEquals(1, counters.otherTypes());
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
      assertEquals(-1, socket.getInputStream().read(), "a stream that is not HEP is closed");
    }
    assertEquals(5, counters.malformed());
  }

  @Test
  void captureAuthKeyAndAllowedNetworksAreEnforced(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("auth_key", "s3cret"));
    String invite = "INVITE sip:1@x SIP/2.0\r\nCall-ID: auth@test\r\nCSeq: 1 INVITE\r\n"
        + "From: <sip:a@x>;tag=1\r\nTo: <sip:1@x>\r\n\r\n";
    byte[] withoutKey = HepBuilder.sip(invite, 1_700_000_000_000_000L, "10.0.0.1", 5060, "10.0.0.2", 5060, 9).build();
    byte[] withKey = HepBuilder.sip(invite, 1_700_000_000_000_000L, "10.0.0.1", 5060, "10.0.0.2", 5060, 9)
        .text(0x0e, "s3cret").build();
    sendUdp(List.of(withoutKey, withKey));

    assertEquals(1, feed.awaitType("call.initial", 1, DEADLINE).size());
    assertEquals(1, node.hep().counters().unauthorized());
  }

  @Test
  void packetsFromOutsideTheAllowedNetworksAreDropped(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("allow", new JsonArray().add("192.0.2.0/24")));
    sendUdp(Captures.hepDatagrams("interop-20calls/hep.raw").subList(0, 5));

    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (node.hep().counters().notAllowed() < 5 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(5, node.hep().counters().notAllowed());
    assertEquals(0, node.hep().counters().sip());
  }

  @Test
  void silentCaptureAgentIsReportedDown(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("source_silence_s", 1));
    sendUdp(Captures.hepDatagrams("interop-20calls/hep.raw").subList(0, 1));

    assertEquals(1, feed.awaitType("system.source_up", 1, DEADLINE).size());
    List<JsonObject> down = feed.awaitType("system.source_down", 1, DEADLINE);
    assertEquals(1, down.size());
    assertEquals(2001L, down.get(0).getLong("capture_id"));
    assertTrue(down.get(0).getLong("silent_s") >= 1);
  }

  @Test
  void aTakenPortStopsTheNodeFromStartingWithAMessageNamingIt(Vertx vertx) throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      JsonObject config = TestConfig.create(dataDir);
      config.getJsonObject("hep").put("port", taken.getLocalPort());
      Throwable failure = Await.failure(Switchboard.start(vertx, config));
      assertTrue(failure.getMessage().contains("udp 127.0.0.1:" + taken.getLocalPort()), failure.getMessage());
    }
  }
}
