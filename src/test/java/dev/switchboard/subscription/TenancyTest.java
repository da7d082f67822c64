package dev.switchboard.subscription;

import static dev.switchboard.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.FeedClient;
import dev.switchboard.TestConfig;
import dev.switchboard.TestHttp.Reply;
import dev.switchboard.TestHttp;
import dev.switchboard.TestNode;
import dev.switchboard.event.Event;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who sees what: account keys over REST and over the websocket, sub-account inheritance. The tree
 * is {@code reseller -> (alpha, beta)} and an unrelated {@code other}.
 */
class TenancyTest {

  private static final String SYSTEM = TestConfig.AUTHKEY;

  @TempDir
  static Path dataDir;
  static TestNode running;
  static TestHttp http;
  static String alphaKey;
  static String resellerKey;
  static String resellerOnlyKey;
  static String otherKey;
  static String alphaSub;
  static String betaSub;
  static String resellerInheritingSub;
  static String resellerOwnSub;

  @BeforeAll
  static void start() {
    running = TestNode.start(dataDir);
    http = running.http;
    account("reseller", null);
    account("alpha", "reseller");
    account("beta", "reseller");
    account("other", null);
    alphaKey = key("alpha", false);
    resellerKey = key("reseller", true);
    resellerOnlyKey = key("reseller", false);
    otherKey = key("other", false);
    alphaSub = subscription(SYSTEM, "alpha", false);
    betaSub = subscription(SYSTEM, "beta", false);
    resellerInheritingSub = subscription(SYSTEM, "reseller", true);
    resellerOwnSub = subscription(SYSTEM, "reseller", false);
  }

  @AfterAll
  static void stop() {
    running.close();
  }

  static void account(String id, String parent) {
    assertEquals(201, http.post("/v1/accounts", SYSTEM, new JsonObject().put("id", id).put("name", id)
        .put("parent_id", parent)).status());
  }

  static String key(String account, boolean includeSubaccounts) {
    Reply created = http.post("/v1/keys", SYSTEM, new JsonObject().put("account_id", account)
        .put("include_subaccounts", includeSubaccounts));
    assertEquals(201, created.status());
    return created.body().getString("secret");
  }

  static String subscription(String key, String account, boolean includeSubaccounts) {
    JsonObject body = new JsonObject().put("bindings", new JsonArray().add("call.*"))
        .put("include_subaccounts", includeSubaccounts)
        .put("target", new JsonObject().put("uri", "https://crm.example.com/" + account));
    if (account != null) {
      body.put("account_id", account);
    }
    Reply created = http.post("/v1/subscriptions", key, body);
    assertEquals(201, created.status(), created.body()::encode);
    return created.body().getString("id");
  }

  static Set<String> listed(String path, String key) {
    Reply reply = http.get(path, key);
    assertEquals(200, reply.status());
    Set<String> ids = new HashSet<>();
    reply.body().getJsonArray("data").forEach(item -> ids.add(((JsonObject) item).getString("id")));
    return ids;
  }

  @Test
  void anAccountKeyCannotReadOrChangeAnotherAccountsSubscriptions() {
    assertEquals(200, http.get("/v1/subscriptions/" + alphaSub, alphaKey).status());
    assertEquals(403, http.get("/v1/subscriptions/" + betaSub, alphaKey).status());
    assertEquals(403, http.patch("/v1/subscriptions/" + betaSub, alphaKey, new JsonObject().put("name", "mine"), null).status());
    assertEquals(403, http.delete("/v1/subscriptions/" + betaSub, alphaKey, null).status());
    assertEquals(403, http.post("/v1/subscriptions/" + betaSub + "/test", alphaKey, null).status());
    assertEquals(403, http.get("/v1/subscriptions/" + resellerOwnSub, alphaKey).status(), "nor its parent's");
    assertEquals(Set.of(alphaSub), listed("/v1/subscriptions", alphaKey));
    assertEquals(403, http.post("/v1/subscriptions", alphaKey, new JsonObject().put("account_id", "beta")
        .put("bindings", new JsonArray().add("*")).put("target", new JsonObject().put("uri", "https://x.example"))).status());
    assertEquals(403, http.patch("/v1/subscriptions/" + alphaSub, alphaKey, new JsonObject().put("account_id", "beta"), null).status(),
        "nor move its own subscription to another account");
    assertEquals(Set.of(), listed("/v1/subscriptions", otherKey));
    assertEquals(403, http.get("/v1/subscriptions/" + alphaSub, otherKey).status());
  }

  @Test
  void anAccountKeyCreatesInItsOwnAccountByDefault() {
    String created = subscription(alphaKey, null, false);
    Reply shown = http.get("/v1/subscriptions/" + created, alphaKey);
    assertEquals("alpha", shown.body().getString("account_id"));
    assertEquals(204, http.delete("/v1/subscriptions/" + created, alphaKey, null).status());
  }

