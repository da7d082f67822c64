package dev.switchboard.ingest.jsonrpc;

import static dev.switchboard.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** UDP JSON datagrams, JSON-RPC over TCP and the evapi client, with Kamailio's real framings on real sockets. */
@ExtendWith(VertxExtension.class)
class SoftswitchTransportsTest {

  private static final Duration DEADLINE = Duration.ofSeconds(15);

  @TempDir
  Path dataDir;
  private TestNode running;
  private Switchboard node;
  private FeedClient feed;

  /** Starts a node with one listener on a free port and these settings merged into its section. */
  private int start(Vertx vertx, String listener, JsonObject settings) throws Exception {
    int port = FreePorts.udpAndTcp();
    JsonObject config = TestConfig.create(dataDir);
    config.getJsonObject(listener).put("port", port).mergeIn(settings);
    start(vertx, config);
    return port;
  }

  private void start(Vertx vertx, JsonObject config) throws Exception {
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

  /** 20 calls of the interop capture: 5 events each. */
  private void assertTwentyCallsOfKamailioEvents() throws InterruptedException {
    feed.awaitAtLeast(e -> true, 100, DEADLINE);
    assertEquals(20, feed.ofType("call.connected").size());
    assertEquals(20, feed.ofType("call.hangup").size());
    assertEquals(20, feed.ofType("call.cdr").size());
    assertEquals(40, feed.ofType("kamailio.acc.tx").size());
    assertEquals(100, feed.events().size());
    JsonObject connected = feed.ofType("call.connected").get(0);
    assertEquals("kamailio", connected.getString("source"));
    assertEquals("1-11307@127.0.0.1", connected.getString("call_id"));
    assertEquals("sipp", connected.getString("from"));
  }

  @Test
  void jsonDatagramsFromKamailioAndOpenSips(Vertx vertx) throws Exception {
    int port = start(vertx, "datagram", new JsonObject());
    try (DatagramSocket socket = new DatagramSocket()) {
      for (String line : Captures.lines("interop-20calls/udp.raw")) {
        byte[] json = line.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(json, json.length, InetAddress.getLoopbackAddress(), port));
      }
      assertTwentyCallsOfKamailioEvents();
      for (String text : List.of("{not json", "[1,2]", "{\"jsonrpc\":\"2.0\",\"method\":\"E_DLG_STATE_CHANGED\","
          + "\"params\":{\"callid\":\"os-1\",\"old_state\":1,\"new_state\":2}}")) {
        byte[] json = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(json, json.length, InetAddress.getLoopbackAddress(), port));
      }
    }
    JsonObject ringing = feed.awaitType("call.ringing", 1, DEADLINE).get(0);
    assertEquals("opensips", ringing.getString("source"));
    assertEquals("os-1", ringing.getString("call_id"));
    assertEquals(2, node.datagram().counters().malformed());
  }

  @Test
  void jsonRpcNetstringsCutAnywhere(Vertx vertx) throws Exception {
    start(vertx, "jsonrpc", new JsonObject());
    byte[] stream = String.join("", Captures.lines("interop-20calls/jsonrpc.raw")).getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.jsonRpc().port())) {
      Pieces.write(socket.getOutputStream(), stream, 3, 400);
      assertTwentyCallsOfKamailioEvents();
    }
    assertEquals(0, node.jsonRpc().counters().malformed());
  }

  @Test
  void requestsWithAnIdAreAnsweredInTheirOwnFraming(Vertx vertx) throws Exception {
    start(vertx, "jsonrpc", new JsonObject());
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.jsonRpc().port())) {
      OutputStream out = socket.getOutputStream();
      // OpenSIPS event_stream: JSON objects back to back; two requests and a notification.
      out.write(("{\"jsonrpc\":\"2.0\",\"method\":\"E_UL_CONTACT_INSERT\",\"params\":{\"aor\":\"a{b}\\\"c\"},\"id\":1}"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"E_ACC_CDR\",\"params\":{\"callid\":\"x\"}}\n"
          + "{\"jsonrpc\":\"2.0\",\"method\":\"E_CALL_HOLD\",\"params\":{\"callid\":\"x\"},\"id\":\"two\"}")
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader replies = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      assertEquals(new JsonObject("{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":1}"), new JsonObject(replies.readLine()));
      assertEquals(new JsonObject("{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":\"two\"}"),
          new JsonObject(replies.readLine()));

      String request = "{\"jsonrpc\":\"2.0\",\"method\":\"dialog.end\",\"params\":{\"call_id\":\"y\"},\"id\":3}";
      out.write((request.length() + ":" + request + ",").getBytes(StandardCharsets.UTF_8));
      out.flush();
      String reply = "{\"jsonrpc\":\"2.0\",\"result\":\"OK\",\"id\":3}";
      byte[] expected = (reply.length() + ":" + reply + ",").getBytes(StandardCharsets.UTF_8);
      assertEquals(new String(expected, StandardCharsets.UTF_8),
          new String(socket.getInputStream().readNBytes(expected.length), StandardCharsets.UTF_8));
    }
    feed.awaitType("call.hangup", 1, DEADLINE);
    assertEquals(List.of("registration.registered", "call.cdr", "call.hold", "call.hangup"),
        feed.events().stream().map(e -> e.getString("class") + "." + e.getString("event")).toList());
    assertEquals("a{b}\"c", feed.events().get(0).getString("aor"));
  }

  @Test
  void brokenFramingClosesTheConnection(Vertx vertx) throws Exception {
    start(vertx, "jsonrpc", new JsonObject().put("max_frame_bytes", 1024));
    for (String garbage : List.of("hello", "5:abcdefg", "99999:{}", "{\"a\":\"" + "x".repeat(2000) + "\"}")) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.jsonRpc().port())) {
        socket.getOutputStream().write(garbage.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        assertEquals(-1, socket.getInputStream().read(), garbage);
      }
    }
    assertEquals(4, node.jsonRpc().counters().malformed());
  }

  @Test
  void evapiClientReadsNetstringsAndReconnectsWithLinkEvents(Vertx vertx) throws Exception {
    int evapiPort = FreePorts.udpAndTcp();
    JsonObject config = TestConfig.create(dataDir);
    config.put("evapi", "127.0.0.1:" + evapiPort).put("evapi_reconnect_max_ms", 200);
    // The gateway starts first and keeps retrying until "Kamailio" listens.
    start(vertx, config);
    String stream = String.join("", Captures.lines("interop-20calls/evapi.raw"));
    AtomicInteger connections = new AtomicInteger();
    NetServer kamailio = vertx.createNetServer().connectHandler(socket -> {
      if (connections.incrementAndGet() == 1) {
        socket.write(Buffer.buffer(stream)).onComplete(written -> socket.close());
      }
    });
    result(kamailio.listen(evapiPort, "127.0.0.1"));
    try {
      assertEquals(2, feed.awaitType("system.link_up", 2, DEADLINE).size(), "connected, dropped, reconnected");
      List<String> types = feed.events().stream().map(e -> e.getString("class") + "." + e.getString("event")).toList();
      assertEquals("system.link_up", types.get(0));
      assertEquals("system.link_down", types.get(101));
      assertEquals("system.link_up", types.get(102));
      assertEquals(20, feed.ofType("call.connected").size());
      assertEquals(20, feed.ofType("call.hangup").size());
      assertEquals(20, feed.ofType("call.cdr").size());
      assertEquals("127.0.0.1:" + evapiPort, feed.ofType("system.link_down").get(0).getString("peer"));
      CatalogCheck check = new CatalogCheck();
      feed.events().stream().filter(e -> e.getString("event").startsWith("link_"))
          .forEach(link -> check.check(link, Emitter.EVAPI));
      assertTrue(node.evapi().connected());
    } finally {
      result(kamailio.close());
    }
  }
}
