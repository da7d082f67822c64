package dev.switchboard.intake;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.EventBatch;
import dev.switchboard.event.Event;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * What an ingest adapter calls to hand events over: succeeds with the assigned ids once intake has
 * accepted them (the moment to acknowledge the source), or fails with
 * {@link IntakeUnavailableException} when they were not accepted and the source should retry.
 */
public final class Intake {

  private final Vertx vertx;
  private final DeliveryOptions options;

  /** @param timeoutMillis how long to wait for intake before giving up */
  public Intake(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMillis);
  }

  /** Hands over a batch, all or nothing; the ids come back in the batch's order. */
  public Future<List<String>> submit(List<Event> events) {
    return vertx.eventBus().<JsonArray>request(Addresses.INTAKE, new EventBatch(events), options)
        .recover(failure -> Future.failedFuture(new IntakeUnavailableException(reason(failure), failure)))
        .map(reply -> {
          JsonArray ids = reply.body();
          List<String> list = new ArrayList<>(ids.size());
          for (int i = 0; i < ids.size(); i++) {
            list.add(ids.getString(i));
          }
          return list;
        });
  }

  private static String reason(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      switch (reply.failureType()) {
        case NO_HANDLERS:
          return "intake is not running on this node";
        case TIMEOUT:
          return "intake did not answer in time";
        default:
          return reply.getMessage();
      }
    }
    return String.valueOf(failure.getMessage());
  }
}
