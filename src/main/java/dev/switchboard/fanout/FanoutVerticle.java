package dev.switchboard.fanout;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Codecs;
import dev.switchboard.config.Durations;
import dev.switchboard.event.Event;
import dev.switchboard.fanout.Outbox.Attempt;
import dev.switchboard.fanout.Outbox.Delivery;
import dev.switchboard.fanout.Outbox.Health;
import dev.switchboard.intake.Intake;
import dev.switchboard.net.CidrSet;
import dev.switchboard.store.SqliteOutbox;
import dev.switchboard.subscription.Subscription;
import dev.switchboard.subscription.SubscriptionIndex;
import dev.switchboard.webhook.WebhookRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Delivers webhooks: journals what intake hands it ({@link Addresses#OUTBOX_JOURNAL}), then reads
 * due deliveries from the outbox — never from the bus — and sends each with the one
 * {@link WebClient}, in order per call and subscription, at most
 * {@code fanout.max_concurrency_per_subscription} at a time per subscription. Failures are retried
 * on the {@link RetryPolicy}; a subscription that keeps failing, or whose receiver answers 410, is
 * disabled and a {@code subscription.disabled} event is published. Only the node that accepted an
 * event delivers it, so each webhook goes out once in a cluster.
 *
 * <p>Config: {@code data_dir}, {@code fanout.*}, {@code intake.timeout_ms}.
 */
public final class FanoutVerticle extends VerticleBase {

  private static final Logger LOG = System.getLogger(FanoutVerticle.class.getName());
  private static final long POLL_MILLIS = 500;
  private static final long QUERY_SPACING_MILLIS = 25;
  private static final long PRUNE_MILLIS = 600_000;
  private static final long SIZE_CHECK_MILLIS = 10_000;

  private final Set<Long> inFlight = new HashSet<>();
  /** Read from the outbox, not started yet: per subscription, oldest first. */
  private final Map<String, ArrayDeque<Delivery>> waiting = new LinkedHashMap<>();
  private int waitingCount;
  private final Set<Long> known = new HashSet<>();
  private final Map<String, Integer> perSubscription = new HashMap<>();
  private final Map<String, Health> health = new HashMap<>();
  private final Set<String> paused = new HashSet<>();
  private final Set<String> disabling = new HashSet<>();
  private Outbox outbox;
  private WebClient client;
  private WorkerExecutor resolver;
  private DestinationGuard guard;
  private RetryPolicy retries;
  private String retryAfterMax;
  /** Policies of subscriptions with a schedule of their own, by schedule. */
  private final Map<List<String>, RetryPolicy> ownRetries = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<List<String>, RetryPolicy> eldest) {
      return size() > 256;
    }
  };
  private Intake intake;
  private int maxInFlight;
  private int maxPerSubscription;
  private long requestTimeoutMillis;
  private int disableAfterFailures;
  private long disableAfterMillis;
  private long retentionMillis;
  private long maxOutboxBytes;
  private boolean querying;
  private boolean pumpAgain;
  private boolean queryScheduled;
  private long lastQueryAt;
  private boolean stopping;
  private long lastSizeWarning;

  /**
   * The part of a node's configuration this verticle reads; deploy it with this rather than the
   * whole configuration. Vert.x 5.0 builds a context for every request the {@link WebClient}
   * makes, and each of those copies the deployment's options, config included, deeply.
   */
  public static JsonObject deploymentConfig(JsonObject config) {
    return new JsonObject()
        .put("data_dir", config.getValue("data_dir"))
        .put("fanout", config.getValue("fanout"))
        .put("intake", config.getValue("intake"));
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    JsonObject settings = config().getJsonObject("fanout");
    maxInFlight = settings.getInteger("max_in_flight");
    maxPerSubscription = settings.getInteger("max_concurrency_per_subscription");
    requestTimeoutMillis = settings.getLong("request_timeout_ms");
    disableAfterFailures = settings.getInteger("disable_after_failures");
    disableAfterMillis = Durations.parseMillis(settings.getString("disable_after"));
    retentionMillis = Durations.parseMillis(settings.getString("retention"));
    maxOutboxBytes = settings.getLong("max_outbox_bytes");
    retryAfterMax = settings.getString("retry_after_max");
    retries = new RetryPolicy(settings.getJsonArray("retry_schedule").stream().map(String::valueOf).toList(),
        retryAfterMax);
    resolver = vertx.createSharedWorkerExecutor("switchboard-fanout-dns", 2);
    guard = new DestinationGuard(resolver,
        CidrSet.parse(settings.getJsonArray("deny_networks").stream().map(String::valueOf).toList()));
    intake = new Intake(vertx, config().getJsonObject("intake").getLong("timeout_ms"));
    client = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout(settings.getInteger("connect_timeout_ms"))
        .setFollowRedirects(false)
        .setKeepAlive(true)
        .setUserAgentEnabled(false),
        new PoolOptions().setHttp1MaxSize(maxPerSubscription).setMaxWaitQueueSize(maxInFlight));
    return SqliteOutbox.open(vertx, Path.of(config().getString("data_dir")), maxOutboxBytes)
        .compose(opened -> {
          outbox = opened;
          return outbox.health();
        })
        .compose(stored -> {
          health.putAll(stored);
          MessageConsumer<JournalRequest> journal = vertx.eventBus().localConsumer(Addresses.OUTBOX_JOURNAL, this::journal);
          MessageConsumer<JsonObject> api = vertx.eventBus().localConsumer(Addresses.DELIVERY_API, this::command);
          vertx.setPeriodic(POLL_MILLIS, ignored -> pump());
          vertx.setPeriodic(SIZE_CHECK_MILLIS, ignored -> checkSize());
          vertx.setPeriodic(1_000, PRUNE_MILLIS, ignored -> prune());
          return Future.all(journal.completion(), api.completion());
        })
        .onSuccess(ready -> pump());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> closed = outbox == null ? Future.succeededFuture() : outbox.close();
    return closed.eventually(() -> {
      client.close();
      return resolver.close();
    });
  }

  private void journal(Message<JournalRequest> message) {
    outbox.append(message.body().deliveries()).onComplete(done -> {
      if (done.succeeded()) {
        message.reply(null);
        pump();
      } else if (done.cause() instanceof Outbox.OutboxFullException full) {
        warnSize(full.getMessage());
        message.fail(503, full.getMessage());
      } else {
        LOG.log(Level.ERROR, "the outbox could not journal deliveries", done.cause());
        message.fail(503, "the outbox could not journal deliveries: " + done.cause().getMessage());
      }
    });
  }

  /**
   * Starts what is queued in memory and, when the queue runs low, reads more due deliveries from
   * the outbox: one query at a time, calls made meanwhile coalesced into one more.
   */
  private void pump() {
    if (stopping) {
      return;
    }
    dispatchQueued();
    if (querying) {
      pumpAgain = true;
      return;
    }
    if (waitingCount >= maxInFlight) {
      return;
    }
    // With work in hand, read again at most every QUERY_SPACING_MILLIS: a query that finds little
    // still scans the pending rows, and it shares the outbox's thread with the commits.
    long now = System.currentTimeMillis();
    if (waitingCount > 0 && now - lastQueryAt < QUERY_SPACING_MILLIS) {
      if (!queryScheduled) {
        queryScheduled = true;
        vertx.setTimer(QUERY_SPACING_MILLIS - (now - lastQueryAt), ignored -> {
          queryScheduled = false;
          pump();
        });
      }
      return;
    }
    lastQueryAt = now;
    querying = true;
    refreshPaused();
    Set<String> skipped = new HashSet<>(paused);
    Map<String, Integer> load = new HashMap<>(perSubscription);
    waiting.forEach((id, deliveries) -> load.merge(id, deliveries.size(), Integer::sum));
    load.forEach((id, count) -> {
      if (count >= 2 * maxPerSubscription) {
        skipped.add(id);
      }
    });
    outbox.due(System.currentTimeMillis(), 2 * maxInFlight, skipped).onComplete(found -> {
      querying = false;
      if (found.failed()) {
        LOG.log(Level.ERROR, "reading due deliveries failed", found.cause());
        return;
      }
      for (Delivery delivery : found.result()) {
        if (known.add(delivery.seq())) {
          waiting.computeIfAbsent(delivery.subscriptionId(), id -> new ArrayDeque<>()).add(delivery);
          waitingCount++;
        }
      }
      dispatchQueued();
      if (pumpAgain) {
        pumpAgain = false;
        pump();
      }
    });
  }

  private void dispatchQueued() {
    Iterator<Map.Entry<String, ArrayDeque<Delivery>>> subscriptions = waiting.entrySet().iterator();
    while (subscriptions.hasNext() && inFlight.size() < maxInFlight) {
      Map.Entry<String, ArrayDeque<Delivery>> entry = subscriptions.next();
      dispatch(entry.getKey(), entry.getValue());
      if (entry.getValue().isEmpty()) {
        subscriptions.remove();
      }
    }
  }

  /** Starts one subscription's waiting deliveries while it and the node have room. */
  private void dispatch(String subscriptionId, ArrayDeque<Delivery> deliveries) {
    while (!deliveries.isEmpty() && inFlight.size() < maxInFlight
        && perSubscription.getOrDefault(subscriptionId, 0) < maxPerSubscription) {
      waitingCount--;
      start(deliveries.poll());
    }
  }


  private void refreshPaused() {
    SubscriptionIndex index = SubscriptionIndex.lookup(vertx);
    paused.removeIf(id -> {
      if (disabling.contains(id)) {
        return false;
      }
      Subscription subscription = index == null ? null : index.find(id);
      return subscription == null || subscription.enabled();
    });
  }

  private void start(Delivery delivery) {
    SubscriptionIndex index = SubscriptionIndex.lookup(vertx);
    Subscription subscription = index == null ? null : index.find(delivery.subscriptionId());
    long now = System.currentTimeMillis();
    if (subscription != null && !subscription.enabled()) {
      paused.add(subscription.id());
      known.remove(delivery.seq());
      return;
    }
    inFlight.add(delivery.seq());
    perSubscription.merge(delivery.subscriptionId(), 1, Integer::sum);
    if (subscription == null || !subscription.activeAt(now)) {
      String reason = subscription == null ? "the subscription was deleted or has expired" : "the subscription has expired";
      finish(delivery, new Attempt(delivery, delivery.attempts(), now, 0, reason, 0, "failed", "failed", null), null);
      return;
    }
    String webhookId = delivery.eventId() + "_" + delivery.subscriptionId();
    guard.check(vertx, subscription.target().uri())
        .compose(server -> WebhookRequest.sendJournaled(client, subscription, delivery.eventJson(), webhookId,
            requestTimeoutMillis, server))
        .onComplete(result -> settle(delivery, subscription, now, result.succeeded() ? result.result() : null,
            result.cause()));
  }

  private void settle(Delivery delivery, Subscription subscription, long startedAt, HttpResponse<Buffer> response,
      Throwable failure) {
    long at = System.currentTimeMillis();
    int attempt = delivery.attempts() + 1;
    int status = response == null ? 0 : response.statusCode();
    RetryPolicy.Verdict verdict = failure instanceof DestinationGuard.DeniedDestinationException
        ? RetryPolicy.Verdict.FAILED : RetryPolicy.verdict(status);
    String error = failure != null ? describe(failure) : verdict == RetryPolicy.Verdict.DELIVERED ? null : "HTTP " + status;
    Attempt record;
    switch (verdict) {
      case DELIVERED:
        record = new Attempt(delivery, attempt, at, status, null, at - startedAt, "delivered", "delivered", null);
        break;
      case GONE:
        record = new Attempt(delivery, attempt, at, status, error, at - startedAt, "gone", "pending", at);
        break;
      case RETRY:
        long delay = retries(subscription).nextDelayMillis(attempt, response == null ? null : response.getHeader("Retry-After"));
        record = delay < 0
            ? new Attempt(delivery, attempt, at, status, error + "; no attempts left", at - startedAt, "failed", "failed", null)
            : new Attempt(delivery, attempt, at, status, error, at - startedAt, "retrying", "pending", at + delay);
        break;
      default:
        record = new Attempt(delivery, attempt, at, status, error, at - startedAt, "failed", "failed", null);
    }
    Health next = health.getOrDefault(subscription.id(), Health.none(subscription.id()))
        .after(verdict == RetryPolicy.Verdict.DELIVERED, at, error);
    health.put(subscription.id(), next);
    finish(delivery, record, next);
    if (verdict == RetryPolicy.Verdict.GONE) {
      disable(subscription, "the receiver answered 410 Gone");
    } else if (next.consecutiveFailures() >= disableAfterFailures && next.failingSince() != null
        && at - next.failingSince() >= disableAfterMillis) {
      disable(subscription, next.consecutiveFailures() + " consecutive failed attempts over "
          + (at - next.failingSince()) / 60_000 + " minutes (last: " + error + ")");
    }
  }

  private RetryPolicy retries(Subscription subscription) {
    List<String> own = subscription.retrySchedule();
    return own == null ? retries : ownRetries.computeIfAbsent(own, schedule -> new RetryPolicy(schedule, retryAfterMax));
  }

  private void finish(Delivery delivery, Attempt attempt, Health current) {
    Health recorded = current != null ? current
        : health.getOrDefault(delivery.subscriptionId(), Health.none(delivery.subscriptionId()));
    inFlight.remove(delivery.seq());
    perSubscription.computeIfPresent(delivery.subscriptionId(), (id, count) -> count <= 1 ? null : count - 1);
    // The delivery stays known until its record is durable, so no query can hand it out twice.
    outbox.record(attempt, recorded).onComplete(done -> {
      if (done.failed()) {
        LOG.log(Level.ERROR, "recording an attempt failed; the delivery will be tried again", done.cause());
      }
      known.remove(delivery.seq());
      pump();
    });
    ArrayDeque<Delivery> same = waiting.get(delivery.subscriptionId());
    if (same != null) {
      dispatch(delivery.subscriptionId(), same);
    }
  }

  private void disable(Subscription subscription, String reason) {
    paused.add(subscription.id());
    if (!disabling.add(subscription.id())) {
      return;
    }
    LOG.log(Level.WARNING, "disabling subscription " + subscription.id() + ": " + reason);
    vertx.eventBus().<JsonObject>request(Addresses.SUBSCRIPTION_DISABLE,
            new JsonObject().put("id", subscription.id()).put("reason", reason),
            new DeliveryOptions().setLocalOnly(true))
        .onComplete(done -> disabling.remove(subscription.id()))
        .compose(disabled -> intake.submit(List.of(disabledEvent(subscription, reason))))
        .onFailure(failure -> LOG.log(Level.ERROR, "disabling subscription " + subscription.id() + " failed: "
            + failure.getMessage()));
  }

  /** The {@code subscription.disabled} event, in the subscription's account. */
  static Event disabledEvent(Subscription subscription, String reason) {
    return Event.builder("subscription", "disabled")
        .accountId(subscription.accountId())
        .put("subscription_id", subscription.id())
        .putIfPresent("name", subscription.name())
        .put("reason", reason)
        .build();
  }

  private void command(Message<JsonObject> message) {
    JsonObject command = message.body();
    String id = command.getString("subscription_id");
    Future<JsonObject> answer;
    switch (command.getString("op")) {
      case "attempts":
        answer = outbox.attempts(id, command.getString("outcome"), command.getLong("before"),
                command.getInteger("limit"))
            .map(list -> new JsonObject().put("data", new io.vertx.core.json.JsonArray(new ArrayList<>(list))));
        break;
      case "replay":
        answer = outbox.replay(id, command.getLong("since"), command.getLong("until"))
            .map(count -> new JsonObject().put("queued", count))
            .onSuccess(queued -> pump());
        break;
      case "health":
        answer = outbox.pendingCount(id).map(pending -> {
          Health current = health.getOrDefault(id, Health.none(id));
          return new JsonObject()
              .put("last_success_at", iso(current.lastSuccessAt()))
              .put("last_failure_at", iso(current.lastFailureAt()))
              .put("consecutive_failures", current.consecutiveFailures())
              .put("last_error", current.lastError())
              .put("pending", pending);
        });
        break;
      default:
        answer = Future.failedFuture("unknown delivery command " + command.getString("op"));
    }
    answer.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result());
      } else {
        message.fail(500, done.cause().getMessage());
      }
    });
  }

  private void prune() {
    outbox.prune(System.currentTimeMillis() - retentionMillis)
        .onSuccess(count -> {
          if (count > 0) {
            LOG.log(Level.INFO, "pruned " + count + " finished deliveries older than fanout.retention");
          }
        })
        .onFailure(failure -> LOG.log(Level.ERROR, "pruning the outbox failed", failure));
  }

  private void checkSize() {
    outbox.sizeBytes().onSuccess(size -> {
      if (size >= maxOutboxBytes * 8 / 10) {
        warnSize("the outbox holds " + size + " bytes, " + (100 * size / maxOutboxBytes)
            + "% of fanout.max_outbox_bytes; at the limit ingest answers 503");
      }
    });
  }

  private void warnSize(String message) {
    long now = System.currentTimeMillis();
    if (now - lastSizeWarning >= 60_000) {
      lastSizeWarning = now;
      LOG.log(Level.WARNING, message);
    }
  }

  private static String describe(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return "timed out";
    }
    if (failure instanceof UnknownHostException) {
      return "unknown host " + failure.getMessage();
    }
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }

  private static String iso(Long millis) {
    return millis == null ? null : java.time.Instant.ofEpochMilli(millis).toString();
  }
}
