package dev.switchboard.subscription;

import static dev.switchboard.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.switchboard.Switchboard;
import dev.switchboard.TestConfig;
import dev.switchboard.TestHttp;
import dev.switchboard.event.Event;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything the API created is there after the verticles stop and start again on the same data directory. */
class RestartTest {

  private static final String SYSTEM = TestConfig.AUTHKEY;
  private static final List<String> COLLECTIONS = List.of("/v1/accounts", "/v1/keys", "/v1/subscriptions");

  @TempDir
  Path dataDir;

  @Test
  void accountsKeysAndSubscriptionsSurviveARestart() {
    Vertx vertx = Vertx.vertx();
    try {
      Switchboard first = await(Switchboard.start(vertx, TestConfig.create(dataDir)));
      String key;
      String kept;
      JsonObject before = new JsonObject();
      try (TestHttp http = new TestHttp(vertx, first.httpPort())) {
        http.post("/v1/accounts", SYSTEM, new JsonObject().put("id", "parent").put("name", "Parent"));
        http.post("/v1/accounts", SYSTEM, new JsonObject().put("id", "child").put("name", "Child").put("parent_id", "parent"));
        key = http.post("/v1/keys", SYSTEM, new JsonObject().put("account_id", "child").put("name", "k")).body().getString("secret");
        assertEquals(200, http.get("/v1/accounts/child", key).status());
        kept = http.post("/v1/subscriptions", SYSTEM, new JsonObject().put("account_id", "parent")
            .put("include_subaccounts", true).put("bindings", new JsonArray().add("call.*"))
            .put("filter", new JsonObject().put("direction", "inbound").put("duration", 12.5))
            .put("custom_data", new JsonObject().put("nested", new JsonObject().put("a", 1)))
            .put("expires_at", "2999-01-01T00:00:00Z")
            .put("target", new JsonObject().put("uri", "https://crm.example.com/a").put("headers", new JsonObject().put("X-A", "b"))))
            .body().getString("id");
        String disabled = http.post("/v1/subscriptions", SYSTEM, new JsonObject().put("account_id", "child")
            .put("bindings", new JsonArray().add("*")).put("target", new JsonObject().put("uri", "https://crm.example.com/b")))
            .body().getString("id");
        http.patch("/v1/subscriptions/" + disabled, SYSTEM, new JsonObject().put("enabled", false).put("disabled_reason", "paused"), null);
        String deleted = http.post("/v1/subscriptions", SYSTEM, new JsonObject().put("account_id", "child")
            .put("bindings", new JsonArray().add("*")).put("target", new JsonObject().put("uri", "https://crm.example.com/c")))
            .body().getString("id");
        http.delete("/v1/subscriptions/" + deleted, SYSTEM, null);
        for (String collection : COLLECTIONS) {
          before.put(collection, http.get(collection, SYSTEM).body().getJsonArray("data"));
        }
      }
      await(first.stop());

      Switchboard second = await(Switchboard.start(vertx, TestConfig.create(dataDir)));
      try (TestHttp http = new TestHttp(vertx, second.httpPort())) {
        for (String collection : COLLECTIONS) {
          JsonArray after = http.get(collection, SYSTEM).body().getJsonArray("data");
          if (collection.equals("/v1/keys")) {
            assertNotNull(after.getJsonObject(0).getString("last_used_at"), "the key's last use was recorded at stop");
            after.getJsonObject(0).remove("last_used_at");
            before.getJsonArray(collection).getJsonObject(0).remove("last_used_at");
          }
          for (JsonArray rows : List.of(before.getJsonArray(collection), after)) {
            // The time left ticks on between the two reads; expires_at itself is compared.
            rows.forEach(row -> ((JsonObject) row).remove("expires_in_seconds"));
          }
          assertEquals(before.getJsonArray(collection), after, collection);
        }
        assertEquals(200, http.get("/v1/accounts/child", key).status(), "the key still works");
        List<Subscription> matched = second.subscriptionIndex().match(Event.builder("call", "ringing")
            .accountId("child").put("direction", "inbound").put("duration", 12.50).build());
        assertEquals(List.of(kept), matched.stream().map(Subscription::id).toList(),
            "the index is rebuilt: inherited and filtered yes, disabled and deleted no");
        assertFalse(second.subscriptionIndex().match(Event.builder("call", "ringing").accountId("child")
            .put("direction", "outbound").build()).stream().anyMatch(sub -> sub.id().equals(kept)));
      }
      await(second.stop());
    } finally {
      await(vertx.close());
    }
  }
}
