package dev.switchboard.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every event type the gateway itself emits, with its fields and an example value for each: the
 * one source of truth behind {@code GET /v1/event-types} and the sample events sent by
 * {@code POST /v1/subscriptions/{id}/test}. An ingest adapter or capability that emits a new type
 * adds its entry here. Events posted to {@code /v1/events} may use any other class and name too.
 */
public final class EventCatalog {

  /** One field of an event type. {@code example} is a JSON value used in the sample. */
  public record Field(String name, String type, String description, Object example) {
  }

  /** One event type. */
  public record EventType(String eventClass, String event, String source, String description, List<Field> fields) {

    /** {@code class.event}. */
    public String type() {
      return eventClass + "." + event;
    }

    /** A sample event of this type built from the fields' examples. */
    public Event sample(String accountId) {
      Event.Builder builder = Event.builder(eventClass, event).accountId(accountId);
      for (Field field : fields) {
        builder.put(field.name(), field.example());
      }
      return builder.build();
    }
  }

  private static final List<Field> CALL = List.of(
      new Field("call_id", "string", "SIP Call-ID of the dialog", "a84b4c76e66710@pc33.example.com"),
      new Field("from", "string", "caller user part", "+61390000001"),
      new Field("from_name", "string", "caller display name", "Alice"),
      new Field("to", "string", "callee user part", "+61390000002"),
      new Field("to_name", "string", "callee display name", "Bob"),
      new Field("direction", "string", "inbound or outbound, when it can be told", "inbound"),
      new Field("src", "string", "source ip:port", "192.0.2.10:5060"),
      new Field("dst", "string", "destination ip:port", "192.0.2.20:5060"),
      new Field("capture_id", "integer", "HEP capture agent id", 2001));
  private static final Field SIP_CODE = new Field("sip_code", "integer", "final SIP response code", 200);

  private static final List<EventType> TYPES = List.of(
      sip("call", "initial", "initial INVITE of a call", CALL),
      sip("call", "ringing", "first 180/183 of a call", CALL),
      sip("call", "connected", "200 OK to the initial INVITE", CALL),
      sip("call", "hold", "re-INVITE putting the media on hold", CALL),
      sip("call", "unhold", "re-INVITE taking the media off hold", CALL),
      sip("call", "hangup", "end of an answered call", with(CALL,
          new Field("hangup_by", "string", "caller or callee", "caller"),
          new Field("duration", "integer", "seconds from INVITE to end", 65),
          new Field("billsec", "integer", "seconds from answer to end", 58), SIP_CODE)),
      sip("call", "missed", "end of an unanswered call", with(CALL,
          new Field("reason", "string", "cancelled, busy, no_answer, rejected, failed or timeout", "no_answer"),
          new Field("sip_code", "integer", "final SIP response code", 480),
          new Field("sip_reason", "string", "final SIP reason phrase", "Temporarily Unavailable"))),
      sip("message", "received", "SIP MESSAGE", List.of(
          new Field("from", "string", "sender user part", "+61390000001"),
          new Field("to", "string", "recipient user part", "+61390000002"),
          new Field("content_type", "string", "body content type", "text/plain"),
          new Field("body", "string", "text body when textual", "hello"))),
      sip("registration", "registered", "REGISTER accepted", registration()),
      sip("registration", "unregistered", "REGISTER removing a binding", registration()),
      sip("registration", "expired", "a binding lapsed without refresh", registration()),
      new EventType("system", "source_up", "ingest", "a capture agent started sending", source()),
      new EventType("system", "source_down", "ingest", "a capture agent has been silent too long", source()),
      new EventType("system", "events_dropped", "websocket", "sent to a websocket client that missed events"
          + " by reading too slowly (to that client only)", List.of(
              new Field("dropped", "integer", "events missed since the last notice", 12),
              new Field("dropped_total", "integer", "events missed on this connection", 40))),
      new EventType("subscription", "disabled", "fanout", "a subscription was disabled after repeated"
          + " delivery failures or a 410", List.of(
              new Field("subscription_id", "string", "the subscription", "sub_0190b8c7-4a36-7d2e-9a1f-2c5e8b7d6f01"),
              new Field("reason", "string", "why", "20 consecutive failures over 10 minutes"))));

  private EventCatalog() {
  }

  /** Every type, in catalogue order. */
  public static List<EventType> all() {
    return TYPES;
  }

  /** A sample event for a binding: its first catalogued type, else a generic test event. */
  public static Event sample(Binding binding, String accountId) {
    for (EventType type : TYPES) {
      if (binding.matches(type.eventClass(), type.event())) {
        return type.sample(accountId);
      }
    }
    String eventClass = binding.eventClass() == null ? "test" : binding.eventClass();
    String event = binding.event() == null ? "sample" : binding.event();
    return Event.builder(eventClass, event).accountId(accountId).build();
  }

  /** The field list as JSON-ready maps, for the API. */
  public static List<Map<String, Object>> describe(EventType type) {
    List<Map<String, Object>> fields = new ArrayList<>();
    for (Field field : type.fields()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", field.name());
      entry.put("type", field.type());
      entry.put("description", field.description());
      fields.add(entry);
    }
    return fields;
  }

  private static EventType sip(String eventClass, String event, String description, List<Field> fields) {
    return new EventType(eventClass, event, "sip", description, fields);
  }

  private static List<Field> with(List<Field> base, Field... more) {
    List<Field> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return List.copyOf(all);
  }

  private static List<Field> registration() {
    return List.of(
        new Field("aor", "string", "address of record", "sip:+61390000001@example.com"),
        new Field("contact", "string", "contact URI", "sip:+61390000001@198.51.100.7:5060"),
        new Field("expires", "integer", "binding lifetime in seconds", 3600),
        new Field("user_agent", "string", "the registering device", "Yealink SIP-T46U"));
  }

  private static List<Field> source() {
    return List.of(
        new Field("capture_id", "integer", "HEP capture agent id", 2001),
        new Field("source", "string", "the agent's address", "192.0.2.10"));
  }
}
