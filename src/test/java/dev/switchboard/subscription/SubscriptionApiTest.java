package dev.switchboard.subscription;

import static dev.switchboard.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.TestConfig;
import dev.switchboard.TestHttp;
import dev.switchboard.TestNode;
import dev.switchboard.TestHttp.Reply;
import dev.switchboard.bus.Addresses;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventCatalog;
import dev.switchboard.webhook.WebhookSignature;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code /v1} REST API through real HTTP against a running running.node. */
class SubscriptionApiTest {

  private static final String SYSTEM = TestConfig.AUTHKEY;

  @TempDir
  static Path dataDir;
  static TestNode running;
  static TestHttp http;

  @BeforeAll
  static void start() {
    JsonObject config = TestConfig.create(dataDir);
    config.getJsonObject("subscriptions").put("static", new JsonArray().add(new JsonObject()
        .put("id", "ops-firehose").put("name", "operations").put("bindings", new JsonArray().add("*"))
        .put("target", new JsonObject().put("uri", "http://127.0.0.1:9/ops"))));
    running = TestNode.start(config);
    http = running.http;
  }

  @AfterAll
  static void stop() {
    running.close();
  }

  static JsonObject subscription(String account, String... bindings) {
    return new JsonObject()
        .put("name", "crm")
        .put("account_id", account)
        .put("bindings", new JsonArray(List.of((Object[]) bindings)))
        .put("target", new JsonObject().put("uri", "https://crm.example.com/hook"));
  }

  static String account(String id, String parent) {
    Reply created = http.post("/v1/accounts", SYSTEM, new JsonObject().put("id", id).put("name", "Account " + id)
        .put("parent_id", parent));
    assertEquals(201, created.status(), () -> String.valueOf(created.body()));
    return id;
  }

  @Test
  void subscriptionCrudRoundTrip() {
    account("crud", null);
    JsonObject request = subscription("crud", "call.*", "message.received")
        .put("filter", new JsonObject().put("direction", "inbound").put("to", new JsonObject().put("prefix", "+6139")))
        .put("custom_data", new JsonObject().put("crm_tenant", 42))
        .put("target", new JsonObject().put("uri", "https://crm.example.com/hook").put("method", "PUT")
            .put("format", "form").put("headers", new JsonObject().put("X-Api-Token", "t0k")));
    Reply created = http.post("/v1/subscriptions", SYSTEM, request);
    assertEquals(201, created.status(), created.body()::encode);
    JsonObject sub = created.body();
    String id = sub.getString("id");
    assertTrue(id.startsWith("sub_"));
    assertTrue(sub.getString("secret").startsWith("whsec_"));
    assertEquals(new JsonArray().add("call.*").add("message.received"), sub.getJsonArray("bindings"));
    assertEquals("PUT", sub.getJsonObject("target").getString("method"));
    assertEquals("form", sub.getJsonObject("target").getString("format"));
    assertEquals("t0k", sub.getJsonObject("target").getJsonObject("headers").getString("X-Api-Token"));
    assertEquals("+6139", sub.getJsonObject("filter").getJsonObject("to").getString("prefix"));
    assertEquals(42, sub.getJsonObject("custom_data").getInteger("crm_tenant"));
    assertTrue(sub.getBoolean("enabled"));
    assertFalse(sub.getBoolean("static"));
    assertEquals(1, sub.getLong("version"));
    assertEquals("\"1\"", created.etag());

    Reply read = http.get("/v1/subscriptions/" + id, SYSTEM);
    assertEquals(200, read.status());
    JsonObject health = (JsonObject) read.body().remove("health");
    assertEquals(0, health.getInteger("pending"), "a new subscription's delivery health comes with it");
    assertEquals(sub, read.body());

    Reply patched = http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("name", "renamed")
        .put("target", new JsonObject().put("uri", "https://crm.example.com/v2")), "\"1\"");
    assertEquals(200, patched.status(), patched.body()::encode);
    assertEquals("renamed", patched.body().getString("name"));
    assertEquals("https://crm.example.com/v2", patched.body().getJsonObject("target").getString("uri"));
    assertEquals("PUT", patched.body().getJsonObject("target").getString("method"), "untouched target fields stay");
    assertEquals(sub.getString("secret"), patched.body().getString("secret"));
    assertEquals(2, patched.body().getLong("version"));

