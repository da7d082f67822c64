package dev.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.GatewayTest;
import dev.switchboard.TestConfig;
import dev.switchboard.TestHttp;
import dev.switchboard.WebhookReceiver;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: the fan-out's numbers in the Prometheus text format, for the system key only. */
class MetricsApiTest extends GatewayTest {

  private HttpResponse<Buffer> metrics(String key) {
    var request = http.get(node.httpPort(), "127.0.0.1", "/metrics");
    if (key != null) {
      request.putHeader("Authorization", "Bearer " + key);
    }
    return Await.result(request.send());
  }

  /** Sample lines as name (with labels) to value; comment lines checked for each name. */
  private static Map<String, Long> parse(String text) {
    Map<String, Long> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE "), line);
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
    }
    return samples;
  }

  @Test
  void theSystemKeyReadsTheFanOutsNumbersAndNoOtherKeyDoes() {
    startNode();
    WebhookReceiver receiver = Await.result(WebhookReceiver.start(vertx, 0));
    TestHttp api = new TestHttp(vertx, node.httpPort());
    assertEquals(201, api.post("/v1/subscriptions", TestConfig.AUTHKEY, new JsonObject().put("name", "crm")
        .put("bindings", new JsonArray().add("call.*"))
        .put("target", new JsonObject().put("uri", receiver.uri("/hook")))).status());

    HttpResponse<Buffer> before = metrics(TestConfig.AUTHKEY);
    assertEquals(200, before.statusCode());
    assertTrue(before.getHeader("Content-Type").startsWith("text/plain; version=0.0.4"));
    Map<String, Long> first = parse(before.bodyAsString());
    assertTrue(first.get("switchboard_outbox_bytes") > 0);
    assertEquals(1073741824L, first.get("switchboard_outbox_limit_bytes"));

    for (int i = 0; i < 3; i++) {
      assertEquals(202, ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"m-" + i + "\"}")
          .statusCode());
    }
    Await.result(receiver.count(3));
    // The receiver has the requests; the gateway counts each once it has read the answer.
    Map<String, Long> after = Await.result(vertx.executeBlocking(() -> {
      long deadline = System.currentTimeMillis() + 10_000;
      Map<String, Long> now = parse(metrics(TestConfig.AUTHKEY).bodyAsString());
      while (now.get("switchboard_fanout_attempts_total{outcome=\"delivered\"}") < 3
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
        now = parse(metrics(TestConfig.AUTHKEY).bodyAsString());
      }
      return now;
    }));
    assertEquals(3L, after.get("switchboard_fanout_attempts_total{outcome=\"delivered\"}"));
    assertEquals(3, after.get("switchboard_fanout_journaled_total") - first.get("switchboard_fanout_journaled_total"));
    assertEquals(0L, after.get("switchboard_fanout_attempts_total{outcome=\"failed\"}"));

    assertEquals(401, metrics(null).statusCode());
    assertEquals(401, metrics("not-a-key").statusCode());
    assertEquals(201, api.post("/v1/accounts", TestConfig.AUTHKEY, new JsonObject().put("id", "acme").put("name", "Acme"))
        .status());
    String accountKey = api.post("/v1/keys", TestConfig.AUTHKEY, new JsonObject().put("account_id", "acme"))
        .body().getString("secret");
    HttpResponse<Buffer> forbidden = metrics(accountKey);
    assertEquals(403, forbidden.statusCode());
    assertEquals("forbidden", forbidden.bodyAsJsonObject().getString("error"));
  }
}
