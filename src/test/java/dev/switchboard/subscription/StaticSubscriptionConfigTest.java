package dev.switchboard.subscription;

import static dev.switchboard.TestHttp.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.Switchboard;
import dev.switchboard.TestConfig;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Static subscriptions that cannot work stop startup with an error naming the entry and field. */
class StaticSubscriptionConfigTest {

  @TempDir
  Path dataDir;

  @Test
  void anInvalidStaticSubscriptionStopsStartup() {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject config = TestConfig.create(dataDir);
      config.getJsonObject("subscriptions").put("static", new JsonArray().add(new JsonObject().put("id", "ops")
          .put("bindings", new JsonArray().add("*")).put("target", new JsonObject().put("uri", "mailto:ops@example.com"))));
      Throwable failure = Await.failure(Switchboard.start(vertx, config));
      assertTrue(failure.getMessage().contains("subscriptions.static[0]: target.uri"), failure.getMessage());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void staticSubscriptionsNeedUniqueIds() {
    JsonObject config = TestConfig.create(dataDir);
    JsonObject entry = new JsonObject().put("id", "ops").put("bindings", new JsonArray().add("*"))
        .put("target", new JsonObject().put("uri", "https://ops.example.com"));
    config.getJsonObject("subscriptions").put("static", new JsonArray().add(entry).add(entry).add(new JsonObject()));
    ConfigException failure = assertThrows(ConfigException.class,
        () -> ConfigLoader.resolve(ConfigLoader.defaults(), config, Map.of(), new Properties()));
    assertTrue(failure.problems().contains("subscriptions.static[1]: id 'ops' is declared twice"), failure.getMessage());
    assertTrue(failure.problems().contains("subscriptions.static[2]: must be an object with a string id"), failure.getMessage());
  }
}
