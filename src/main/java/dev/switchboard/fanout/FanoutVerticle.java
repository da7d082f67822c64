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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Delivers webhooks: journals what intake hands it ({@link Addresses#OUTBOX_JOURNAL}) and, once
 * that is durable, holds the deliveries in its bounded {@link DeliveryQueues} so they go out
 * without being read back; what does not fit, and everything pending at start, is read from the
 * outbox in journal order — never from the bus. Each is sent with the one {@link WebClient}, in
 * order per call and subscription, at most {@code fanout.max_concurrency_per_subscription} at a
 * time per subscription, and its attempt recorded before its lane moves on. Failures are retried
 * on the {@link RetryPolicy}; a subscription that keeps failing, or whose receiver answers 410, is
 * disabled and a {@code subscription.disabled} event is published. Only the node that accepted an
 * event delivers it, so each webhook goes out once in a cluster.
 *
 * <p>Config: {@code data_dir}, {@code fanout.*}, {@code intake.timeout_ms}.
 */
public final class FanoutVerticle extends VerticleBase {

  private static final Logger LOG = System.getLogger(FanoutVerticle.class.getName());
  private static final long POLL_MILLIS = 500;
  private static final long PRUNE_MILLIS = 600_000;
  private static final long SIZE_CHECK_MILLIS = 1_000;
  /** An early prune scans the pending deliveries; when they are what fills the outbox, not every second. */
  private static final long EARLY_PRUNE_SPACING_MILLIS = 5_000;

  private final Map<String, Health> health = new HashMap<>();
  private final Set<String> disabling = new HashSet<>();
  private DeliveryQueues queues;
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
  private long requestTimeoutMillis;
  private int disableAfterFailures;
  private long disableAfterMillis;
  private long retentionMillis;
  private long maxOutboxBytes;
  private boolean pumping;
  private boolean pumpAgain;
  private boolean pumpScheduled;
  private long timerId = -1;
  private long timerAt = Long.MAX_VALUE;
  private boolean stopping;
  private long lastSizeWarning;
  private long lastOutboxFailureLog;
  private long outboxFailuresUnlogged;
  private long journaledTotal;
  private boolean pruningEarly;
  private long lastEarlyPrune;
  /** Attempts since start, by outcome (delivered, retrying, failed, gone). */
  private final Map<String, Long> attemptsTotal = new LinkedHashMap<>();

  private final JsonObject nodeConfig;

  /**
   * @param nodeConfig the node's configuration, of which it reads {@code data_dir},
   *     {@code fanout.*} and {@code intake.timeout_ms}. Passed here, and the verticle deployed
   *     with an empty config, because Vert.x 5.0 builds a context for requests its
   *     {@link WebClient} makes and each copies the deployment's options, config included, deeply.
   */
  public FanoutVerticle(JsonObject nodeConfig) {
    this.nodeConfig = nodeConfig;
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    JsonObject settings = nodeConfig.getJsonObject("fanout");
    int maxInFlight = settings.getInteger("max_in_flight");
    int maxPerSubscription = settings.getInteger("max_concurrency_per_subscription");
    queues = new DeliveryQueues(maxPerSubscription, maxInFlight, settings.getInteger("max_in_memory_per_subscription"),
        settings.getInteger("max_in_memory"));
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
    intake = new Intake(vertx, nodeConfig.getJsonObject("intake").getLong("timeout_ms"));
    client = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout(settings.getInteger("connect_timeout_ms"))
        .setFollowRedirects(false)
        .setKeepAlive(true)
        .setUserAgentEnabled(false),
        new PoolOptions().setHttp1MaxSize(maxPerSubscription).setMaxWaitQueueSize(maxInFlight));
    return SqliteOutbox.open(vertx, Path.of(nodeConfig.getString("data_dir")), maxOutboxBytes)
        .compose(opened -> {
          outbox = opened;
          return outbox.health();
        })
        .compose(stored -> {
          health.putAll(stored);
          return outbox.subscriptionsWithPending();
        })
        .compose(withPending -> {
          queues.discovered(withPending);
          MessageConsumer<JournalRequest> journal = vertx.eventBus().localConsumer(Addresses.OUTBOX_JOURNAL, this::journal);
          MessageConsumer<JsonObject> api = vertx.eventBus().localConsumer(Addresses.DELIVERY_API, this::command);
          vertx.setPeriodic(POLL_MILLIS, ignored -> poll());
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
        journaledTotal += done.result().size();
        queues.journaled(done.result(), System.currentTimeMillis());
        pump();
      } else if (done.cause() instanceof Outbox.OutboxFullException full) {
        warnSize(full.getMessage());
        message.fail(503, full.getMessage());
      } else {
        outboxFailure("the outbox could not journal deliveries; ingest answered 503", done.cause());
        message.fail(503, "the outbox could not journal deliveries: " + done.cause().getMessage());
      }
    });
  }

  /** Periodically: resumes re-enabled subscriptions and looks again for what to read from the outbox. */
  private void poll() {
    SubscriptionIndex index = SubscriptionIndex.lookup(vertx);
    for (String id : queues.paused()) {
      Subscription subscription = index == null ? null : index.find(id);
      if (!disabling.contains(id) && (subscription == null || subscription.enabled())) {
        queues.resume(id);
      }
    }
    queues.rescan(System.currentTimeMillis());
    pump();
  }

  /**
   * Starts every delivery that may start now and reads from the outbox what memory lacks; calls
   * made while it runs (a delivery that finishes at once) make it go round again.
   */
  private void pump() {
    if (stopping) {
      return;
    }
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        long now = System.currentTimeMillis();
        for (DeliveryQueues.Refill refill : queues.refillsDue(now)) {
          outbox.pending(refill.subscriptionId(), refill.afterSeq(), refill.limit()).onComplete(read -> {
            if (read.failed()) {
              outboxFailure("reading pending deliveries failed; tried again every " + POLL_MILLIS + " ms", read.cause());
            }
            queues.refilled(refill, read.succeeded() ? read.result() : null, System.currentTimeMillis());
            pump();
          });
        }
        for (Delivery delivery = queues.next(now); delivery != null; delivery = queues.next(now)) {
          start(delivery, now);
        }
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
    wakeAt(queues.nextDueAt());
  }

  /**
   * Pumps once the current event-loop task is over: an answer's connection goes back to the pool
   * only after its handlers ran, and a request started inside them would wait for a connection
   * (in Vert.x 5.0 at the cost of a new context and a timer); answers that land together also
   * share one pump.
   */
  private void pumpSoon() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      vertx.runOnContext(ignored -> {
        pumpScheduled = false;
        pump();
      });
    }
  }

  /** Keeps one timer, for the earliest retry. */
  private void wakeAt(long dueAt) {
    if (dueAt >= timerAt || dueAt == Long.MAX_VALUE) {
      return;
    }
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    timerAt = dueAt;
    timerId = vertx.setTimer(Math.max(1, dueAt - System.currentTimeMillis()), ignored -> {
      timerId = -1;
      timerAt = Long.MAX_VALUE;
      pump();
    });
  }

  private void start(Delivery delivery, long now) {
    SubscriptionIndex index = SubscriptionIndex.lookup(vertx);
    Subscription subscription = index == null ? null : index.find(delivery.subscriptionId());
    if (subscription != null && !subscription.enabled()) {
      queues.unstarted(delivery, now);
      queues.pause(subscription.id());
      return;
    }
    if (subscription == null || !subscription.activeAt(now)) {
      String reason = subscription == null ? "the subscription was deleted or has expired" : "the subscription has expired";
      finish(delivery, new Attempt(delivery, delivery.attempts() + 1, now, 0, reason, 0, "failed", "failed", null), null);
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
    Delivery retried = attempt.state().equals("pending") ? delivery.retried(attempt.number(), attempt.nextAttemptAt())
        : null;
    attemptsTotal.merge(attempt.outcome(), 1L, Long::sum);
    // Its lane waits until the record is durable: a read of the outbox made meanwhile would still
    // find it pending, and a restart must not lose the attempt count.
    Future<Void> durable = outbox.record(attempt, recorded);
    queues.responded(delivery);
    pumpSoon();
    durable.onComplete(done -> {
      if (done.failed()) {
        outboxFailure("recording an attempt failed; the delivery will be tried again", done.cause());
      }
      long now = System.currentTimeMillis();
      queues.finished(delivery, done.succeeded() ? retried : delivery.retried(delivery.attempts(), now + 5_000), now);
      pump();
    });
  }

  private void disable(Subscription subscription, String reason) {
    queues.pause(subscription.id());
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
            .map(queued -> {
              queues.journaled(queued, System.currentTimeMillis());
              pump();
              return new JsonObject().put("queued", queued.size());
            });
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
      case "metrics":
        answer = outbox.sizeBytes().map(size -> {
          JsonObject attempts = new JsonObject();
          for (String outcome : List.of("delivered", "retrying", "failed", "gone")) {
            attempts.put(outcome, attemptsTotal.getOrDefault(outcome, 0L));
          }
          return new JsonObject()
              .put("outbox_bytes", size)
              .put("outbox_limit_bytes", maxOutboxBytes)
              .put("journaled", journaledTotal)
              .put("attempts", attempts)
              .put("held", queues.held())
              .put("parked", queues.parked())
              .put("in_flight", queues.inFlight())
              .put("queues", queues.queues());
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
            LOG.log(Level.INFO, "pruned " + count + " journaled events, and attempt records, older than fanout.retention");
          }
        })
        .onFailure(failure -> LOG.log(Level.ERROR, "pruning the outbox failed", failure));
  }

  /**
   * Past 80% of {@code fanout.max_outbox_bytes}, makes room before ingest has to be refused: the
   * oldest quarter of the delivery history (events no delivery needs any more, and attempt
   * records) goes ahead of {@code fanout.retention}. Pending deliveries are never dropped; when
   * they alone fill the outbox, ingest answers 503 until they drain.
   */
  private void checkSize() {
    if (pruningEarly || System.currentTimeMillis() - lastEarlyPrune < EARLY_PRUNE_SPACING_MILLIS) {
      return;
    }
    outbox.sizeBytes().onSuccess(size -> {
      if (size < maxOutboxBytes * 8 / 10) {
        return;
      }
      pruningEarly = true;
      lastEarlyPrune = System.currentTimeMillis();
      outbox.oldestEventAt()
          .compose(oldest -> {
            long now = System.currentTimeMillis();
            if (oldest == null || oldest >= now) {
              return Future.succeededFuture(0);
            }
            long cutoff = oldest + (now - oldest) / 4 + 1;
            return outbox.prune(cutoff).onSuccess(pruned -> warnSize("the outbox holds " + size + " bytes, "
                + (100 * size / maxOutboxBytes) + "% of fanout.max_outbox_bytes: pruned " + pruned
                + " events journaled before " + iso(cutoff) + " ahead of fanout.retention (a replay no longer"
                + " reaches them); at the limit ingest answers 503"));
          })
          .onComplete(done -> pruningEarly = false);
    });
  }

  private void warnSize(String message) {
    long now = System.currentTimeMillis();
    if (now - lastSizeWarning >= 60_000) {
      lastSizeWarning = now;
      LOG.log(Level.WARNING, message);
    }
  }

  /** Outbox failures come in floods when the disk does: logged at most once a minute, with a count. */
  private void outboxFailure(String what, Throwable cause) {
    long now = System.currentTimeMillis();
    if (now - lastOutboxFailureLog < 60_000) {
      outboxFailuresUnlogged++;
      return;
    }
    String more = outboxFailuresUnlogged == 0 ? "" : " (and " + outboxFailuresUnlogged + " other outbox failures in the"
        + " last minute)";
    lastOutboxFailureLog = now;
    outboxFailuresUnlogged = 0;
    LOG.log(Level.ERROR, what + more, cause);
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
