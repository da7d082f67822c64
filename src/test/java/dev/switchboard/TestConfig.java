package dev.switchboard;

import dev.switchboard.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/** A complete configuration for tests: HTTP and websocket on any free port, the softswitch listeners off, fixed keys, a temporary data directory. */
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
    // The softswitch listeners have fixed default ports; port 0 turns them off. Tests that need
    // them turn them on with free ports of their own.
    config.getJsonObject("hep").put("host", "127.0.0.1").put("port", 0);
    config.getJsonObject("datagram").put("host", "127.0.0.1").put("port", 0);
    config.getJsonObject("jsonrpc").put("host", "127.0.0.1").put("port", 0);
    config.put("evapi", "");
    return config;
  }
}
