package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real entry point in its own JVM: configuration file and environment, generated keys, SIGTERM. */
class MainProcessTest {

  @TempDir
  Path dir;

  @Test
  void startsFromAConfFileGeneratesKeysServesAndStopsOnSigterm() throws Exception {
    int httpPort = freePort();
    int websocketPort = freePort();
    Path conf = dir.resolve("switchboard.json");
    Files.writeString(conf, "{\"http\":{\"host\":\"127.0.0.1\"},\"websocket\":{\"host\":\"127.0.0.1\"},\"node_id\":\"proc-1\"}");
    Path log = dir.resolve("out.log");
    ProcessBuilder builder = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "dev.switchboard.Main", "--conf", conf.toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("SWITCHBOARD_HTTP_PORT", Integer.toString(httpPort));
    builder.environment().put("SWITCHBOARD_WEBSOCKET_PORT", Integer.toString(websocketPort));
    builder.environment().put("SWITCHBOARD_DATA_DIR", dir.resolve("data").toString());
    Process process = builder.start();
    Vertx vertx = Vertx.vertx();
    try {
      WebClient http = WebClient.create(vertx);
      awaitReady(http, httpPort, process, log);
      String ingestKey = Files.readString(dir.resolve("data/keys/ingest-key")).trim();
      String authkey = Files.readString(dir.resolve("data/keys/authkey")).trim();
      FeedClient feed = Await.result(FeedClient.connect(vertx, websocketPort, "authkey=" + authkey));

      HttpResponse<Buffer> accepted = Await.result(http.post(httpPort, "127.0.0.1", "/v1/events")
          .putHeader("Authorization", "Bearer " + ingestKey)
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer("{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"p-1\"}")));
      assertEquals(202, accepted.statusCode(), accepted.bodyAsString());
      assertEquals("proc-1", Await.result(feed.frames(1)).get(0).getString("node"));

      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
      assertEquals((short) 1001, Await.result(feed.closed()));
      String output = Files.readString(log);
      assertTrue(output.contains("Switchboard " + Switchboard.version() + " started on node 'proc-1'"), output);
      assertTrue(output.contains("system authkey: generated at first start, read it with: cat "), output);
      assertTrue(output.contains("Switchboard stopped"), output);
      assertFalse(output.contains(authkey) || output.contains(ingestKey), "secrets never logged");
    } finally {
      process.destroyForcibly();
      Await.result(vertx.close());
    }
  }

  @Test
  void aGatewayKilledWithABacklogDeliversEveryAcceptedEventAfterARestart() throws Exception {
    int httpPort = freePort();
    Path conf = dir.resolve("switchboard.json");
    Files.writeString(conf, "{\"http\":{\"host\":\"127.0.0.1\",\"port\":" + httpPort + "},"
        + "\"websocket\":{\"host\":\"127.0.0.1\",\"port\":" + freePort() + "},\"node_id\":\"proc-kill\","
        + "\"data_dir\":\"" + dir.resolve("data") + "\",\"fanout\":{\"max_in_memory_per_subscription\":100}}");
    Vertx vertx = Vertx.vertx();
    Process process = startMain(conf, dir.resolve("first.log"));
    try {
      WebClient http = WebClient.create(vertx);
      awaitReady(http, httpPort, process, dir.resolve("first.log"));
      String ingestKey = Files.readString(dir.resolve("data/keys/ingest-key")).trim();
      String authkey = Files.readString(dir.resolve("data/keys/authkey")).trim();
      WebhookReceiver receiver = Await.result(WebhookReceiver.start(vertx, 0));
      receiver.answer(request -> new WebhookReceiver.Answer(200, null, 20));
      HttpResponse<Buffer> created = Await.result(http.post(httpPort, "127.0.0.1", "/v1/subscriptions")
          .putHeader("Authorization", "Bearer " + authkey)
          .sendJsonObject(new io.vertx.core.json.JsonObject().put("name", "crm")
              .put("bindings", new io.vertx.core.json.JsonArray().add("call.*"))
              .put("target", new io.vertx.core.json.JsonObject().put("uri", receiver.uri("/hook")))));
      assertEquals(201, created.statusCode(), created.bodyAsString());

      int events = 2_000;
      for (int first = 0; first < events; first += 200) {
        StringBuilder batch = new StringBuilder();
        for (int n = first; n < first + 200; n++) {
          batch.append("{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"k-").append(n).append("\"}\n");
        }
        HttpResponse<Buffer> accepted = Await.result(http.post(httpPort, "127.0.0.1", "/v1/events")
            .putHeader("Authorization", "Bearer " + ingestKey)
            .putHeader("Content-Type", "application/x-ndjson")
            .sendBuffer(Buffer.buffer(batch.toString())));
        assertEquals(202, accepted.statusCode(), accepted.bodyAsString());
      }
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      int beforeRestart = receiver.received().size();
      assertTrue(beforeRestart < events, "killed with a backlog (" + beforeRestart + " delivered)");

      receiver.answer(request -> WebhookReceiver.Answer.status(200));
      process = startMain(conf, dir.resolve("second.log"));
      awaitReady(http, httpPort, process, dir.resolve("second.log"));
      List<WebhookReceiver.Received> all = Await.result(receiver.until(received -> received.stream()
          .map(request -> new io.vertx.core.json.JsonObject(request.body()).getString("call_id"))
          .distinct().count() == events), 60);
      assertTrue(all.size() >= events, "at least once");
    } finally {
      process.destroyForcibly();
      Await.result(vertx.close());
    }
  }

  private Process startMain(Path conf, Path log) throws IOException {
    return new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "dev.switchboard.Main", "--conf", conf.toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  @Test
  void anInvalidSettingStopsStartupNamingTheKey() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main"));
    builder.environment().put("SWITCHBOARD_HTTP_PORT", "eighty");
    builder.environment().put("SWITCHBOARD_DATA_DIR", dir.resolve("data").toString());
    Process started = builder.redirectErrorStream(true).redirectOutput(dir.resolve("bad.log").toFile()).start();
    assertTrue(started.waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, started.exitValue());
    String output = Files.readString(dir.resolve("bad.log"));
    assertTrue(output.contains("http.port (from SWITCHBOARD_HTTP_PORT): 'eighty' is not a whole number"), output);
  }

  private static void awaitReady(WebClient http, int port, Process process, Path log) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("the gateway exited: " + Files.readString(log));
      }
      try {
        if (Await.result(http.get(port, "127.0.0.1", "/ready").send()).statusCode() == 200) {
          return;
        }
      } catch (AssertionError notYet) {
        // connection refused until the server listens; poll again
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new AssertionError("not ready within 30 s: " + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
