package dev.switchboard.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One normalized event: {@code class}, {@code event}, {@code timestamp} (Unix microseconds), an
 * {@code id} and the {@code node} that accepted it once intake has stamped it, an optional
 * {@code account_id}, and any other fields exactly as they came.
 *
 * <p>Immutable. Its JSON text is made once and shared by every websocket client and webhook that
 * sends it.
 */
public final class Event {

  /** Field names the gateway gives meaning to; every other name belongs to the event's source. */
  public static final Set<String> RESERVED = Set.of("class", "event", "timestamp", "id", "account_id", "node");

  private final String eventClass;
  private final String event;
  private final long timestampMicros;
  private final String id;
  private final String node;
  private final String accountId;
  private final Map<String, Object> fields;
  private volatile String json;

  private Event(String eventClass, String event, long timestampMicros, String id, String node, String accountId,
      Map<String, Object> fields) {
    this.eventClass = Objects.requireNonNull(eventClass, "class");
    this.event = Objects.requireNonNull(event, "event");
    this.timestampMicros = timestampMicros;
    this.id = id;
    this.node = node;
    this.accountId = accountId;
    this.fields = fields;
  }

  /** Starts an event of this class and name, timestamped now. */
  public static Builder builder(String eventClass, String event) {
    return new Builder(eventClass, event);
  }

  /** The event's class, e.g. {@code call}. */
  public String eventClass() {
    return eventClass;
  }

  /** The event's name within its class, e.g. {@code ringing}. */
  public String event() {
    return event;
  }

  /** {@code class.event}, e.g. {@code call.ringing}. */
  public String type() {
    return eventClass + "." + event;
  }

  /** When it happened, in microseconds since the Unix epoch. */
  public long timestampMicros() {
    return timestampMicros;
  }

  /** The id intake gave it (a UUIDv7), or {@code null} before intake. */
  public String id() {
    return id;
  }

  /** The gateway node that accepted it, or {@code null} before intake. */
  public String node() {
    return node;
  }

  /** The account it belongs to, or {@code null} for a system-level event. */
  public String accountId() {
    return accountId;
  }

  /** Every field other than the reserved ones, in the order they came; read-only. */
  public Map<String, Object> fields() {
    return fields;
  }

  /** A field by name, reserved ones included (the timestamp as its six-decimal text). */
  public Object get(String name) {
    switch (name) {
      case "class":
        return eventClass;
      case "event":
        return event;
      case "timestamp":
        return Timestamps.format(timestampMicros);
      case "id":
        return id;
      case "node":
        return node;
      case "account_id":
        return accountId;
      default:
        return fields.get(name);
    }
  }

  /** This event with its id and accepting node set; the fields are shared, not copied. */
  public Event stamped(String id, String node) {
    return new Event(eventClass, event, timestampMicros, id, node, accountId, fields);
  }

  /** This event assigned to an account ({@code null}: system-level); the fields are shared. */
  public Event withAccount(String accountId) {
    return new Event(eventClass, event, timestampMicros, id, node, accountId, fields);
  }

  /** The event as one JSON object, made on first use and cached. */
  public String toJson() {
    String text = json;
    if (text == null) {
      text = EventJson.write(this);
      json = text;
    }
    return text;
  }

  /**
   * The event as a Vert.x {@code JsonObject}, to embed in an API reply. Numbers stay exact: the
   * timestamp keeps its six decimals (a {@code Double} would print {@code 1.7E9}).
   */
  public io.vertx.core.json.JsonObject toJsonObject() {
    try {
      return new io.vertx.core.json.JsonObject(EventJson.parseObject(toJson()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Reads an event written by {@link #toJson()} (across the cluster, from the outbox); the text is
   * kept as the event's JSON, so it is not written again.
   */
  public static Event fromJson(String json) {
    Event event = EventJson.read(json);
    event.json = json;
    return event;
  }

  @Override
  public String toString() {
    return toJson();
  }

  /** Builds an {@link Event}. Not thread-safe; build once, then share the event. */
  public static final class Builder {
    private final String eventClass;
    private final String event;
    private long timestampMicros;
    private String id;
    private String node;
    private String accountId;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Builder(String eventClass, String event) {
      this.eventClass = eventClass;
      this.event = event;
      this.timestampMicros = Timestamps.nowMicros();
    }

    /** When it happened, in microseconds since the Unix epoch. */
    public Builder timestampMicros(long micros) {
      this.timestampMicros = micros;
      return this;
    }

    /** The owning account; {@code null} for system-level. */
    public Builder accountId(String accountId) {
      this.accountId = accountId;
      return this;
    }

    Builder id(String id) {
      this.id = id;
      return this;
    }

    Builder node(String node) {
      this.node = node;
      return this;
    }

    /**
     * Adds a field. Values are JSON values: {@code String}, {@code Number}, {@code Boolean},
     * {@code null}, {@code Map<String, ?>} and {@code List<?>} of the same.
     *
     * @throws IllegalArgumentException for a reserved name
     */
    public Builder put(String name, Object value) {
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("'" + name + "' is reserved; use the builder's own setter");
      }
      fields.put(name, value);
      return this;
    }

    /** Adds the field only when the value is not {@code null}. */
    public Builder putIfPresent(String name, Object value) {
      return value == null ? this : put(name, value);
    }

    /** Adds every field of the map (none may be reserved). */
    public Builder putAll(Map<String, ?> more) {
      more.forEach(this::put);
      return this;
    }

    /** The event. */
    public Event build() {
      return new Event(eventClass, event, timestampMicros, id, node, accountId,
          Collections.unmodifiableMap(new LinkedHashMap<>(fields)));
    }
  }
}
