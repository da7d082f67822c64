package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void defaultsAloneAreValid() {
    JsonObject config = Await.result(ConfigLoader.load(vertx, null, Map.of(), new Properties()));
    assertEquals(8080, config.getJsonObject("http").getInteger("port"));
    assertEquals(4875, config.getJsonObject("websocket").getInteger("port"));
    assertEquals("./data", config.getString("data_dir"));
  }

  @Test
  void fileThenEnvironmentThenPropertiesWin() throws Exception {
    Path file = dir.resolve("switchboard.json");
    Files.writeString(file, "{\"http\":{\"port\":9000,\"host\":\"127.0.0.1\"},\"data_dir\":\"/var/lib/sb\"}");
    Properties properties = new Properties();
    properties.setProperty("switchboard.websocket.port", "4999");
    Map<String, String> env = Map.of(
        "SWITCHBOARD_HTTP_PORT", "9100",
        "SWITCHBOARD_WEBSOCKET_PORT", "4900",
        "SWITCHBOARD_INGEST_KEY", "ik_from_env",
        "SWITCHBOARD_AUTHKEY", "sk_from_env",
        "SWITCHBOARD_INGEST_ALLOW", "10.0.0.0/8, 192.168.0.0/16",
        "UNRELATED", "x");

    JsonObject config = Await.result(ConfigLoader.load(vertx, file, env, properties));

    assertEquals(9100, config.getJsonObject("http").getInteger("port"));
    assertEquals("127.0.0.1", config.getJsonObject("http").getString("host"));
    assertEquals(4999, config.getJsonObject("websocket").getInteger("port"));
    assertEquals("/var/lib/sb", config.getString("data_dir"));
    assertEquals("ik_from_env", config.getJsonObject("ingest").getString("key"));
    assertEquals("sk_from_env", config.getString("authkey"));
    assertEquals(new JsonArray().add("10.0.0.0/8").add("192.168.0.0/16"), config.getJsonObject("ingest").getJsonArray("allow"));
  }

  @Test
  void eachProblemNamesItsKey() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"http\":{\"prot\":80,\"max_body_bytes\":\"big\"},\"ingest\":{\"allow\":[\"nowhere\"]}}");

    ConfigException e = assertInstanceOf(ConfigException.class, Await.failure(
        ConfigLoader.load(vertx, file, Map.of("SWITCHBOARD_WEBSOCKET_PORT", "fortyeight"), new Properties())));

    String all = String.join("\n", e.problems());
    assertTrue(all.contains("http.prot: unknown key"), all);
    assertTrue(all.contains("http.max_body_bytes: must be a whole number (got 'big')"), all);
    assertTrue(all.contains("websocket.port (from SWITCHBOARD_WEBSOCKET_PORT): 'fortyeight' is not a whole number"), all);
  }

  @Test
  void rangesAndNetworksAreChecked() {
    JsonObject merged = ConfigLoader.defaults();
    merged.getJsonObject("http").put("port", 70000);
    merged.getJsonObject("ingest").put("allow", new JsonArray().add("10.0.0.0/40"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.resolve(ConfigLoader.defaults(), merged, Map.of(), new Properties()));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("http.port: must be a port from 0 to 65535 (got 70000)"), all);
    assertTrue(all.contains("ingest.allow: '10.0.0.0/40' has a prefix length outside 0..32"), all);
  }

  @Test
  void aMissingFileIsAnError() {
    ConfigException e = assertInstanceOf(ConfigException.class, Await.failure(
        ConfigLoader.load(vertx, dir.resolve("absent.json"), Map.of(), new Properties())));
    assertTrue(e.getMessage().contains("absent.json"), e.getMessage());
  }

  @Test
  void everyKeyHasItsEnvironmentVariable() {
    assertEquals("SWITCHBOARD_HTTP_PORT", ConfigLoader.envName("http.port"));
    assertEquals("SWITCHBOARD_DATA_DIR", ConfigLoader.envName("data_dir"));
    assertEquals("SWITCHBOARD_INGEST_KEY", ConfigLoader.envName("ingest.key"));
    assertEquals("SWITCHBOARD_AUTHKEY", ConfigLoader.envName("authkey"));
  }
}
