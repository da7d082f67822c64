package dev.switchboard;

import dev.switchboard.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/** A complete configuration for tests: every port 0 (any free port), fixed keys, a temporary data directory. */
public final class TestConfig {

  /** The system authkey tests use. */
  public static final String AUTHKEY = "sk_test_system_key";
  /** The ingest key tests use. */
  public static final String INGEST_KEY = "ik_test_ingest_key";

  private TestConfig() {
  }

  /** The built-in defaults with test ports, keys and the given data directory. */
  public static JsonObject create(Path dataDir) {
    JsonObject config = ConfigLoader.defaults();
    config.put("node_id", "test-node");
    config.put("data_dir", dataDir.toString());
    config.put("authkey", AUTHKEY);
    config.getJsonObject("http").put("host", "127.0.0.1").put("port", 0);
    config.getJsonObject("websocket").put("host", "127.0.0.1").put("port", 0);
    config.getJsonObject("ingest").put("key", INGEST_KEY);
    return config;
  }
}
