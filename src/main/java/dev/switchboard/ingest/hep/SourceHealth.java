package dev.switchboard.ingest.hep;

import dev.switchboard.event.Event;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Consumer;

/**
 * Which capture agents (capture id and sending address) are reporting: {@code system.source_up}
 * when one starts sending, {@code system.source_down} when it has been silent past the limit.
 * Bounded: agents beyond the limit are not tracked. Use from one thread.
 */
final class SourceHealth {

  private static final class Agent {
    final long captureId;
    final String address;
    final String transport;
    long lastSeenMicros;

    Agent(long captureId, String address, String transport) {
      this.captureId = captureId;
      this.address = address;
      this.transport = transport;
    }
  }

  private final LinkedHashMap<String, Agent> agents = new LinkedHashMap<>(16, 0.75f, true);
  private final long silenceMicros;
  private final int limit;
  private final Consumer<Event> sink;

  SourceHealth(long silenceMicros, int limit, Consumer<Event> sink) {
    this.silenceMicros = silenceMicros;
    this.limit = limit;
    this.sink = sink;
  }

  /** Notes a packet from an agent. */
  void seen(long captureId, String address, String transport, long nowMicros) {
    String key = captureId + "@" + address;
    Agent agent = agents.get(key);
    if (agent == null) {
      if (agents.size() >= limit) {
        return;
      }
      agent = new Agent(captureId, address, transport);
      agents.put(key, agent);
      sink.accept(event("source_up", agent, nowMicros).build());
    }
    agent.lastSeenMicros = nowMicros;
  }

  /** Reports and forgets agents silent past the limit. */
  void sweep(long nowMicros) {
    Iterator<Agent> leastRecentFirst = agents.values().iterator();
    while (leastRecentFirst.hasNext()) {
      Agent agent = leastRecentFirst.next();
      long silent = nowMicros - agent.lastSeenMicros;
      if (silent < silenceMicros) {
        return;
      }
      leastRecentFirst.remove();
      sink.accept(event("source_down", agent, nowMicros)
          .put("silent_s", silent / 1_000_000L)
          .build());
    }
  }

  int size() {
    return agents.size();
  }

  private static Event.Builder event(String name, Agent agent, long nowMicros) {
    return Event.builder("system", name)
        .timestampMicros(nowMicros)
        .put("source", "hep")
        .put("capture_id", agent.captureId >= 0 ? agent.captureId : null)
        .put("address", agent.address)
        .put("transport", agent.transport);
  }
}
