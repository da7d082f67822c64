package dev.switchboard.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.OperatingSystemMXBean;
import dev.switchboard.Await;
import dev.switchboard.GatewayTest;
import dev.switchboard.TestConfig;
import dev.switchboard.TestHttp;
import dev.switchboard.event.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import dev.switchboard.webhook.WebhookSignature;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Webhook throughput on this machine, next to what a plain HTTP load tool reaches against the same
 * receiver in the same run, and what HTTP clients reach on their own (the same signed requests in a
 * loop, 16 in flight: the WebClient the fan-out uses, and Vert.x's core HttpClient beneath it — the
 * ceilings they set). Everything is warmed up first (the load tool's first pass, a first loop of
 * each client, and 300,000 events), since on two cores the JIT compiles for tens of seconds; each
 * measured run reports the JIT compile time spent during it, and how busy it kept the machine.
 * Run with: {@code mvn -B test -Dexcluded.test.groups= -Dtest=FanoutBenchmark}
 */
@Tag("benchmark")
class FanoutBenchmark extends GatewayTest {

  private static final int EVENTS = Integer.getInteger("bench.events", 100_000);
  private static final int WIDE_EVENTS = Integer.getInteger("bench.wide.events", 20);
  private static final int WARMUP_EVENTS = Integer.getInteger("bench.warmup.events", 300_000);
  private static final int CLIENT_REQUESTS = Integer.getInteger("bench.client.requests", 200_000);
  private static final int BATCH = 100;
  private static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
  private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":(\\d+\\.\\d{6})");

  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private final AtomicLong received = new AtomicLong();
  /**
   * CPU time of this JVM (gateway, receiver, JIT and GC) per request of the last measurement, in
   * microseconds: steadier than rates on a shared machine.
   */
  private double cpuMicrosPerRequest;
  /** Of the last measurement: the share of the machine's cores this JVM kept busy, and the JIT's compile time. */
  private double busy;
  private long jitMillis;
  /** Of the last gateway run: deliveries per second once ingest was over. */
  private double drainRate;
  private long[] latencies;
  private Promise<Void> all;
  private long expected;

  @Test
  void deliveriesPerSecondAgainstTheRawRate() throws Exception {
    startNode(config -> {
      config.getJsonObject("http").put("max_body_bytes", 16 * 1024 * 1024);
      config.getJsonObject("fanout").put("max_concurrency_per_subscription", Integer.getInteger("bench.concurrency", 16));
    });
    HttpServer receiver = Await.result(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      long now = Timestamps.nowMicros();
      Matcher stamp = TIMESTAMP.matcher(body.toString());
      long n = received.getAndIncrement();
      if (latencies != null && n < latencies.length && stamp.find()) {
        latencies[(int) n] = now - Timestamps.parse(stamp.group(1));
      }
      request.response().end();
      if (n + 1 == expected) {
        all.tryComplete();
      }
    })).listen(0, "127.0.0.1"));
    String uri = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
    String sample = "{\"class\":\"call\",\"event\":\"ringing\",\"call_id\":\"c-%d\",\"from\":\"+61390001234\","
        + "\"to\":\"+61390005678\",\"direction\":\"inbound\"}";

    wrk(uri, String.format(sample, 1));
    double raw = wrk(uri, String.format(sample, 1));
    double rawCpu = cpuMicrosPerRequest;
    clientLoop(uri, String.format(sample, 1), CLIENT_REQUESTS);
    double loop = clientLoop(uri, String.format(sample, 1), CLIENT_REQUESTS);
    double loopCpu = cpuMicrosPerRequest;
    coreClientLoop(uri, String.format(sample, 1), CLIENT_REQUESTS);
    double coreLoop = coreClientLoop(uri, String.format(sample, 1), CLIENT_REQUESTS);
    double coreLoopCpu = cpuMicrosPerRequest;
    TestHttp api = new TestHttp(vertx, node.httpPort());
    JsonObject subscription = new JsonObject().put("name", "bench").put("bindings", new JsonArray().add("call.*"))
        .put("target", new JsonObject().put("uri", uri));
    assertEquals(201, api.post("/v1/subscriptions", TestConfig.AUTHKEY, subscription).status());

    run(WARMUP_EVENTS, 1, sample);
    double oneRate = run(EVENTS, 1, sample);
    double oneCpu = cpuMicrosPerRequest;
    double oneBusy = busy;
    long oneJit = jitMillis;
    double oneDrain = drainRate;
    long[] one = Arrays.copyOf(latencies, EVENTS);
    Arrays.sort(one);
    for (int i = 1; i < 1000; i++) {
      api.post("/v1/subscriptions", TestConfig.AUTHKEY, subscription);
    }
    double wideRate = run(WIDE_EVENTS, 1000, sample);
    double wideCpu = cpuMicrosPerRequest;

    System.out.printf("%nFANOUT BENCHMARK (%d cores)%n", CORES);
    System.out.printf("  raw: wrk -t1 -c16 POST to the receiver         %,10.0f requests/s    (JVM CPU %,.0f us/request:"
        + " the receiver)%n", raw, rawCpu);
    System.out.printf("  WebClient alone, signed POSTs, 16 in flight    %,10.0f requests/s    (%.2f of raw; JVM CPU %,.0f us/request)%n",
        loop, raw > 0 ? loop / raw : Double.NaN, loopCpu);
    System.out.printf("  core HttpClient alone, same requests           %,10.0f requests/s    (%.2f of raw; JVM CPU %,.0f us/request)%n",
        coreLoop, raw > 0 ? coreLoop / raw : Double.NaN, coreLoopCpu);
    System.out.printf("  gateway, 1 subscription, %,d events       %,10.0f deliveries/s  (%.2f of raw; JVM CPU %,.0f us/delivery;"
        + " %.0f%% of %d cores busy; JIT %,d ms)%n", EVENTS, oneRate, raw > 0 ? oneRate / raw : Double.NaN, oneCpu,
        oneBusy * 100, CORES, oneJit);
    System.out.printf("    once ingest was over                       %,10.0f deliveries/s  (%.2f of the WebClient alone)%n",
        oneDrain, loop > 0 ? oneDrain / loop : Double.NaN);
    System.out.printf("    ingest-to-receipt latency                  p50 %.1f ms, p99 %.1f ms%n",
        one[one.length / 2] / 1000.0, one[one.length * 99 / 100] / 1000.0);
    System.out.printf("  gateway, 1000 subscriptions, %d events  %,10.0f deliveries/s  (JVM CPU %,.0f us/delivery)%n",
        WIDE_EVENTS, wideRate, wideCpu);
  }

  /** Ingests events at full speed and waits until every delivery arrived; deliveries per second. */
  private double run(int events, int perEvent, String sample) {
    received.set(0);
    expected = (long) events * perEvent;
    latencies = new long[(int) Math.min(expected, Integer.MAX_VALUE - 8)];
    all = Promise.promise();
    WebClient client = WebClient.create(vertx);
    // The softswitch is another process in real life: its bodies are built before the clock starts.
    List<Buffer> bodies = new ArrayList<>();
    for (int first = 0; first < events; first += BATCH) {
      StringBuilder body = new StringBuilder();
      for (int i = first; i < Math.min(events, first + BATCH); i++) {
        body.append(String.format(sample, i)).append('\n');
      }
      bodies.add(Buffer.buffer(body.toString()));
    }
    long cpuStart = OS.getProcessCpuTime();
    long jitStart = JIT.getTotalCompilationTime();
    long start = System.nanoTime();
    List<Future<?>> posts = new ArrayList<>();
    for (Buffer body : bodies) {
      posts.add(client.post(node.httpPort(), "127.0.0.1", "/v1/events")
          .putHeader("Authorization", "Bearer " + TestConfig.INGEST_KEY)
          .putHeader("Content-Type", "application/x-ndjson")
          .sendBuffer(body)
          .map(response -> {
            if (response.statusCode() != 202) {
              throw new IllegalStateException(response.bodyAsString());
            }
            return response;
          }));
    }
    Await.result(Future.all(posts), 300);
    long ingested = System.nanoTime();
    long receivedWhenIngested = received.get();
    Await.result(all.future(), 300);
    long finished = System.nanoTime();
    System.out.printf("  (%,d events x %d subscriptions ingested in %.1f s; %,.0f deliveries/s while ingesting,"
            + " %,.0f/s after)%n", events, perEvent, (ingested - start) / 1e9,
        receivedWhenIngested / ((ingested - start) / 1e9),
        (expected - receivedWhenIngested) / Math.max(1e-9, (finished - ingested) / 1e9));
    double seconds = (finished - start) / 1e9;
    measured(cpuStart, jitStart, seconds, expected);
    drainRate = (expected - receivedWhenIngested) / Math.max(1e-9, (finished - ingested) / 1e9);
    assertEquals(expected, received.get(), "nothing lost");
    return expected / seconds;
  }

  /**
   * The ceiling the gateway's HTTP client sets on this machine: a WebClient configured as the
   * fan-out's sends the same signed JSON POST, 16 in flight, with no ingest and no outbox.
   */
  private double clientLoop(String uri, String body, int requests) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setUserAgentEnabled(false),
        new PoolOptions().setHttp1MaxSize(16));
    Buffer payload = Buffer.buffer(body);
    double rate = inFlightLoop(requests, (n, answered) -> {
      String id = "evt_" + n;
      long timestamp = System.currentTimeMillis() / 1000;
      client.postAbs(uri)
          .timeout(10_000)
          .putHeader("User-Agent", "Switchboard/bench")
          .putHeader("webhook-id", id)
          .putHeader("webhook-timestamp", Long.toString(timestamp))
          .putHeader("webhook-signature", WebhookSignature.sign(SECRET, id, timestamp, body))
          .putHeader("Content-Type", "application/json")
          .sendBuffer(payload)
          .onComplete(done -> answered.run());
    });
    client.close();
    return rate;
  }

  /** As {@link #clientLoop}, with the core HttpClient the WebClient is built on: what its own layer costs. */
  private double coreClientLoop(String uri, String body, int requests) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(16));
    RequestOptions target = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(uri).setTimeout(10_000);
    Buffer payload = Buffer.buffer(body);
    double rate = inFlightLoop(requests, (n, answered) -> {
      String id = "evt_" + n;
      long timestamp = System.currentTimeMillis() / 1000;
      client.request(target)
          .compose(request -> request
              .putHeader("User-Agent", "Switchboard/bench")
              .putHeader("webhook-id", id)
              .putHeader("webhook-timestamp", Long.toString(timestamp))
              .putHeader("webhook-signature", WebhookSignature.sign(SECRET, id, timestamp, body))
              .putHeader("Content-Type", "application/json")
              .send(payload))
          .compose(HttpClientResponse::body)
          .onComplete(done -> answered.run());
    });
    client.close();
    return rate;
  }

  /**
   * Makes {@code requests} requests, 16 in flight, with {@code send} (given the request's number
   * and what to call once it is answered) and waits until the receiver has them all; requests per
   * second.
   */
  private double inFlightLoop(int requests, BiConsumer<Long, Runnable> send) {
    received.set(0);
    expected = requests;
    latencies = null;
    all = Promise.promise();
    AtomicLong started = new AtomicLong();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      long n = started.getAndIncrement();
      if (n < requests) {
        send.accept(n, () -> vertx.runOnContext(ignored -> next[0].run()));
      }
    };
    long cpuStart = OS.getProcessCpuTime();
    long jitStart = JIT.getTotalCompilationTime();
    long start = System.nanoTime();
    vertx.runOnContext(ignored -> {
      for (int i = 0; i < 16; i++) {
        next[0].run();
      }
    });
    Await.result(all.future(), 300);
    double seconds = (System.nanoTime() - start) / 1e9;
    measured(cpuStart, jitStart, seconds, requests);
    return requests / seconds;
  }

  private void measured(long cpuStart, long jitStart, double seconds, long requests) {
    long cpuNanos = OS.getProcessCpuTime() - cpuStart;
    cpuMicrosPerRequest = cpuNanos / 1e3 / requests;
    busy = cpuNanos / 1e9 / seconds / CORES;
    jitMillis = JIT.getTotalCompilationTime() - jitStart;
  }

  private double wrk(String uri, String body) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/wrk"))) {
      System.out.println("wrk is not installed (apt-get install wrk): no raw baseline");
      return 0;
    }
    Path script = dataDir.resolve("post.lua");
    Files.writeString(script, "wrk.method = \"POST\"\nwrk.body = '" + body + "'\n"
        + "wrk.headers[\"Content-Type\"] = \"application/json\"\n");
    long cpuStart = OS.getProcessCpuTime();
    Process process = new ProcessBuilder("wrk", "-t1", "-c16", "-d5s", "-s", script.toString(), uri)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    process.waitFor(30, TimeUnit.SECONDS);
    long served = received.getAndSet(0);
    cpuMicrosPerRequest = served == 0 ? Double.NaN : (OS.getProcessCpuTime() - cpuStart) / 1e3 / served;
    Matcher rate = Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(output);
    if (!rate.find()) {
      throw new AssertionError("wrk said: " + output);
    }
    return Double.parseDouble(rate.group(1));
  }
}
