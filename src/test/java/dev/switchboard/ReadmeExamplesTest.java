package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.event.EventCatalog;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's examples and configuration table, checked against the code. */
class ReadmeExamplesTest extends GatewayTest {

  private static final Path README = Path.of("README.md");

  @Test
  void theCurlExamplesReachTheWscatFeed() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")) || Files.isExecutable(Path.of("/bin/curl")),
        "curl is not installed");
    String readme = Files.readString(README);
    String quickStart = readme.substring(readme.indexOf("## Send an event"), readme.indexOf("## The event"));
    List<String> curls = quickStart.lines().filter(line -> line.startsWith("curl ")).toList();
    assertEquals(2, curls.size(), "the README shows two curl examples");
    Matcher wscat = Pattern.compile("wscat --connect \"ws://localhost:4875(/events/websocket/\\?authkey=)").matcher(readme);
    assertTrue(wscat.find(), "the README shows the wscat line");
    startNode();
    FeedClient feed = Await.result(FeedClient.connect(vertx, node.websocketPort(),
        wscat.group(1).substring(wscat.group(1).indexOf('?') + 1) + TestConfig.AUTHKEY));

    for (String curl : curls) {
      String command = curl.replace("localhost:8080", "127.0.0.1:" + node.httpPort());
      ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
      builder.environment().put("KEY", TestConfig.INGEST_KEY);
      Process process = builder.start();
      assertTrue(process.waitFor(20, TimeUnit.SECONDS));
      String output = new String(process.getInputStream().readAllBytes());
      assertTrue(output.startsWith("{\"accepted\":1,\"ids\":[\""), command + " gave " + output);
    }

    List<JsonObject> frames = Await.result(feed.frames(2));
    assertEquals("ringing", frames.get(0).getString("event"));
    assertEquals("sales", frames.get(0).getJsonObject("vendor").getString("queue"));
    assertEquals("+61390005678", frames.get(0).getString("to"));
    assertEquals("hangup", frames.get(1).getString("event"));
    assertEquals("42", frames.get(1).getString("billsec"));
  }

  @Test
  void theRestWalkThroughRunsAsWritten() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/jq")), "jq is not installed");
    String readme = Files.readString(README);
    String section = readme.substring(readme.indexOf("## REST API"));
    int start = section.indexOf("```sh\n") + "```sh\n".length();
    String block = section.substring(start, section.indexOf("```", start));
    startNode();
    Path keys = dataDir.resolve("cwd/data/keys");
    Files.createDirectories(keys);
    Files.writeString(keys.resolve("authkey"), TestConfig.AUTHKEY + "\n");
    String script = "set -euo pipefail\n" + block
        .replace("localhost:8080", "127.0.0.1:" + node.httpPort())
        .replace("curl -s ", "curl -s --fail-with-body ")
        + "echo \"ID=$ID\"\n";

    Process process = new ProcessBuilder("bash", "-c", script).directory(dataDir.resolve("cwd").toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));

    assertEquals(0, process.exitValue(), output);
    assertTrue(output.contains("\"disabled_reason\":\"maintenance\""), output);
    assertTrue(output.contains("\"queued\":0"), output);
    assertTrue(output.contains("\"class\":\"call\""), "the event-type catalogue: " + output);
    assertTrue(Pattern.compile("\"sample\":\\{\"class\":\"call\",\"event\":\"initial\",\"timestamp\":\\d+\\.\\d{6},")
        .matcher(output).find(), "samples keep six-decimal timestamps: " + output);
    assertTrue(output.contains("ID=sub_"), output);
  }

  @Test
  void everyConfigurationKeyIsDocumentedWithItsVariable() throws Exception {
    String readme = Files.readString(README);
    List<String> keys = new ArrayList<>();
    leaves("", ConfigLoader.defaults(), keys);
    for (String key : keys) {
      String row = "| `" + key + "` | `" + ConfigLoader.envName(key) + "` |";
      assertTrue(readme.contains(row), "README configuration table lacks: " + row);
    }
  }

  @Test
  void everyCataloguedEventTypeIsInTheReadmesTable() throws Exception {
    String readme = Files.readString(README);
    String section = readme.substring(readme.indexOf("## The event"), readme.indexOf("## HTTP ingest"));
    for (EventCatalog.EventType type : EventCatalog.all()) {
      String row = section.lines().filter(line -> line.startsWith("| `" + type.type() + "` |")).findFirst()
          .orElse(null);
      assertNotNull(row, "README's table of emitted events lacks `" + type.type() + "`");
      String emittedBy = row.split("\\|")[2];
      for (EventCatalog.Emitter emitter : type.sources()) {
        assertTrue(emittedBy.contains("`" + emitter.id() + "`"), type.type() + " is emitted by " + emitter.id());
      }
      for (EventCatalog.Field field : type.fields()) {
        assertTrue(section.contains("`" + field.name() + "`"), "README's event section never names field `"
            + field.name() + "` of " + type.type());
      }
    }
  }

  private static void leaves(String prefix, JsonObject section, List<String> keys) {
    for (String name : section.fieldNames()) {
      Object value = section.getValue(name);
      if (value instanceof JsonObject nested && !nested.isEmpty()) {
        leaves(prefix + name + ".", nested, keys);
      } else {
        keys.add(prefix + name);
      }
    }
  }
}
