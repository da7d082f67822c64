package dev.switchboard.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.FeedClient;
import dev.switchboard.GatewayTest;
import dev.switchboard.TestConfig;
import dev.switchboard.event.EventJson;
import dev.switchboard.event.Timestamps;
import dev.switchboard.http.ApiServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpIngestTest extends GatewayTest {

  @Test
  void jsonEventArrivesWithEveryFieldIntactAndTheTimestampExact() throws Exception {
    startNode();
    FeedClient client = feed("");
    String body = "{\"class\":\"call\",\"event\":\"ringing\",\"timestamp\":1700000000.000001,"
        + "\"call_id\":\"c-1\",\"caller\":\"+61390001234\",\"vendor\":{\"nested\":[1,2.50,\"Zürich ☎\",null,true]},"
        + "\"big\":12345678901234567890123,\"precise\":0.10000000000000000001,\"empty\":{}}";

    HttpResponse<Buffer> response = ingest("application/json", body);

    assertEquals(202, response.statusCode(), response.bodyAsString());
    JsonObject reply = response.bodyAsJsonObject();
    assertEquals(1, reply.getInteger("accepted"));
    String frame = Await.result(client.frames(1)).get(0).encode();
    String raw = client.rawFrames().get(0);
    assertTrue(raw.contains("\"timestamp\":1700000000.000001"), raw);
    assertTrue(raw.contains("\"precise\":0.10000000000000000001"), raw);
    assertTrue(raw.contains("\"big\":12345678901234567890123"), raw);
    Map<String, Object> sent = EventJson.parseObject(body);
    Map<String, Object> received = EventJson.parseObject(raw);
    assertEquals(reply.getJsonArray("ids").getString(0), received.remove("id"));
    assertEquals("test-node", received.remove("node"));
    assertEquals(sent, received, frame);
  }

  @Test
  void arrayEventsArriveInOrderWithTheirIds() {
    startNode();
    FeedClient client = feed("");

    HttpResponse<Buffer> response = ingest("application/json",
        "[{\"class\":\"call\",\"event\":\"initial\",\"n\":1},{\"class\":\"call\",\"event\":\"ringing\",\"n\":2},"
            + "{\"class\":\"message\",\"event\":\"received\",\"n\":3,\"text\":\"hi\"}]");

    assertEquals(202, response.statusCode(), response.bodyAsString());
    JsonArray ids = response.bodyAsJsonObject().getJsonArray("ids");
    List<JsonObject> frames = Await.result(client.frames(3));
    for (int i = 0; i < 3; i++) {
      assertEquals(i + 1, frames.get(i).getInteger("n"));
      assertEquals(ids.getString(i), frames.get(i).getString("id"));
    }
    assertTrue(ids.getString(0).compareTo(ids.getString(1)) < 0, "ids sort by time");
    assertTrue(ids.getString(1).compareTo(ids.getString(2)) < 0, "ids sort by time");
  }

  @Test
  void ndjsonLinesArriveAndIntegerMicrosecondsAreExact() {
    startNode();
    FeedClient client = feed("");

    HttpResponse<Buffer> response = ingest("application/x-ndjson",
        "{\"class\":\"call\",\"event\":\"answered\",\"timestamp\":1700000000123456}\n\n"
            + "{\"class\":\"call\",\"event\":\"hangup\",\"timestamp\":\"1700000001.5\",\"billsec\":1}\n");

    assertEquals(202, response.statusCode(), response.bodyAsString());
    assertEquals(2, response.bodyAsJsonObject().getInteger("accepted"));
    Await.result(client.frames(2));
    assertTrue(client.rawFrames().get(0).contains("\"timestamp\":1700000000.123456"), client.rawFrames().get(0));
    assertTrue(client.rawFrames().get(1).contains("\"timestamp\":1700000001.500000"), client.rawFrames().get(1));
  }

  @Test
  void formFieldsBecomeOneEvent() {
    startNode();
    FeedClient client = feed("");

    HttpResponse<Buffer> response = ingest("application/x-www-form-urlencoded",
        "class=call&event=ringing&call_event_uuid=7d2b-11&caller_id_number=%2B61390001234&note=caf%C3%A9"
            + "&tag=vip&timestamp=1700000000.25&tag=sales");

    assertEquals(202, response.statusCode(), response.bodyAsString());
    JsonObject event = Await.result(client.frames(1)).get(0);
    assertEquals("call", event.getString("class"));
    assertEquals("ringing", event.getString("event"));
    assertEquals("7d2b-11", event.getString("call_event_uuid"));
    assertEquals("+61390001234", event.getString("caller_id_number"));
    assertEquals("café", event.getString("note"));
    assertEquals(new JsonArray().add("vip").add("sales"), event.getJsonArray("tag"), "a repeated name becomes an array");
    assertTrue(client.rawFrames().get(0).contains("\"timestamp\":1700000000.250000"));
    assertEquals(List.of("class", "event", "timestamp", "id", "node", "call_event_uuid", "caller_id_number", "note", "tag"),
        List.copyOf(event.fieldNames()), "the form's order is kept");
  }

  @Test
  void keyInTheQueryWorksAndAMissingTimestampIsTheArrivalTime() {
    startNode();
    FeedClient client = feed("");
    long before = Timestamps.nowMicros();

    HttpResponse<Buffer> response = Await.result(http.post(node.httpPort(), "127.0.0.1", "/v1/events?key=" + TestConfig.INGEST_KEY)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .sendBuffer(Buffer.buffer("{\"class\":\"registration\",\"event\":\"registered\"}")));

    long after = Timestamps.nowMicros();
    assertEquals(202, response.statusCode(), response.bodyAsString());
    long stamped = Timestamps.parse(Await.result(client.frames(1)).get(0).getValue("timestamp"));
    assertTrue(stamped >= before && stamped <= after, stamped + " not within " + before + ".." + after);
  }

  @Test
  void eachBadInputIsNamed() {
    startNode();
    assertProblem(ingest("application/json", "{\"event\":\"ringing\"}"), 400, "invalid_events", "class is missing");
    assertProblem(ingest("application/json", "{\"class\":5,\"event\":\"ringing\"}"), 400, "invalid_events", "class must be a string");
    assertProblem(ingest("application/json", "{\"class\":\"call\",\"event\":\"ring ing\"}"), 400, "invalid_events", "event 'ring ing' must match");
    assertProblem(ingest("application/json", "{\"class\":\"call\",\"event\":\"x\",\"timestamp\":1.1234567}"), 400,
        "invalid_events", "more than six decimals");
    assertProblem(ingest("application/json", "{\"class\":\"call\",\"event\":\"x\",\"timestamp\":true}"), 400,
        "invalid_events", "timestamp must be a number");
    assertProblem(ingest("application/json", "{\"class\":\"call\",\"event\":\"x\",\"account_id\":7}"), 400,
        "invalid_events", "account_id must be a non-empty string");
    assertProblem(ingest("application/json", "{\"class\":\"call\",\"event\":\"x\",\"id\":\"mine\"}"), 400,
        "invalid_events", "id is set by the gateway");
    assertProblem(ingest("application/json", "{\"class\":\"call\",\"event\":\"x\",\"a\":1,\"a\":2}"), 400,
        "malformed_json", "Duplicate field 'a'");
    assertProblem(ingest("application/json", "[]"), 400, "invalid_body", "no events");
    assertProblem(ingest("application/json", "\"call\""), 400, "invalid_body", "JSON object or an array");
    assertProblem(ingest("application/json", "[{\"class\":\"call\",\"event\":\"x\"}, 3]"), 400, "invalid_events",
        "array element 1 is not a JSON object");
    assertProblem(ingest("application/x-www-form-urlencoded", ""), 400, "invalid_body", "no fields");
    assertProblem(ingest("application/x-ndjson", "\n \n"), 400, "invalid_body", "no events");

    HttpResponse<Buffer> malformed = ingest("application/json", "{\"class\":\"call\",\n\"event\": }");
    assertProblem(malformed, 400, "malformed_json", "not valid JSON");
    JsonObject where = malformed.bodyAsJsonObject().getJsonArray("problems").getJsonObject(0);
    assertEquals(2, where.getInteger("line"));
    assertNotNull(where.getInteger("column"));

    HttpResponse<Buffer> ndjson = ingest("application/x-ndjson",
        "{\"class\":\"call\",\"event\":\"a\"}\n{\"class\":\"call\",\"event\":\"b\"}\n{\"class\":\"call\"\n{\"event\":\"c\"}\n");
    assertProblem(ndjson, 400, "invalid_events", "2 problems");
    JsonArray problems = ndjson.bodyAsJsonObject().getJsonArray("problems");
    assertEquals(3, problems.getJsonObject(0).getInteger("line"));
    assertTrue(problems.getJsonObject(0).getString("message").startsWith("line 3 is not a JSON object"));
    assertEquals(4, problems.getJsonObject(1).getInteger("line"));
    assertEquals("class", problems.getJsonObject(1).getString("field"));
  }

  @Test
  void aBatchWithOneBadEventAcceptsNothing() {
    startNode();
    FeedClient client = feed("");

    assertProblem(ingest("application/json",
        "[{\"class\":\"call\",\"event\":\"first\"},{\"class\":\"call\"}]"), 400, "invalid_events", "event is missing");
    assertEquals(202, ingest("application/json", "{\"class\":\"call\",\"event\":\"marker\"}").statusCode());

    List<JsonObject> frames = Await.result(client.frames(1));
    assertEquals("marker", frames.get(0).getString("event"), "nothing of the refused batch was published");
  }

  @Test
  void keysContentTypesAndSizesAreEnforced() {
    startNode(config -> {
      config.getJsonObject("http").put("max_body_bytes", 2048);
      config.getJsonObject("ingest").put("max_batch_events", 2);
    });
    String event = "{\"class\":\"call\",\"event\":\"x\"}";

    HttpResponse<Buffer> noKey = Await.result(http.post(node.httpPort(), "127.0.0.1", "/v1/events")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(event)));
    assertProblem(noKey, 401, "unauthorized", "ingest key is missing or wrong");
    assertEquals("Bearer", noKey.getHeader("WWW-Authenticate"));
    HttpResponse<Buffer> wrongKey = Await.result(http.post(node.httpPort(), "127.0.0.1", "/v1/events")
        .putHeader("Authorization", "Bearer " + TestConfig.AUTHKEY)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(event)));
    assertProblem(wrongKey, 401, "unauthorized", "ingest key is missing or wrong");

    assertProblem(ingest("text/plain", event), 415, "unsupported_media_type", "Content-Type must be");
    assertProblem(ingest("application/json", "[" + event + ",\n" + " ".repeat(3000) + event + "]"), 413,
        "payload_too_large", "http.max_body_bytes");
    assertProblem(ingest("application/json", "[" + event + "," + event + "," + event + "]"), 413,
        "batch_too_large", "at most 2 events");
    assertProblem(ingest("application/x-ndjson", event + "\n" + event + "\n" + event + "\n"), 413,
        "batch_too_large", "at most 2 events");
    assertEquals(202, ingest("application/json", "[" + event + "," + event + "]").statusCode());
  }

  @Test
  void extraIngestKeysAreAcceptedBesideTheMainOne() {
    startNode(config -> config.getJsonObject("ingest").put("extra_keys", new JsonArray().add("ik_pbx2").add("ik_old")));
    for (String key : List.of(TestConfig.INGEST_KEY, "ik_pbx2", "ik_old")) {
      HttpResponse<Buffer> response = Await.result(http.post(node.httpPort(), "127.0.0.1", "/v1/events?key=" + key)
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer("{\"class\":\"call\",\"event\":\"x\"}")));
      assertEquals(202, response.statusCode(), key);
    }
    HttpResponse<Buffer> other = Await.result(http.post(node.httpPort(), "127.0.0.1", "/v1/events?key=ik_pbx3")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"class\":\"call\",\"event\":\"x\"}")));
    assertEquals(401, other.statusCode());
  }

  @Test
  void sourcesOutsideTheAllowlistAreRefused() {
    startNode(config -> config.getJsonObject("ingest").put("allow", new JsonArray().add("10.0.0.0/8").add("fd00::/8")));

    assertProblem(ingest("application/json", "{\"class\":\"call\",\"event\":\"x\"}"), 403, "source_not_allowed",
        "127.0.0.1 is not in ingest.allow");
  }

  @Test
  void withoutIntakeIngestAnswers503WithRetryAfterAndReadinessFails() {
    startNode();
    JsonObject config = TestConfig.create(dataDir);
    ApiServerVerticle lonelyApi = new ApiServerVerticle();
    Await.result(vertx.deployVerticle(lonelyApi, new DeploymentOptions().setConfig(config)));
    Await.result(node.stop());
    node = null;

    HttpResponse<Buffer> response = Await.result(http.post(lonelyApi.port(), "127.0.0.1", "/v1/events")
        .putHeader("Authorization", "Bearer " + TestConfig.INGEST_KEY)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"class\":\"call\",\"event\":\"x\"}")));

    assertProblem(response, 503, "unavailable", "intake is not running on this node");
    assertEquals("1", response.getHeader("Retry-After"));
    assertEquals(503, Await.result(http.get(lonelyApi.port(), "127.0.0.1", "/ready").send()).statusCode());
    assertEquals(200, Await.result(http.get(lonelyApi.port(), "127.0.0.1", "/health").send()).statusCode());
  }

  static void assertProblem(HttpResponse<Buffer> response, int status, String error, String messagePart) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals("application/json", response.getHeader("Content-Type"));
    JsonObject body = response.bodyAsJsonObject();
    assertEquals(error, body.getString("error"), body.encode());
    assertTrue(body.encode().contains(messagePart), "'" + messagePart + "' not in " + body.encode());
  }
}
