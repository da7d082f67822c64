package dev.switchboard.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Await;
import dev.switchboard.FeedClient;
import dev.switchboard.GatewayTest;
import dev.switchboard.Switchboard;
import dev.switchboard.TestConfig;
import dev.switchboard.TestHttp;
import dev.switchboard.WebhookReceiver;
import dev.switchboard.WebhookReceiver.Answer;
import dev.switchboard.WebhookReceiver.Received;
import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.EventCatalog.Emitter;
import dev.switchboard.event.EventJson;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class WebhookDeliveryTest extends GatewayTest {

  private static final String EVENT = "{\"class\":\"call\",\"event\":\"hangup\",\"call_id\":\"c-1\","
      + "\"caller\":\"+61 3 9000 1234\",\"note\":\"Zürich ☎ & more=yes\",\"billsec\":42,\"rate\":0.10,"
      + "\"vendor\":{\"queue\":\"sales\",\"agents\":[\"ann\",\"bob\"],\"nested\":{\"deep\":true}}}";

  private WebhookReceiver receiver;
  private TestHttp api;

  private void start(Consumer<JsonObject> tweak) {
    startNode(config -> {
      config.getJsonObject("fanout").put("retry_schedule", new JsonArray(List.of("0s", "100ms", "100ms", "100ms", "100ms")));
      tweak.accept(config);
    });
    if (receiver == null) {
      receiver = Await.result(WebhookReceiver.start(vertx, 0));
    }
    api = new TestHttp(vertx, node.httpPort());
  }

  private JsonObject subscribe(String bindings, JsonObject target) {
    TestHttp.Reply created = api.post("/v1/subscriptions", TestConfig.AUTHKEY, new JsonObject()
        .put("name", "crm").put("bindings", new JsonArray(List.of((Object[]) bindings.split(","))))
        .put("target", target));
    assertEquals(201, created.status(), String.valueOf(created.body()));
    return created.body();
  }

  @Test
  void jsonFormAndGetCarryEveryFieldAndAVerifiableSignature() throws Exception {
    start(config -> {
    });
    JsonObject json = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/json"))
        .put("headers", new JsonObject().put("X-Api-Token", "t0k")));
    JsonObject form = subscribe("call.hangup", new JsonObject().put("uri", receiver.uri("/form")).put("method", "PUT")
        .put("format", "form"));
    JsonObject get = subscribe("*.hangup", new JsonObject().put("uri", receiver.uri("/get?static=1")).put("method", "GET"));
    api.patch("/v1/subscriptions/" + json.getString("id"), TestConfig.AUTHKEY,
        new JsonObject().put("custom_data", new JsonObject().put("crm_tenant", "acme").put("call_id", "not-this")), null);

    String id = ingest("application/json", EVENT).bodyAsJsonObject().getJsonArray("ids").getString(0);
    List<Received> all = Await.result(receiver.count(3));

    Map<String, Received> byPath = new HashMap<>();
    all.forEach(request -> byPath.put(request.path(), request));
    Map<String, Object> sent = EventJson.parseObject(EVENT);

    Received jsonRequest = byPath.get("/json");
    assertEquals("POST", jsonRequest.method());
    assertEquals("application/json", jsonRequest.headers().get("Content-Type"));
    assertEquals("t0k", jsonRequest.headers().get("X-Api-Token"));
    assertEquals("Switchboard/" + Switchboard.version(), jsonRequest.headers().get("User-Agent"));
    Map<String, Object> body = EventJson.parseObject(jsonRequest.body());
    assertEquals("acme", body.remove("crm_tenant"), "custom data merged");
    assertEquals(id, body.remove("id"));
    assertEquals("test-node", body.remove("node"));
    assertTrue(jsonRequest.body().contains("\"rate\":0.10"), jsonRequest.body());
    body.remove("timestamp");
    assertEquals(sent, body, "every field, the event's own call_id over custom data's");
    assertSigned(jsonRequest, json.getString("secret"), jsonRequest.body(), id + "_" + json.getString("id"));

    Received formRequest = byPath.get("/form");
    assertEquals("PUT", formRequest.method());
    assertEquals("application/x-www-form-urlencoded", formRequest.headers().get("Content-Type"));
    Map<String, List<String>> fields = new QueryStringDecoder(formRequest.body(), StandardCharsets.UTF_8, false).parameters();
    assertFields(fields, id);
    assertSigned(formRequest, form.getString("secret"), formRequest.body(), id + "_" + form.getString("id"));

    Received getRequest = byPath.get("/get");
    assertEquals("GET", getRequest.method());
    assertEquals("", getRequest.body());
    Map<String, List<String>> query = new QueryStringDecoder(getRequest.query(), StandardCharsets.UTF_8, false).parameters();
    assertEquals(List.of("1"), query.get("static"), "the target's own query is kept");
    assertFields(query, id);
    assertSigned(getRequest, get.getString("secret"), getRequest.query().substring("static=1&".length()),
        id + "_" + get.getString("id"));
  }

  private static void assertFields(Map<String, List<String>> fields, String id) {
    assertEquals(List.of("call"), fields.get("class"));
    assertEquals(List.of(id), fields.get("id"));
    assertEquals(List.of("Zürich ☎ & more=yes"), fields.get("note"));
    assertEquals(List.of("+61 3 9000 1234"), fields.get("caller"));
    assertEquals(List.of("42"), fields.get("billsec"));
    assertEquals(List.of("0.10"), fields.get("rate"));
    assertEquals(List.of("sales"), fields.get("vendor[queue]"));
    assertEquals(List.of("bob"), fields.get("vendor[agents][1]"));
    assertEquals(List.of("true"), fields.get("vendor[nested][deep]"));
    assertTrue(fields.get("timestamp").get(0).matches("\\d+\\.\\d{6}"), fields.get("timestamp").toString());
  }

  /** Recomputes the Standard Webhooks signature from the spec, independently of the gateway's code. */
  private static void assertSigned(Received request, String secret, String signedContent, String webhookId) throws Exception {
    assertEquals(webhookId, request.headers().get("webhook-id"));
    String timestamp = request.headers().get("webhook-timestamp");
    assertTrue(Math.abs(Long.parseLong(timestamp) - System.currentTimeMillis() / 1000) < 60, timestamp);
    assertTrue(secret.startsWith("whsec_"), secret);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
    String expected = "v1," + Base64.getEncoder().encodeToString(
        mac.doFinal((webhookId + "." + timestamp + "." + signedContent).getBytes(StandardCharsets.UTF_8)));
    assertTrue(List.of(request.headers().get("webhook-signature").split(" ")).contains(expected),
        request.headers().get("webhook-signature") + " lacks " + expected);
  }

  @Test
  void retriesFollowTheScheduleAndRetryAfterThenTheLogShowsEachAttempt() {
    start(config -> {
    });
    List<Answer> script = new ArrayList<>(List.of(new Answer(503, "1", 0), Answer.status(500), Answer.status(200)));
    receiver.answer(request -> script.size() > 1 ? script.remove(0) : script.get(0));
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");

    ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"r-1\"}");
    List<Received> requests = Await.result(receiver.count(3));

    assertTrue(requests.get(1).atMillis() - requests.get(0).atMillis() >= 900, "Retry-After: 1 was honoured");
    assertEquals(requests.get(0).headers().get("webhook-id"), requests.get(2).headers().get("webhook-id"),
        "webhook-id is stable across retries");
    JsonArray attempts = awaitAttempts(sub, 3);
    JsonObject first = attempts.getJsonObject(2);
    assertEquals(List.of("delivered", "retrying", "retrying"),
        attempts.stream().map(a -> ((JsonObject) a).getString("outcome")).toList(), attempts.encode());
    assertEquals(503, first.getInteger("status"));
    assertEquals(1, first.getInteger("attempt"));
    assertEquals(1000, java.time.Instant.parse(first.getString("next_attempt_at")).toEpochMilli()
        - java.time.Instant.parse(first.getString("at")).toEpochMilli(), "Retry-After decides the delay");
    assertEquals(500, attempts.getJsonObject(1).getInteger("status"));
    assertEquals(3, attempts.getJsonObject(0).getInteger("attempt"));
    assertEquals(1, api.get("/v1/subscriptions/" + sub + "/attempts?outcome=delivered", TestConfig.AUTHKEY).body()
        .getJsonArray("data").size());
  }

  @Test
  void aRotatedSecretSignsBesideTheNewOneDuringItsGracePeriod() throws Exception {
    start(config -> {
    });
    JsonObject created = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook")));
    String sub = created.getString("id");
    String oldSecret = created.getString("secret");

    TestHttp.Reply rotated = api.patch("/v1/subscriptions/" + sub, TestConfig.AUTHKEY,
        new JsonObject().putNull("secret"), null);
    assertEquals(200, rotated.status(), String.valueOf(rotated.body()));
    String newSecret = rotated.body().getString("secret");
    assertTrue(newSecret.startsWith("whsec_") && !newSecret.equals(oldSecret));
    long graceEnds = java.time.Instant.parse(rotated.body().getString("previous_secret_expires_at")).toEpochMilli();
    assertTrue(Math.abs(graceEnds - System.currentTimeMillis() - 86_400_000L) < 60_000, "24 hours by default");

    String id = ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\"}").bodyAsJsonObject()
        .getJsonArray("ids").getString(0);
    Received request = Await.result(receiver.count(1)).get(0);
    assertEquals(2, request.headers().get("webhook-signature").split(" ").length);
    assertSigned(request, newSecret, request.body(), id + "_" + sub);
    assertSigned(request, oldSecret, request.body(), id + "_" + sub);
  }

  @Test
  void aSubscriptionsOwnRetryScheduleReplacesTheNodes() {
    start(config -> {
    });
    receiver.answer(request -> Answer.status(502));
    TestHttp.Reply bad = api.post("/v1/subscriptions", TestConfig.AUTHKEY, new JsonObject().put("name", "x")
        .put("bindings", new JsonArray().add("call.*")).put("target", new JsonObject().put("uri", receiver.uri("/hook")))
        .put("retry_schedule", new JsonArray().add("0s").add("soon")));
    assertEquals(400, bad.status());
    assertTrue(bad.body().encode().contains("retry_schedule[1]"), bad.body().encode());
    JsonObject created = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook")));
    TestHttp.Reply own = api.patch("/v1/subscriptions/" + created.getString("id"), TestConfig.AUTHKEY,
        new JsonObject().put("retry_schedule", new JsonArray().add("0s").add("50ms")), null);
    assertEquals(new JsonArray().add("0s").add("50ms"), own.body().getJsonArray("retry_schedule"));

    ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\"}");

    JsonArray attempts = awaitAttempts(created.getString("id"), 2);
    assertEquals("failed", attempts.getJsonObject(0).getString("outcome"), "two attempts, as its own schedule says");
    assertTrue(attempts.getJsonObject(0).getString("error").contains("no attempts left"));
    assertEquals("retrying", attempts.getJsonObject(1).getString("outcome"));
  }

  @Test
  void aClientErrorIsNotRetried() {
    start(config -> {
    });
    receiver.answer(request -> Answer.status(400));
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");
    ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\"}");
    JsonArray attempts = awaitAttempts(sub, 1);
    assertEquals("failed", attempts.getJsonObject(0).getString("outcome"));
    ingest("application/json", "{\"class\":\"call\",\"event\":\"marker\"}");
    Await.result(receiver.count(2));
    assertEquals(2, receiver.received().size(), "the 400 was tried once");
  }

  @Test
  void goneDisablesAtOnceAnnouncesItAndReEnablingDeliversWhatWaited() {
    start(config -> {
    });
    FeedClient feed = feed("bindings=subscription.*");
    receiver.answer(request -> Answer.status(410));
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");

    ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"g-1\"}");
    JsonObject disabled = Await.result(feed.frames(1)).get(0);

    new CatalogCheck().check(disabled, Emitter.FANOUT);
    assertEquals("disabled", disabled.getString("event"));
    assertEquals(sub, disabled.getString("subscription_id"));
    assertTrue(disabled.getString("reason").contains("410"), disabled.encode());
    JsonObject stored = api.get("/v1/subscriptions/" + sub, TestConfig.AUTHKEY).body();
    assertFalse(stored.getBoolean("enabled"));
    assertTrue(stored.getString("disabled_reason").contains("410"));

    receiver.answer(request -> Answer.status(200));
    assertEquals(200, api.patch("/v1/subscriptions/" + sub, TestConfig.AUTHKEY, new JsonObject().put("enabled", true), null)
        .status());
    ingest("application/json", "{\"class\":\"call\",\"event\":\"hangup\",\"call_id\":\"g-1\"}");
    List<Received> all = Await.result(receiver.until(list -> list.stream().filter(r -> r.body().contains("hangup")).count() == 1));
    List<String> events = all.stream().map(r -> new JsonObject(r.body()).getString("event")).toList();
    assertEquals(List.of("ringing", "ringing", "hangup"), events, "the refused event is delivered again, before the next one of its call");
  }

  @Test
  void sustainedFailureAutoDisablesAndReEnablingResumes() {
    start(config -> config.getJsonObject("fanout").put("disable_after_failures", 3).put("disable_after", "0s"));
    FeedClient feed = feed("bindings=subscription.disabled");
    receiver.answer(request -> Answer.status(500));
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");

    ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"f-1\"}");
    JsonObject disabled = Await.result(feed.frames(1)).get(0);

    new CatalogCheck().check(disabled, Emitter.FANOUT);
    assertTrue(disabled.getString("reason").startsWith("3 consecutive failed attempts"), disabled.encode());
    assertEquals(sub, disabled.getString("subscription_id"));
    JsonObject stored = api.get("/v1/subscriptions/" + sub, TestConfig.AUTHKEY).body();
    assertFalse(stored.getBoolean("enabled"));
    JsonObject health = stored.getJsonObject("health");
    assertEquals(3, health.getInteger("consecutive_failures"), stored.encode());
    assertEquals(1, health.getInteger("pending"));
    assertEquals("HTTP 500", health.getString("last_error"));
    assertTrue(health.getString("last_failure_at").endsWith("Z"));
    assertNull(health.getString("last_success_at"));
    int triedWhileFailing = receiver.received().size();
    assertEquals(3, triedWhileFailing);

    receiver.answer(request -> Answer.status(204));
    api.patch("/v1/subscriptions/" + sub, TestConfig.AUTHKEY, new JsonObject().put("enabled", true), null);
    Await.result(receiver.count(4));
    JsonArray attempts = awaitAttempts(sub, 4);
    assertEquals("delivered", attempts.getJsonObject(0).getString("outcome"));
    JsonObject healed = api.get("/v1/subscriptions/" + sub, TestConfig.AUTHKEY).body().getJsonObject("health");
    assertEquals(0, healed.getInteger("consecutive_failures"));
    assertEquals(0, healed.getInteger("pending"));
    assertTrue(healed.getString("last_success_at").endsWith("Z"));
  }

  @Test
  void eventsOfOneCallArriveInOrderWhileCallsRunInParallel() {
    start(config -> {
    });
    receiver.answer(request -> new Answer(200, null, ThreadLocalRandom.current().nextInt(0, 25)));
    subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook")));
    ingestCallsAndCheckEachArrivesOnceInOrder(6, 8);
    assertTrue(receiver.maxConcurrent() > 1, "different calls were delivered in parallel");
  }

  @Test
  void aBacklogLargerThanMemoryHoldsWaitsInTheOutboxAndStillArrivesOnceInOrder() {
    start(config -> config.getJsonObject("fanout").put("max_in_memory_per_subscription", 10).put("max_in_memory", 100));
    receiver.answer(request -> new Answer(200, null, ThreadLocalRandom.current().nextInt(0, 4)));
    subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook")));
    ingestCallsAndCheckEachArrivesOnceInOrder(6, 50);
  }

  /** Ingests the events of several calls interleaved, in one batch; each call's must arrive once each, in order. */
  private void ingestCallsAndCheckEachArrivesOnceInOrder(int calls, int perCall) {
    StringBuilder batch = new StringBuilder();
    for (int n = 0; n < perCall; n++) {
      for (int call = 0; call < calls; call++) {
        batch.append("{\"class\":\"call\",\"event\":\"update\",\"call_id\":\"call-").append(call)
            .append("\",\"n\":").append(n).append("}\n");
      }
    }
    assertEquals(202, ingest("application/x-ndjson", batch.toString()).statusCode());

    List<Received> all = Await.result(receiver.count(calls * perCall));

    Map<String, List<Integer>> order = new HashMap<>();
    for (Received request : all) {
      JsonObject event = new JsonObject(request.body());
      order.computeIfAbsent(event.getString("call_id"), k -> new ArrayList<>()).add(event.getInteger("n"));
    }
    assertEquals(calls, order.size());
    for (List<Integer> sequence : order.values()) {
      assertEquals(java.util.stream.IntStream.range(0, perCall).boxed().toList(), sequence, "each once, in order");
    }
  }

  @Test
  void aFullOutboxRefusesIngestWithTheLimitNamedThenMakesRoomOnceDeliveriesDrain() {
    List<Object> everySecond = new ArrayList<>(List.of("0s"));
    for (int i = 0; i < 20; i++) {
      everySecond.add("1s");
    }
    start(config -> config.getJsonObject("fanout").put("max_outbox_bytes", 1024 * 1024)
        .put("retry_schedule", new JsonArray(everySecond)));
    int port = receiver.port();
    subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook")));
    Await.result(receiver.stop());

    String padding = "x".repeat(4000);
    int accepted = 0;
    io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> refused = null;
    for (int batch = 0; batch < 40 && refused == null; batch++) {
      StringBuilder events = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        events.append("{\"class\":\"call\",\"event\":\"update\",\"call_id\":\"full-").append(accepted + i)
            .append("\",\"padding\":\"").append(padding).append("\"}\n");
      }
      var answer = ingest("application/x-ndjson", events.toString());
      if (answer.statusCode() == 202) {
        accepted += 20;
      } else {
        refused = answer;
      }
    }
    assertTrue(refused != null, "the outbox filled up with pending deliveries");
    assertEquals(503, refused.statusCode());
    assertTrue(refused.bodyAsString().contains("fanout.max_outbox_bytes"), refused.bodyAsString());

    Await.result(receiver.listen(port));
    int expected = accepted;
    Await.result(receiver.until(all -> all.stream().map(r -> new JsonObject(r.body()).getString("call_id"))
        .distinct().count() == expected), 60);

    // Delivered, the events stay as history for replays; the fan-out prunes the oldest of it
    // ahead of retention to make room.
    int status = 0;
    long deadline = System.currentTimeMillis() + 30_000;
    while (status != 202 && System.currentTimeMillis() < deadline) {
      status = ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"again\"}")
          .statusCode();
      if (status != 202) {
        Await.result(Future.future(promise -> vertx.setTimer(200, ignored -> promise.complete())));
      }
    }
    assertEquals(202, status, "ingest accepted again once history made room");
  }

  @Test
  void aReceiverDownForAWhileLosesNothing() {
    start(config -> config.getJsonObject("fanout").put("retry_schedule",
        new JsonArray(List.of("0s", "200ms", "200ms", "200ms", "200ms", "200ms", "200ms", "200ms", "200ms", "200ms"))));
    int port = receiver.port();
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");
    Await.result(receiver.stop());

    for (int i = 0; i < 20; i++) {
      ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"d-" + i + "\"}");
    }
    awaitAttempts(sub, 20);
    Await.result(receiver.listen(port));

    List<Received> all = Await.result(receiver.until(list -> list.size() >= 20));
    assertEquals(20, all.stream().map(r -> new JsonObject(r.body()).getString("call_id")).distinct().count());
  }

  @Test
  void pendingRetriesSurviveARestartOnTheSameDataDirectory() {
    start(config -> config.getJsonObject("fanout").put("retry_schedule",
        new JsonArray(List.of("0s", "300ms", "300ms", "300ms", "300ms", "300ms", "300ms", "300ms"))));
    receiver.answer(request -> Answer.status(503));
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");
    for (int i = 0; i < 5; i++) {
      ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"p-" + i + "\"}");
    }
    awaitAttempts(sub, 5);
    Await.result(node.stop());
    node = null;
    int before = receiver.received().size();

    receiver.answer(request -> Answer.status(200));
    start(config -> config.getJsonObject("fanout").put("retry_schedule",
        new JsonArray(List.of("0s", "300ms", "300ms", "300ms", "300ms", "300ms", "300ms", "300ms"))));

    List<Received> all = Await.result(receiver.until(list -> list.stream().skip(before)
        .map(r -> new JsonObject(r.body()).getString("call_id")).distinct().count() == 5));
    assertTrue(all.size() > before);
  }

  @Test
  void deniedNetworksAreRefusedWithTheReasonOnTheAttempt() {
    start(config -> config.getJsonObject("fanout").put("deny_networks", new JsonArray().add("127.0.0.0/8")));
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");
    ingest("application/json", "{\"class\":\"call\",\"event\":\"ringing\"}");
    JsonObject attempt = awaitAttempts(sub, 1).getJsonObject(0);
    assertEquals("failed", attempt.getString("outcome"));
    assertTrue(attempt.getString("error").contains("denied network"), attempt.encode());
    assertNull(attempt.getValue("status"));
    assertTrue(receiver.received().isEmpty());
  }

  @Test
  void replayDeliversAWindowAgain() {
    start(config -> {
    });
    String sub = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("id");
    ingest("application/json", "[{\"class\":\"call\",\"event\":\"a\",\"timestamp\":1700000000},"
        + "{\"class\":\"call\",\"event\":\"b\",\"timestamp\":1700000100},{\"class\":\"call\",\"event\":\"c\",\"timestamp\":1700000200}]");
    Await.result(receiver.count(3));

    TestHttp.Reply replay = api.post("/v1/subscriptions/" + sub + "/replay", TestConfig.AUTHKEY,
        new JsonObject().put("since", "2023-11-14T22:13:20Z").put("until", 1700000150));

    assertEquals(202, replay.status(), String.valueOf(replay.body()));
    assertEquals(2, replay.body().getInteger("queued"));
    List<Received> all = Await.result(receiver.count(5));
    assertEquals(List.of("a", "b"), all.subList(3, 5).stream().map(r -> new JsonObject(r.body()).getString("event")).toList());
    assertEquals(400, api.post("/v1/subscriptions/" + sub + "/replay", TestConfig.AUTHKEY, new JsonObject()).status());
    assertEquals(404, api.get("/v1/subscriptions/nope/attempts", TestConfig.AUTHKEY).status());
    assertEquals(401, api.get("/v1/subscriptions/" + sub + "/attempts", "wrong").status());
  }

  @Test
  void theReadmesVerificationSnippetAcceptsARealDeliveryAndRejectsATamperedOne() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
    start(config -> {
    });
    String secret = subscribe("call.*", new JsonObject().put("uri", receiver.uri("/hook"))).getString("secret");
    ingest("application/json", EVENT);
    Received request = Await.result(receiver.count(1)).get(0);
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```python\n") + "```python\n".length();
    String snippet = readme.substring(start, readme.indexOf("```", start));
    Path script = dataDir.resolve("verify.py");
    Files.writeString(script, snippet + "\nimport json, sys\nh = json.loads(sys.argv[2])\n"
        + "print(verified(sys.argv[1], h, sys.stdin.read()))\n");
    JsonObject headers = new JsonObject();
    for (String name : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
      headers.put(name, request.headers().get(name));
    }

    assertEquals("True", python(script, secret, headers, request.body()));
    assertEquals("False", python(script, secret, headers, request.body().replace("hangup", "ringing")));
  }

  private static String python(Path script, String secret, JsonObject headers, String body) throws Exception {
    Process process = new ProcessBuilder("python3", script.toString(), secret, headers.encode())
        .redirectErrorStream(true).start();
    process.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
    return output;
  }

  @Test
  void anAccountKeySeesOnlyItsOwnAccountsDeliveryLog() {
    start(config -> {
    });
    for (String account : List.of("acme", "globex")) {
      assertEquals(201, api.post("/v1/accounts", TestConfig.AUTHKEY, new JsonObject().put("id", account)
          .put("name", account)).status());
    }
    String acmeKey = api.post("/v1/keys", TestConfig.AUTHKEY, new JsonObject().put("name", "crm")
        .put("account_id", "acme")).body().getString("secret");
    TestHttp.Reply globex = api.post("/v1/subscriptions", TestConfig.AUTHKEY, new JsonObject().put("name", "g")
        .put("account_id", "globex").put("bindings", new JsonArray().add("call.*"))
        .put("target", new JsonObject().put("uri", receiver.uri("/globex"))));
    TestHttp.Reply acme = api.post("/v1/subscriptions", acmeKey, new JsonObject().put("name", "a")
        .put("bindings", new JsonArray().add("call.*")).put("target", new JsonObject().put("uri", receiver.uri("/acme"))));
    assertEquals(201, acme.status(), String.valueOf(acme.body()));

    ingest("application/json", "[{\"class\":\"call\",\"event\":\"ringing\",\"account_id\":\"acme\"},"
        + "{\"class\":\"call\",\"event\":\"ringing\",\"account_id\":\"globex\"}]");
    List<Received> both = Await.result(receiver.count(2));

    assertEquals(List.of("/acme", "/globex"), both.stream().map(Received::path).sorted().toList(),
        "each account's event reaches only its own subscription");
    String acmeId = acme.body().getString("id");
    String globexId = globex.body().getString("id");
    assertEquals(1, awaitAttempts(acmeId, 1).size());
    assertEquals(200, api.get("/v1/subscriptions/" + acmeId + "/attempts", acmeKey).status());
    assertEquals(403, api.get("/v1/subscriptions/" + globexId + "/attempts", acmeKey).status());
    assertEquals(403, api.post("/v1/subscriptions/" + globexId + "/replay", acmeKey,
        new JsonObject().put("since", 0)).status());
  }

  private JsonArray awaitAttempts(String subscription, int count) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (true) {
      JsonArray data = api.get("/v1/subscriptions/" + subscription + "/attempts", TestConfig.AUTHKEY).body().getJsonArray("data");
      if (data.size() >= count) {
        return data;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("only " + data.size() + " attempts after 20 s: " + data.encode());
      }
      Await.result(io.vertx.core.Future.future(promise -> vertx.setTimer(50, id -> promise.complete())));
    }
  }
}
