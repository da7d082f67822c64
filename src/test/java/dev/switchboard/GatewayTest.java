package dev.switchboard;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base for end-to-end tests: a real node on free ports, a real HTTP client and real websocket
 * clients; everything is torn down after each test.
 */
public abstract class GatewayTest {

  @TempDir
  protected Path dataDir;

  protected Vertx vertx;
  protected Switchboard node;
  protected WebClient http;

  /** Starts a node with the test configuration, adjusted by {@code tweak}. */
  protected Switchboard startNode(Consumer<JsonObject> tweak) {
    if (vertx == null) {
      vertx = Vertx.vertx();
      http = WebClient.create(vertx);
    }
    JsonObject config = TestConfig.create(dataDir);
    tweak.accept(config);
    node = Await.result(Switchboard.start(vertx, config));
    return node;
  }

  /** Starts a node with the plain test configuration. */
  protected Switchboard startNode() {
    return startNode(config -> {
    });
  }

  /** Posts a body to {@code /v1/events} with the test ingest key. */
  protected HttpResponse<Buffer> ingest(String contentType, String body) {
    return Await.result(http.post(node.httpPort(), "127.0.0.1", "/v1/events")
        .putHeader("Authorization", "Bearer " + TestConfig.INGEST_KEY)
        .putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(body)));
  }

  /** Connects a feed client with the system key and the given extra query. */
  protected FeedClient feed(String extraQuery) {
    String query = "authkey=" + TestConfig.AUTHKEY + (extraQuery.isEmpty() ? "" : "&" + extraQuery);
    return Await.result(FeedClient.connect(vertx, node.websocketPort(), query));
  }

  @AfterEach
  void closeVertx() {
    if (vertx != null) {
      if (node != null) {
        Await.result(node.stop());
      }
      Await.result(vertx.close());
    }
  }
}
