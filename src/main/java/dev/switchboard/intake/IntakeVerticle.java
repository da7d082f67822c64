package dev.switchboard.intake;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Codecs;
import dev.switchboard.bus.EventBatch;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventIdGenerator;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The single step every ingest adapter hands events to: gives each event its id and this node's
 * name, then publishes it on {@link Addresses#EVENTS} for every node's websocket clients and this
 * node's fan-out. Refuses work past a bound instead of queueing it, so adapters can answer 503.
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

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    node = config().getString("node_id");
    if (node == null || node.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException("node_id must be set for intake"));
    }
    maxInFlight = config().getJsonObject("intake").getInteger("max_in_flight_events");
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
    inFlight += events.size();
    List<Event> stamped = new ArrayList<>(events.size());
    JsonArray assigned = new JsonArray(new ArrayList<>(events.size()));
    for (Event event : events) {
      Event withId = event.stamped(ids.next(), node);
      stamped.add(withId);
      assigned.add(withId.id());
    }
    for (Event event : stamped) {
      vertx.eventBus().publish(Addresses.EVENTS, event);
    }
    inFlight -= events.size();
    accepted += events.size();
    message.reply(assigned);
  }

  /** Events accepted since start (for status and tests). */
  public long accepted() {
    return accepted;
  }
}
