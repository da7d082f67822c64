package dev.switchboard.intake;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Codecs;
import dev.switchboard.bus.EventBatch;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventIdGenerator;
import dev.switchboard.fanout.JournalRequest;
import dev.switchboard.fanout.Outbox;
import dev.switchboard.subscription.Subscription;
import dev.switchboard.subscription.SubscriptionIndex;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The single step every ingest adapter hands events to: gives each event its id and this node's
 * name, matches it against the subscriptions, has the fan-out journal the webhook deliveries it
 * owes (durable before the adapter is answered), then publishes it on {@link Addresses#EVENTS}
 * for every node's websocket clients. Refuses work past a bound instead of queueing it, so
 * adapters can answer 503.
 *
 * <p>Config: {@code node_id} (string, required) and {@code intake.max_in_flight_events}.
 */
public final class IntakeVerticle extends VerticleBase {

  /** The failure code of a refused batch; adapters answer it as 503. */
  public static final int SATURATED = 503;

  private final EventIdGenerator ids = new EventIdGenerator();
  private String node;
  private int maxInFlight;
  private int inFlight;
  private long accepted;
  private DeliveryOptions journalOptions;

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    node = config().getString("node_id");
    if (node == null || node.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException("node_id must be set for intake"));
    }
    maxInFlight = config().getJsonObject("intake").getInteger("max_in_flight_events");
    journalOptions = new DeliveryOptions().setLocalOnly(true)
        .setSendTimeout(config().getJsonObject("intake").getLong("timeout_ms"));
    MessageConsumer<EventBatch> intake = vertx.eventBus().localConsumer(Addresses.INTAKE, this::accept);
    MessageConsumer<Object> ready = vertx.eventBus().localConsumer(Addresses.INTAKE_READY, message -> message.reply("up"));
    return Future.all(intake.completion(), ready.completion());
  }

  private void accept(Message<EventBatch> message) {
    List<Event> events = message.body().events();
    if (inFlight + events.size() > maxInFlight) {
      message.fail(SATURATED, "intake is saturated (" + inFlight + " events in flight, limit " + maxInFlight + ")");
      return;
    }
    SubscriptionIndex index = SubscriptionIndex.lookup(vertx);
    List<Event> stamped = new ArrayList<>(events.size());
    List<Outbox.NewDelivery> deliveries = new ArrayList<>();
    JsonArray assigned = new JsonArray(new ArrayList<>(events.size()));
    for (Event event : events) {
      Event withId = event.stamped(ids.next(), node);
      stamped.add(withId);
      assigned.add(withId.id());
      if (index != null) {
        for (Subscription subscription : index.match(withId)) {
          deliveries.add(Outbox.NewDelivery.of(withId, subscription.id()));
        }
      }
    }
    inFlight += events.size();
    journal(deliveries).onComplete(journaled -> {
      inFlight -= events.size();
      if (journaled.failed()) {
        message.fail(SATURATED, "deliveries could not be journaled: " + journaled.cause().getMessage());
        return;
      }
      for (Event event : stamped) {
        vertx.eventBus().publish(Addresses.EVENTS, event);
      }
      accepted += events.size();
      message.reply(assigned);
    });
  }

  /** Makes the webhook deliveries durable before anything is acknowledged or published. */
  private Future<?> journal(List<Outbox.NewDelivery> deliveries) {
    if (deliveries.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().request(Addresses.OUTBOX_JOURNAL, new JournalRequest(deliveries), journalOptions);
  }

  /** Stops once every batch in flight has been journaled and answered. */
  @Override
  public Future<?> stop() {
    Promise<Void> drained = Promise.promise();
    whenDrained(drained);
    return drained.future();
  }

  private void whenDrained(Promise<Void> drained) {
    if (inFlight == 0) {
      drained.complete();
    } else {
      vertx.setTimer(5, ignored -> whenDrained(drained));
    }
  }

  /** Events accepted since start (for status and tests). */
  public long accepted() {
    return accepted;
  }
}
