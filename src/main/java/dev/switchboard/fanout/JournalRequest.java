package dev.switchboard.fanout;

import java.util.List;

/** What intake asks the fan-out to journal before it acknowledges a batch (local to a node). */
public record JournalRequest(List<Outbox.NewDelivery> deliveries) {

  /** @param deliveries at least one */
  public JournalRequest {
    deliveries = List.copyOf(deliveries);
  }
}