  @Test
  void accountsAndKeysAreScopedToo() {
    assertEquals(Set.of("alpha"), listed("/v1/accounts", alphaKey));
    assertEquals(Set.of("reseller", "alpha", "beta"), listed("/v1/accounts", resellerKey));
    assertEquals(Set.of("reseller"), listed("/v1/accounts", resellerOnlyKey));
    assertEquals(403, http.get("/v1/accounts/beta", alphaKey).status());
    assertEquals(403, http.post("/v1/accounts", alphaKey, new JsonObject().put("name", "top")).status());
    assertEquals(403, http.delete("/v1/accounts/alpha", alphaKey, null).status(), "a key cannot delete its own account");
    assertEquals(403, http.patch("/v1/accounts/alpha", alphaKey, new JsonObject().put("parent_id", "other"), null).status());
    assertEquals(403, http.post("/v1/keys", alphaKey, new JsonObject().put("account_id", "beta")).status());
    assertEquals(403, http.post("/v1/keys", alphaKey, new JsonObject().put("include_subaccounts", true)).status(),
        "a key cannot create a key wider than itself");
    assertEquals(403, http.post("/v1/keys", alphaKey, new JsonObject().put("account_id", null)).status(),
        "nor a system key");
    Reply sub = http.post("/v1/accounts", resellerKey, new JsonObject().put("name", "gamma").put("parent_id", "alpha"));
    assertEquals(201, sub.status(), "a reseller key creates accounts below its own");
    String gamma = sub.body().getString("id");
    assertEquals(Set.of("alpha"), listed("/v1/accounts", alphaKey), "alpha's key does not include sub-accounts");
    assertEquals(204, http.delete("/v1/accounts/" + gamma, resellerKey, null).status());
    for (String key : List.of(alphaKey, otherKey)) {
      listed("/v1/keys", key).forEach(id -> assertEquals(200, http.get("/v1/keys/" + id, key).status()));
    }
    assertFalse(listed("/v1/keys", resellerKey).isEmpty());
    assertTrue(listed("/v1/keys", alphaKey).size() < listed("/v1/keys", resellerKey).size());
  }

  @Test
  void subAccountsInheritOnlyWhenAllowed() {
    assertEquals(Set.of(alphaSub, betaSub, resellerInheritingSub, resellerOwnSub), listed("/v1/subscriptions", resellerKey));
    assertEquals(Set.of(resellerInheritingSub, resellerOwnSub), listed("/v1/subscriptions", resellerOnlyKey));
    assertEquals(200, http.patch("/v1/subscriptions/" + alphaSub, resellerKey, new JsonObject().put("name", "by reseller"), null).status());
    Set<String> matched = new HashSet<>();
    running.node.subscriptionIndex().match(Event.builder("call", "ringing").accountId("alpha").build())
        .forEach(sub -> matched.add(sub.id()));
    assertEquals(Set.of(alphaSub, resellerInheritingSub), matched,
        "alpha's events go to alpha's subscriptions and to the reseller's that include sub-accounts");
    matched.clear();
    running.node.subscriptionIndex().match(Event.builder("call", "ringing").accountId("reseller").build())
        .forEach(sub -> matched.add(sub.id()));
    assertEquals(Set.of(resellerInheritingSub, resellerOwnSub), matched);
  }

  @Test
  void expiredKeysStopWorking() throws Exception {
    Reply created = http.post("/v1/keys", SYSTEM, new JsonObject().put("account_id", "other")
        .put("expires_at", Instant.now().plusMillis(800).toString()));
    String key = created.body().getString("secret");
    assertEquals(200, http.get("/v1/accounts/other", key).status());
    long deadline = System.currentTimeMillis() + 5000;
    while (http.get("/v1/accounts/other", key).status() == 200 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(401, http.get("/v1/accounts/other", key).status());
  }

  @Test
  void websocketClientsReceiveOnlyTheirAccountsEvents() throws Exception {
    FeedClient alpha = connect(alphaKey);
    FeedClient reseller = connect(resellerKey);
    FeedClient resellerOnly = connect(resellerOnlyKey);
    FeedClient other = connect(otherKey);
    try {
      ingest("beta", "leak-check");
      ingest("reseller", "own");
      ingest("alpha", "mine");
      ingest(null, "system-level");
      ingest("other", "marker");
      ingest("alpha", "marker");
      ingest("reseller", "marker");
      assertEquals(List.of("alpha:mine", "alpha:marker"), until(alpha, "marker", 1));
      assertEquals(List.of("beta:leak-check", "reseller:own", "alpha:mine", "alpha:marker", "reseller:marker"),
          until(reseller, "marker", 2));
      assertEquals(List.of("reseller:own", "reseller:marker"), until(resellerOnly, "marker", 1));
      assertEquals(List.of("other:marker"), until(other, "marker", 1));
    } finally {
      for (FeedClient feed : List.of(alpha, reseller, resellerOnly, other)) {
        feed.close();
      }
    }
  }

  @Test
  void websocketRefusesUnknownKeysBeforeTheUpgrade() {
    WebClient client = WebClient.create(running.vertx);
    try {
      var response = await(client.get(running.node.websocketPort(), "127.0.0.1", "/events/websocket/?authkey=ak_unknown")
          .putHeader("Upgrade", "websocket").putHeader("Connection", "Upgrade")
          .putHeader("Sec-WebSocket-Version", "13").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").send());
      assertEquals(401, response.statusCode());
      assertEquals("unauthorized", response.bodyAsJsonObject().getString("error"));
    } finally {
      client.close();
    }
  }

  private static void ingest(String account, String what) {
    JsonObject event = new JsonObject().put("class", "call").put("event", "ringing").put("what", what);
    if (account != null) {
      event.put("account_id", account);
    }
    WebClient client = WebClient.create(running.vertx);
    try {
      var response = await(client.post(running.node.httpPort(), "127.0.0.1", "/v1/events")
          .putHeader("Authorization", "Bearer " + TestConfig.INGEST_KEY).sendJsonObject(event));
      assertEquals(202, response.statusCode());
    } finally {
      client.close();
    }
  }

  private static FeedClient connect(String key) {
    return FeedClient.open(running.vertx, running.node.websocketPort(), key);
  }

  /** What a feed received, as {@code account:what}, once the n-th marker has arrived. */
  private static List<String> until(FeedClient feed, String marker, int markers) {
    Await.result(feed.until(events -> events.stream().filter(e -> marker.equals(e.getString("what"))).count() >= markers));
    return feed.events().stream().map(e -> e.getString("account_id") + ":" + e.getString("what")).toList();
  }
}
