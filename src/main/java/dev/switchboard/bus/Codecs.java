package dev.switchboard.bus;

import dev.switchboard.event.Event;
import dev.switchboard.fanout.JournalRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Event bus codecs for the gateway's own message types. Within a node an event travels as the same
 * immutable object (no copy, no re-serialization); between nodes it travels as its JSON text.
 */
public final class Codecs {

  private Codecs() {
  }

  /** Registers the codecs once per Vert.x instance; safe to call again. */
  public static void register(Vertx vertx) {
    EventBus bus = vertx.eventBus();
    try {
      bus.registerDefaultCodec(Event.class, new EventCodec());
      bus.registerDefaultCodec(EventBatch.class, new EventBatchCodec());
      bus.registerDefaultCodec(JournalRequest.class, new LocalOnlyCodec<>("switchboard.journal-request"));
    } catch (IllegalStateException alreadyRegistered) {
      // Several verticles or tests may share one Vert.x instance.
    }
  }

  static final class EventCodec implements MessageCodec<Event, Event> {
    @Override
    public void encodeToWire(Buffer buffer, Event event) {
      byte[] json = event.toJson().getBytes(StandardCharsets.UTF_8);
      buffer.appendInt(json.length).appendBytes(json);
    }

    @Override
    public Event decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return Event.fromJson(buffer.getString(pos + 4, pos + 4 + length, "UTF-8"));
    }

    @Override
    public Event transform(Event event) {
      return event;
    }

    @Override
    public String name() {
      return "switchboard.event";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  static final class EventBatchCodec implements MessageCodec<EventBatch, EventBatch> {
    @Override
    public void encodeToWire(Buffer buffer, EventBatch batch) {
      JsonArray events = new JsonArray();
      batch.events().forEach(event -> events.add(event.toJson()));
      byte[] json = events.encode().getBytes(StandardCharsets.UTF_8);
      buffer.appendInt(json.length).appendBytes(json);
    }

    @Override
    public EventBatch decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      JsonArray texts = new JsonArray(buffer.getString(pos + 4, pos + 4 + length, "UTF-8"));
      List<Event> events = new ArrayList<>(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        events.add(Event.fromJson(texts.getString(i)));
      }
      return new EventBatch(events);
    }

    @Override
    public EventBatch transform(EventBatch batch) {
      return batch;
    }

    @Override
    public String name() {
      return "switchboard.event-batch";
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  /** For messages that never leave their node (sent with {@code setLocalOnly(true)}). */
  static final class LocalOnlyCodec<T> implements MessageCodec<T, T> {
    private final String name;

    LocalOnlyCodec(String name) {
      this.name = name;
    }

    @Override
    public void encodeToWire(Buffer buffer, T message) {
      throw new IllegalStateException(name + " messages are local to a node and never cross the cluster");
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      throw new IllegalStateException(name + " messages are local to a node and never cross the cluster");
    }

    @Override
    public T transform(T message) {
      return message;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
