package dev.switchboard.bus;

import dev.switchboard.event.Event;
import java.util.List;

/** Events handed to intake together: accepted or refused as one. */
public record EventBatch(List<Event> events) {

  /** @param events at least one event */
  public EventBatch {
    events = List.copyOf(events);
  }
}