    Reply stale = http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("name", "lost"), "\"1\"");
    assertEquals(409, stale.status());
    assertEquals("version_conflict", stale.error());

    Reply disabled = http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("enabled", false), null);
    assertFalse(disabled.body().getBoolean("enabled"));
    assertEquals("disabled through the API", disabled.body().getString("disabled_reason"));
    Reply reenabled = http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("enabled", true), null);
    assertTrue(reenabled.body().getBoolean("enabled"));
    assertNull(reenabled.body().getString("disabled_reason"), "re-enabling clears the reason");

    assertEquals(409, http.delete("/v1/subscriptions/" + id, SYSTEM, "\"2\"").status());
    assertEquals(204, http.delete("/v1/subscriptions/" + id, SYSTEM, "\"4\"").status());
    assertEquals(404, http.get("/v1/subscriptions/" + id, SYSTEM).status());
    assertEquals(404, http.delete("/v1/subscriptions/" + id, SYSTEM, null).status());
  }

  @Test
  void accountAndKeyCrudRoundTrip() {
    account("reseller", null);
    Reply created = http.post("/v1/accounts", SYSTEM, new JsonObject().put("name", "Customer").put("parent_id", "reseller"));
    assertEquals(201, created.status());
    String id = created.body().getString("id");
    assertTrue(id.startsWith("acc_"), "an id is generated when none is given");
    assertEquals("reseller", created.body().getString("parent_id"));
    assertEquals(created.body(), http.get("/v1/accounts/" + id, SYSTEM).body());
    Reply renamed = http.patch("/v1/accounts/" + id, SYSTEM, new JsonObject().put("name", "Customer Pty"), "\"1\"");
    assertEquals("Customer Pty", renamed.body().getString("name"));
    assertEquals(2, renamed.body().getLong("version"));
    assertEquals(409, http.post("/v1/accounts", SYSTEM, new JsonObject().put("id", id).put("name", "again")).status());

    Reply key = http.post("/v1/keys", SYSTEM, new JsonObject().put("name", "crm sync").put("account_id", id)
        .put("expires_at", "2999-01-01T00:00:00Z"));
    assertEquals(201, key.status(), key.body()::encode);
    String keyId = key.body().getString("id");
    String secret = key.body().getString("secret");
    assertTrue(secret.startsWith("ak_"));
    Reply shown = http.get("/v1/keys/" + keyId, SYSTEM);
    assertNull(shown.body().getValue("secret"), "a key's secret is shown once, at creation");
    assertNull(shown.body().getValue("last_used_at"));
    assertEquals(200, http.get("/v1/accounts/" + id, secret).status());
    assertNotNull(http.get("/v1/keys/" + keyId, SYSTEM).body().getString("last_used_at"));
    Reply patchedKey = http.patch("/v1/keys/" + keyId, SYSTEM, new JsonObject().put("name", "renamed"), null);
    assertEquals("renamed", patchedKey.body().getString("name"));

    assertEquals("account_in_use", http.delete("/v1/accounts/" + id, SYSTEM, null).error(), "it still has a key");
    assertEquals(204, http.delete("/v1/keys/" + keyId, SYSTEM, null).status());
    assertEquals(401, http.get("/v1/accounts/" + id, secret).status(), "a deleted key stops working at once");
    assertEquals("account_in_use", http.delete("/v1/accounts/reseller", SYSTEM, null).error(), "it has a sub-account");
    assertEquals(204, http.delete("/v1/accounts/" + id, SYSTEM, null).status());
    assertEquals(404, http.get("/v1/accounts/" + id, SYSTEM).status());
  }

  @Test
  void listsFilterAndPaginateWithCursors() {
    account("pager", null);
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      JsonObject body = subscription("pager", "call.ringing").put("enabled", i % 2 == 0);
      created.add(http.post("/v1/subscriptions", SYSTEM, body).body().getString("id"));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Reply page = http.get("/v1/subscriptions?account_id=pager&limit=3" + (cursor == null ? "" : "&cursor=" + cursor), SYSTEM);
      assertEquals(200, page.status());
      page.body().getJsonArray("data").forEach(item -> seen.add(((JsonObject) item).getString("id")));
      cursor = page.body().getString("next_cursor");
      pages++;
    } while (cursor != null);
    assertEquals(3, pages);
    assertEquals(created, new HashSet<>(seen));
    assertEquals(seen.stream().sorted().toList(), seen, "pages come in id order");
    assertEquals(4, http.get("/v1/subscriptions?account_id=pager&enabled=true", SYSTEM).body().getJsonArray("data").size());
    assertEquals(3, http.get("/v1/subscriptions?account_id=pager&enabled=false", SYSTEM).body().getJsonArray("data").size());
    assertEquals(0, http.get("/v1/accounts?parent_id=nobody-has-this", SYSTEM).body().getJsonArray("data").size());
    assertTrue(http.get("/v1/accounts", SYSTEM).body().getJsonArray("data").stream()
        .anyMatch(a -> ((JsonObject) a).getString("id").equals("pager")));
  }

  @Test
  void everyInvalidFieldIsReportedAtOnce() {
    account("strict", null);
    JsonObject bad = new JsonObject()
        .put("account_id", "strict")
        .put("bindings", new JsonArray().add("call").add("*.ringing"))
        .put("filter", new JsonObject().put("tags", new JsonArray().add("a")))
        .put("target", new JsonObject().put("uri", "ftp://example.com/x").put("method", "DELETE").put("format", "xml"))
        .put("expires_at", "2001-01-01T00:00:00Z")
        .put("enabeld", true);
    Reply reply = http.post("/v1/subscriptions", SYSTEM, bad);
    assertEquals(400, reply.status());
    assertEquals("invalid_request", reply.error());
    Set<String> fields = new HashSet<>();
    reply.body().getJsonArray("problems").forEach(problem -> fields.add(((JsonObject) problem).getString("field")));
    assertEquals(Set.of("enabeld", "bindings[0]", "filter.tags", "target.uri", "target.method", "target.format",
        "expires_at"), fields);
  }

  @Test
  void errorCases() {
    account("errors", null);
    String sub = http.post("/v1/subscriptions", SYSTEM, subscription("errors", "call.*")).body().getString("id");
    assertEquals(401, http.get("/v1/subscriptions", null).status());
    assertEquals(401, http.get("/v1/subscriptions", "ak_wrong").status());
    assertEquals("malformed_json", http.post("/v1/subscriptions", SYSTEM, "{not json").error());
    assertEquals("malformed_json", http.post("/v1/subscriptions", SYSTEM, "{\"name\":\"a\",\"name\":\"b\"}").error());
    assertEquals(415, http.call(HttpMethod.POST, "/v1/accounts", SYSTEM, null, null).status());
    assertEquals(400, http.post("/v1/subscriptions", SYSTEM, subscription("no-such-account", "*")).status());
    assertEquals(400, http.post("/v1/subscriptions", SYSTEM, new JsonObject().put("account_id", "errors")
        .put("bindings", new JsonArray().add("*"))).status(), "target is required");
    assertEquals(400, http.post("/v1/subscriptions", SYSTEM, subscription("errors", "*")
        .put("target", new JsonObject().put("uri", "https://x.example").put("headers",
            new JsonObject().put("webhook-signature", "forged")))).status());
    assertEquals(400, http.post("/v1/subscriptions", SYSTEM, subscription("errors", "*").put("version", 7)).status(),
        "read-only fields are refused");
    assertEquals(400, http.patch("/v1/subscriptions/" + sub, SYSTEM, new JsonObject().put("bindings", new JsonArray()), null).status());
    assertEquals(400, http.patch("/v1/subscriptions/" + sub, SYSTEM, new JsonObject().put("name", "x"), "\"abc\"").status());
    assertEquals(400, http.get("/v1/subscriptions?limit=0", SYSTEM).status());
    assertEquals(400, http.get("/v1/subscriptions?cursor=%%%", SYSTEM).status());
    assertEquals(400, http.get("/v1/subscriptions?acount_id=errors", SYSTEM).status(), "a typo in a filter is refused");
    assertEquals(400, http.get("/v1/subscriptions?enabled=yes", SYSTEM).status());
    assertEquals(404, http.get("/v1/subscriptions/sub_missing", SYSTEM).status());
    assertEquals(404, http.patch("/v1/accounts/missing", SYSTEM, new JsonObject().put("name", "x"), null).status());
    assertEquals(400, http.post("/v1/accounts", SYSTEM, new JsonObject().put("name", " ")).status());
    assertEquals(400, http.post("/v1/accounts", SYSTEM, new JsonObject().put("name", "bad id").put("id", "has space")).status());
    assertEquals(400, http.post("/v1/keys", SYSTEM, new JsonObject().put("account_id", "errors").put("expires_at", "soon")).status());
    assertEquals(409, http.patch("/v1/accounts/errors", SYSTEM, new JsonObject().put("name", "x"), "\"9\"").status());
    assertEquals(400, http.post("/v1/subscriptions", SYSTEM, subscription("errors", "*").put("secret", "whsec_short")).status());
    String given = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
    assertEquals(given, http.post("/v1/subscriptions", SYSTEM, subscription("errors", "*").put("secret", given))
        .body().getString("secret"), "a secret given is kept");
  }

  @Test
  void accountsCannotFormACycle() {
    account("top", null);
    account("middle", "top");
    account("bottom", "middle");
    Reply cycle = http.patch("/v1/accounts/top", SYSTEM, new JsonObject().put("parent_id", "bottom"), null);
    assertEquals(409, cycle.status());
    assertEquals(400, http.patch("/v1/accounts/top", SYSTEM, new JsonObject().put("parent_id", "top"), null).status());
  }

  @Test
  void staticSubscriptionsAreShownAndReadOnly() {
    Reply shown = http.get("/v1/subscriptions/ops-firehose", SYSTEM);
    assertEquals(200, shown.status());
    assertTrue(shown.body().getBoolean("static"));
    assertTrue(shown.body().getString("secret").startsWith("whsec_"));
    assertEquals("read_only", http.patch("/v1/subscriptions/ops-firehose", SYSTEM, new JsonObject().put("name", "x"), null).error());
    assertEquals("read_only", http.delete("/v1/subscriptions/ops-firehose", SYSTEM, null).error());
    Event anything = Event.builder("custom", "thing").build();
    assertTrue(running.node.subscriptionIndex().match(anything).stream().anyMatch(sub -> sub.id().equals("ops-firehose")));
  }

  @Test
  void expiryShowsTimeLeftAndStopsMatching() throws Exception {
    account("expiring", null);
    String soon = Instant.now().plusMillis(1500).toString();
    Reply created = http.post("/v1/subscriptions", SYSTEM, subscription("expiring", "call.ringing").put("expires_at", soon));
    assertEquals(201, created.status(), created.body()::encode);
    long left = http.get("/v1/subscriptions?account_id=expiring", SYSTEM).body().getJsonArray("data")
        .getJsonObject(0).getLong("expires_in_seconds");
    assertTrue(left >= 0 && left <= 2, "time left: " + left);
    Event ringing = Event.builder("call", "ringing").accountId("expiring").build();
    assertEquals(1, running.node.subscriptionIndex().match(ringing).stream().filter(s -> !s.isStatic()).count());
    long deadline = System.currentTimeMillis() + 5000;
    while (running.node.subscriptionIndex().match(ringing).stream().anyMatch(s -> !s.isStatic())
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, running.node.subscriptionIndex().match(ringing).stream().filter(s -> !s.isStatic()).count());
    assertEquals(0, http.get("/v1/subscriptions?account_id=expiring", SYSTEM).body().getJsonArray("data")
        .getJsonObject(0).getLong("expires_in_seconds"));
  }

  @Test
  void deletedAndDisabledSubscriptionsStopMatchingBeforeTheApiAnswers() {
    account("immediate", null);
    Event hangup = Event.builder("call", "hangup").accountId("immediate").build();
    String id = http.post("/v1/subscriptions", SYSTEM, subscription("immediate", "*.hangup")).body().getString("id");
    assertTrue(ids(hangup).contains(id));
    http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("enabled", false), null);
    assertFalse(ids(hangup).contains(id));
    http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("enabled", true), null);
    assertTrue(ids(hangup).contains(id));
    http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("bindings", new JsonArray().add("call.ringing")), null);
    assertFalse(ids(hangup).contains(id), "rebinding moves it out of the old bucket");
    http.delete("/v1/subscriptions/" + id, SYSTEM, null);
    assertFalse(ids(Event.builder("call", "ringing").accountId("immediate").build()).contains(id));
  }

  @Test
  void theFanOutCanDisableASubscriptionOverTheBus() {
    account("failing", null);
    String id = http.post("/v1/subscriptions", SYSTEM, subscription("failing", "call.*")).body().getString("id");
    Event ringing = Event.builder("call", "ringing").accountId("failing").build();
    assertTrue(ids(ringing).contains(id));
    JsonObject reply = await(running.vertx.eventBus().<JsonObject>request(Addresses.SUBSCRIPTION_DISABLE,
        new JsonObject().put("id", id).put("reason", "410 Gone from the receiver"))).body();
    assertFalse(reply.getBoolean("enabled"));
    assertFalse(ids(ringing).contains(id), "disabled before the reply");
    Reply shown = http.get("/v1/subscriptions/" + id, SYSTEM);
    assertEquals("410 Gone from the receiver", shown.body().getString("disabled_reason"));
    assertEquals(2, shown.body().getLong("version"));
    assertTrue(http.patch("/v1/subscriptions/" + id, SYSTEM, new JsonObject().put("enabled", true), "\"2\"")
        .body().getBoolean("enabled"));
    assertTrue(ids(ringing).contains(id), "re-enabled through the API");
  }

  private static Set<String> ids(Event event) {
    Set<String> ids = new HashSet<>();
    running.node.subscriptionIndex().match(event).forEach(sub -> ids.add(sub.id()));
    return ids;
  }

  @Test
  void eventTypesComeFromTheCatalogue() {
    Reply reply = http.get("/v1/event-types", SYSTEM);
    assertEquals(200, reply.status());
    JsonArray data = reply.body().getJsonArray("data");
    assertEquals(EventCatalog.all().size(), data.size());
    JsonObject hangup = data.stream().map(JsonObject.class::cast)
        .filter(type -> type.getString("type").equals("call.hangup")).findFirst().orElseThrow();
    JsonObject sample = hangup.getJsonObject("sample");
    assertEquals("call", sample.getString("class"));
    assertEquals("hep, opensips, kamailio", hangup.getString("source"));
    String first = hangup.getJsonArray("sources").getString(0);
    Set<String> listed = new HashSet<>();
    for (Object item : hangup.getJsonArray("fields")) {
      JsonObject field = (JsonObject) item;
      listed.add(field.getString("name"));
      if (field.getJsonArray("sources").contains(first) && !field.getBoolean("optional")) {
        assertTrue(sample.containsKey(field.getString("name")), "the sample has every field its emitter always sets");
      }
    }
    for (String name : sample.fieldNames()) {
      assertTrue(listed.contains(name) || Set.of("class", "event", "timestamp", "account_id").contains(name), name);
    }
    assertEquals(List.of("opensips", "kamailio"), hangup.getJsonObject("extra_fields").getJsonArray("sources").getList());
    JsonObject log = data.stream().map(JsonObject.class::cast)
        .filter(type -> type.getString("type").equals("log.*")).findFirst().orElseThrow();
    assertEquals("*", log.getString("event"));
    assertNotNull(log.getString("variable_event"));
    assertEquals("dialog.start", log.getJsonObject("sample").getString("event"));
    assertTrue(data.stream().map(JsonObject.class::cast).anyMatch(t -> t.getString("type").equals("system.events_dropped")));
    assertEquals(401, http.get("/v1/event-types", null).status());
  }

  @Test
  void testSendsASignedSampleAndReportsTheReceiversStatus() throws Exception {
    account("tested", null);
    BlockingQueue<JsonObject> received = new ArrayBlockingQueue<>(4);
    HttpServer receiver = await(running.vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(new JsonObject().put("body", body.toString()).put("id", request.getHeader("webhook-id"))
          .put("timestamp", request.getHeader("webhook-timestamp")).put("signature", request.getHeader("webhook-signature"))
          .put("token", request.getHeader("X-Token")).put("method", request.method().name()));
      request.response().setStatusCode(202).end();
    })).listen(0, "127.0.0.1"));
    try {
      JsonObject body = subscription("tested", "call.connected").put("custom_data", new JsonObject().put("crm", "x"))
          .put("target", new JsonObject().put("uri", "http://127.0.0.1:" + receiver.actualPort() + "/hook")
              .put("headers", new JsonObject().put("X-Token", "abc")));
      JsonObject sub = http.post("/v1/subscriptions", SYSTEM, body).body();
      Reply tested = http.post("/v1/subscriptions/" + sub.getString("id") + "/test", SYSTEM, null);
      assertEquals(200, tested.status(), tested.body()::encode);
      assertEquals(202, tested.body().getInteger("status"));
      assertTrue(tested.body().getBoolean("delivered"));
      assertTrue(tested.body().getLong("latency_ms") >= 0);
      JsonObject request = received.poll(5, TimeUnit.SECONDS);
      assertNotNull(request);
      JsonObject payload = new JsonObject(request.getString("body"));
      assertEquals("connected", payload.getString("event"));
      assertEquals("tested", payload.getString("account_id"));
      assertEquals("x", payload.getString("crm"), "custom_data is merged in");
      assertEquals("abc", request.getString("token"));
      assertEquals("POST", request.getString("method"));
      assertEquals(WebhookSignature.sign(sub.getString("secret"), request.getString("id"),
          Long.parseLong(request.getString("timestamp")), request.getString("body")), request.getString("signature"));
    } finally {
      await(receiver.close());
    }
    JsonObject unreachable = http.post("/v1/subscriptions", SYSTEM, subscription("tested", "*")
        .put("target", new JsonObject().put("uri", "http://127.0.0.1:9/closed"))).body();
    Reply failed = http.post("/v1/subscriptions/" + unreachable.getString("id") + "/test", SYSTEM, null);
    assertEquals(200, failed.status());
    assertFalse(failed.body().getBoolean("delivered"));
    assertNotEquals(null, failed.body().getString("error"));
  }
}
