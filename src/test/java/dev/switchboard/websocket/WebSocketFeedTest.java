package dev.switchboard.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.FeedClient;
import dev.switchboard.GatewayTest;
import dev.switchboard.TestConfig;
import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.EventCatalog.Emitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebSocketFeedTest extends GatewayTest {

  @Test
  void aWrongOrMissingKeyIsRefusedBeforeTheUpgrade() {
    startNode();
    for (String query : List.of("authkey=wrong", "authkey=" + TestConfig.INGEST_KEY, "")) {
      Throwable failure = Await.failure(FeedClient.connect(vertx, node.websocketPort(), query));
      UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, failure, query);
      assertEquals(401, rejected.getStatus(), query);
      assertTrue(rejected.getBody().toString().contains("\"error\":\"unauthorized\""), rejected.getBody().toString());
    }
    Throwable badBinding = Await.failure(FeedClient.connect(vertx, node.websocketPort(),
        "authkey=" + TestConfig.AUTHKEY + "&bindings=call"));
    assertEquals(400, ((UpgradeRejectedException) badBinding).getStatus());
  }

  @Test
  void plainHttpOnTheFeedPathIsAnsweredWithJson() {
    startNode();
    HttpResponse<Buffer> response = Await.result(http.get(node.websocketPort(), "127.0.0.1",
        "/events/websocket/?authkey=" + TestConfig.AUTHKEY).send());
    assertEquals(400, response.statusCode());
    assertEquals("websocket_required", response.bodyAsJsonObject().getString("error"));
  }

  @Test
  void bindingsChooseWhichEventsAClientGets() {
    startNode();
    FeedClient hangups = feed("bindings=*.hangup,message.*");
    FeedClient everything = feed("");

    ingest("application/x-ndjson", String.join("\n",
        "{\"class\":\"call\",\"event\":\"ringing\"}",
        "{\"class\":\"call\",\"event\":\"hangup\"}",
        "{\"class\":\"registration\",\"event\":\"registered\"}",
        "{\"class\":\"message\",\"event\":\"received\"}",
        "{\"class\":\"trunk\",\"event\":\"hangup\"}"));

    List<JsonObject> all = Await.result(everything.frames(5));
    assertEquals("trunk", all.get(4).getString("class"));
    List<JsonObject> chosen = Await.result(hangups.frames(3));
    assertEquals(List.of("call.hangup", "message.received", "trunk.hangup"),
        chosen.stream().map(e -> e.getString("class") + "." + e.getString("event")).toList());
    assertEquals(3, hangups.rawFrames().size(), "no event outside the bindings was sent");
  }

  @Test
  void anUnreadClientDoesNotStopAnotherAndLearnsHowManyItMissed() {
    int events = 3000;
    startNode(config -> {
      config.getJsonObject("http").put("max_body_bytes", 16 * 1024 * 1024);
      config.getJsonObject("websocket").put("max_buffered_bytes", 16 * 1024);
    });
    FeedClient stalled = feed("");
    stalled.socket().pause();
    FeedClient reader = feed("");
    String padding = "x".repeat(4000);

    for (int batch = 0; batch < events / 500; batch++) {
      StringBuilder body = new StringBuilder();
      for (int i = 0; i < 500; i++) {
        body.append("{\"class\":\"call\",\"event\":\"ringing\",\"n\":").append(batch * 500 + i)
            .append(",\"padding\":\"").append(padding).append("\"}\n");
      }
      assertEquals(202, ingest("application/x-ndjson", body.toString()).statusCode());
    }

    List<JsonObject> read = Await.result(reader.frames(events));
    for (int i = 0; i < events; i++) {
      assertEquals(i, read.get(i).getInteger("n"), "the reading client got every event, in order");
    }
    stalled.socket().resume();
    List<JsonObject> caughtUp = Await.result(stalled.until(frames -> accountedFor(frames) == events));
    long dropped = caughtUp.stream().filter(WebSocketFeedTest::isDropNotice).mapToLong(f -> f.getLong("dropped")).sum();
    assertTrue(dropped > 0, "the stalled client had events dropped");
    assertTrue(caughtUp.stream().anyMatch(WebSocketFeedTest::isDropNotice));
    CatalogCheck check = new CatalogCheck();
    caughtUp.stream().filter(WebSocketFeedTest::isDropNotice).forEach(notice -> check.check(notice, Emitter.WEBSOCKET));
  }

  @Test
  void stoppingTheNodeClosesClientsWithGoingAway() {
    startNode();
    FeedClient client = feed("");
    Await.result(node.stop());
    node = null;
    assertEquals((short) 1001, Await.result(client.closed()));
  }

  private static boolean isDropNotice(JsonObject frame) {
    return "system".equals(frame.getString("class")) && "events_dropped".equals(frame.getString("event"));
  }

  private static long accountedFor(List<JsonObject> frames) {
    long total = 0;
    for (JsonObject frame : frames) {
      total += isDropNotice(frame) ? frame.getLong("dropped") : 1;
    }
    return total;
  }
}
