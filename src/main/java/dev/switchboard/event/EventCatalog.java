package dev.switchboard.event;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every event type the gateway itself emits, which part of it emits each one, and the fields each
 * emitter sets, with an example value for each: the one source of truth behind
 * {@code GET /v1/event-types}, the README's table and the sample events sent by
 * {@code POST /v1/subscriptions/{id}/test}. Tests replay what every emitter really produces and
 * fail when an event's type or a field is not declared here, or a declared field is never produced.
 * Events posted to {@code /v1/events}, and those of configured {@code jsonrpc.mappings}, may use
 * any other class and name too.
 */
public final class EventCatalog {

  /** The parts of the gateway that emit events of their own. */
  public enum Emitter {
    /** SIP mirrored over HEP (dialog and registration tracking), HEP LOG packets, capture agent health. */
    HEP("hep"),
    /** OpenSIPS notifications ({@code E_...}) over the datagram, JSON-RPC or evapi transports. */
    OPENSIPS("opensips"),
    /** Kamailio notifications (every other method) over the datagram, JSON-RPC or evapi transports. */
    KAMAILIO("kamailio"),
    /** The Kamailio evapi client's link to Kamailio. */
    EVAPI("evapi"),
    /** Webhook fan-out. */
    FANOUT("fanout"),
    /** The websocket feed, to one client. */
    WEBSOCKET("websocket");

    private final String id;

    Emitter(String id) {
      this.id = id;
    }

    /** The name shown by the API and the README, e.g. {@code hep}. */
    public String id() {
      return id;
    }
  }

  /**
   * One field of an event type.
   *
   * @param type the JSON type: {@code string}, {@code integer}, {@code number}, {@code boolean},
   *     {@code object} or {@code array}
   * @param example a JSON value used in the sample; {@code null} leaves an optional field out of it
   * @param sources the emitters that set it; empty when built means every emitter of its type
   * @param optional whether an event may lack it
   * @param nullable whether it may be present with the value {@code null}
   */
  public record Field(String name, String type, String description, Object example, Set<Emitter> sources,
      boolean optional, boolean nullable) {

    /** A field every emitter of the type always sets to a non-null value. */
    public static Field of(String name, String type, String description, Object example) {
      return new Field(name, type, description, example, Set.of(), false, false);
    }

    /** This field, which an event may lack. */
    public Field mayBeAbsent() {
      return new Field(name, type, description, example, sources, true, nullable);
    }

    /** This field, which may be {@code null}. */
    public Field mayBeNull() {
      return new Field(name, type, description, example, sources, optional, true);
    }

    /** This field, set only by these emitters. */
    public Field from(Emitter first, Emitter... more) {
      return new Field(name, type, description, example, Set.copyOf(EnumSet.of(first, more)), optional, nullable);
    }

    /** This field with another example. */
    public Field withExample(Object value) {
      return new Field(name, type, description, value, sources, optional, nullable);
    }

    private Field restrictedTo(Collection<Emitter> emitters) {
      if (sources.isEmpty()) {
        return this;
      }
      Set<Emitter> kept = EnumSet.noneOf(Emitter.class);
      kept.addAll(sources);
      kept.retainAll(emitters);
      return new Field(name, type, description, example, Set.copyOf(kept), optional, nullable);
    }

    private boolean setBy(Collection<Emitter> emitters) {
      return sources.isEmpty() || sources.stream().anyMatch(emitters::contains);
    }
  }

  /**
   * One event type.
   *
   * @param event the event name, or {@code *} when it varies (see {@code variableEvent})
   * @param variableEvent how the name is made when it varies, else {@code null}
   * @param sampleEvent the event name used in samples
   * @param sources the emitters, the first one's fields making the sample
   * @param passthrough the emitters that also pass on every parameter of their notification
   */
  public record EventType(String eventClass, String event, String variableEvent, String sampleEvent,
      List<Emitter> sources, String description, List<Field> fields, Set<Emitter> passthrough) {

    /** Gives fields without sources every source of the type. */
    public EventType {
      List<Field> resolved = new ArrayList<>();
      for (Field field : fields) {
        resolved.add(field.sources().isEmpty() ? new Field(field.name(), field.type(), field.description(),
            field.example(), Set.copyOf(sources), field.optional(), field.nullable()) : field);
      }
      fields = List.copyOf(resolved);
      sources = List.copyOf(sources);
      passthrough = Set.copyOf(passthrough);
    }

    /** {@code class.event}; {@code class.*} when the name varies. */
    public String type() {
      return eventClass + "." + event;
    }

    /** Whether the event name varies. */
    public boolean variable() {
      return variableEvent != null;
    }

    /** The fields this emitter sets. */
    public List<Field> fields(Emitter emitter) {
      return fields.stream().filter(field -> field.sources().contains(emitter)).toList();
    }

    /** A field by name, or {@code null}. */
    public Field field(String name) {
      return fields.stream().filter(field -> field.name().equals(name)).findFirst().orElse(null);
    }

    /** A sample event of this type as its first emitter makes it, built from the fields' examples. */
    public Event sample(String accountId) {
      return sample(sampleEvent, accountId);
    }

    private Event sample(String name, String accountId) {
      Event.Builder builder = Event.builder(eventClass, name).accountId(accountId);
      for (Field field : fields(sources.get(0))) {
        if (field.example() != null) {
          builder.put(field.name(), field.example());
        }
      }
      return builder.build();
    }

    private boolean accepts(Binding binding) {
      return (binding.eventClass() == null || binding.eventClass().equals(eventClass))
          && (variable() || binding.event() == null || binding.event().equals(event));
    }
  }

  /** What the emitters in {@link EventType#passthrough()} add to the declared fields. */
  public static final String PASSTHROUGH = "every parameter of the notification as sent (a name the gateway"
      + " reserves kept as source_NAME; a string account_id assigns the event to that account)";

  private static final Emitter HEP = Emitter.HEP;
  private static final Emitter OPENSIPS = Emitter.OPENSIPS;
  private static final Emitter KAMAILIO = Emitter.KAMAILIO;
  private static final Set<Emitter> NONE = Set.of();

  private static final Field SOURCE = Field.of("source", "string",
      "who reported it: hep (mirrored SIP), opensips or kamailio (their notifications)", "hep");
  private static final Field TRANSPORT = Field.of("transport", "string",
      "how the notification came: datagram, jsonrpc or evapi", "datagram").from(OPENSIPS, KAMAILIO);
  private static final Field SRC = Field.of("src", "string", "ip:port the message came from", "192.0.2.10:5060")
      .from(HEP);
  private static final Field DST = Field.of("dst", "string", "ip:port the message went to", "192.0.2.20:5060")
      .from(HEP);
  private static final Field CAPTURE_ID = Field.of("capture_id", "integer",
      "HEP capture agent id, when HEP carries one", 2001).mayBeAbsent().from(HEP);
  private static final Field CORRELATION_ID = Field.of("correlation_id", "string",
      "HEP correlation id, when HEP carries one (links B2BUA legs)", "a84b4c76e66710@pc33.example.com")
      .mayBeAbsent().from(HEP);
  private static final Field CALL_ID = Field.of("call_id", "string",
      "SIP Call-ID; from a notification, its call_id or callid", "a84b4c76e66710@pc33.example.com").mayBeAbsent();
  private static final List<Field> CALL = List.of(SOURCE, CALL_ID,
      Field.of("from", "string", "caller user part; from a notification, its from, caller, from_user or the user"
          + " of from_uri", "+61390000001").mayBeAbsent().mayBeNull(),
      Field.of("from_name", "string", "caller display name", "Alice").mayBeNull().from(HEP),
      Field.of("to", "string", "callee user part; from a notification, its to, callee, to_user or the user of"
          + " to_uri or ruri", "+61390000002").mayBeAbsent().mayBeNull(),
      Field.of("to_name", "string", "callee display name", "Bob").mayBeNull().from(HEP),
      Field.of("direction", "string", "inbound, outbound or internal, when sip.local_domains and"
          + " sip.local_networks tell", "inbound").mayBeAbsent().from(HEP),
      SRC, DST, CAPTURE_ID, CORRELATION_ID,
      TRANSPORT);
  private static final Field NOTIFIED_SIP_CODE = Field.of("sip_code", "integer",
      "SIP code from the notification's sip_code or the start of its trigger", 200).mayBeAbsent().from(OPENSIPS, KAMAILIO);
  private static final Field PARTY = Field.of("by", "string", "who sent the re-INVITE: caller or callee", "caller")
      .from(HEP);

  private static final List<EventType> TYPES = List.of(
      call("initial", "the initial INVITE of a call; OpenSIPS dialog state 1", List.of(HEP, OPENSIPS),
          NOTIFIED_SIP_CODE),
      call("ringing", "the first 180/183 of a call; OpenSIPS dialog state 2", List.of(HEP, OPENSIPS),
          Field.of("sip_code", "integer", "180 or 183; from a notification, as sent", 180).mayBeAbsent()),
      call("connected", "the 200 OK to the initial INVITE; OpenSIPS dialog state 3 (or 4 straight from 1-2),"
          + " Kamailio dialog.start", List.of(HEP, OPENSIPS, KAMAILIO),
          Field.of("sip_code", "integer", "the 2xx code; from a notification, as sent", 200).mayBeAbsent()),
      call("hold", "a re-INVITE putting the media on hold; OpenSIPS E_CALL_HOLD", List.of(HEP, OPENSIPS),
          PARTY, NOTIFIED_SIP_CODE),
      call("unhold", "a re-INVITE taking the media off hold; OpenSIPS E_CALL_HOLD", List.of(HEP, OPENSIPS),
          PARTY, NOTIFIED_SIP_CODE),
      call("hangup", "the end of an answered call: BYE, or no message for sip.dialog_timeout_s, or the dialog"
          + " table full; OpenSIPS dialog state 5 after 3-4, Kamailio dialog.end", List.of(HEP, OPENSIPS, KAMAILIO),
          Field.of("hangup_by", "string", "who sent the BYE: caller or callee; null when the call timed out or"
              + " was evicted", "caller").mayBeNull().from(HEP),
          Field.of("reason", "string", "bye, timeout or evicted", "bye").from(HEP),
          Field.of("duration", "number", "seconds from the INVITE to the end (millisecond precision)",
              new BigDecimal("65.250"))
              .from(HEP),
          Field.of("billsec", "number", "seconds from the answer to the end (millisecond precision)",
              new BigDecimal("58.500"))
              .from(HEP),
          Field.of("sip_code", "integer", "200; from a notification, as sent", 200).mayBeAbsent()),
      call("missed", "the end of an unanswered call: a final error response, CANCEL, timeout or eviction;"
          + " OpenSIPS dialog state 5 before 3 and E_ACC_MISSED_EVENT, Kamailio dialog.failed",
          List.of(HEP, OPENSIPS, KAMAILIO),
          Field.of("reason", "string", "cancelled, busy (486, 600), no_answer (408, 480), rejected (603), failed"
              + " (other codes), timeout or evicted; from a notification, its own reason, else the one its SIP"
              + " code gives", "no_answer").mayBeAbsent(),
          Field.of("duration", "number", "seconds from the INVITE to the end (millisecond precision)",
              new BigDecimal("30.000"))
              .from(HEP),
          Field.of("sip_code", "integer", "the final SIP code, when there was one", 480).mayBeAbsent(),
          Field.of("sip_reason", "string", "the final reason phrase, when there was one",
              "Temporarily Unavailable").mayBeAbsent().from(HEP)),
      type("call", "cdr", "an accounting record: OpenSIPS E_ACC_CDR, Kamailio acc.cdr (its record unwrapped)",
          List.of(OPENSIPS, KAMAILIO), List.of(SOURCE.withExample("opensips"), CALL_ID,
              Field.of("from", "string", "caller: the record's from, caller, from_user or the user of from_uri",
                  "+61390000001").mayBeAbsent(),
              Field.of("to", "string", "callee: the record's to, callee, to_user or the user of to_uri or ruri",
                  "+61390000002").mayBeAbsent(),
              TRANSPORT, NOTIFIED_SIP_CODE)),
      type("message", "received", "a SIP MESSAGE (each once, although the proxy mirrors it twice)", List.of(HEP),
          List.of(SOURCE, Field.of("call_id", "string", "SIP Call-ID", "b1c2d3@198.51.100.7"),
              Field.of("from", "string", "sender user part", "+61390000001").mayBeNull(),
              Field.of("from_name", "string", "sender display name", "Alice").mayBeNull(),
              Field.of("to", "string", "recipient user part", "+61390000002").mayBeNull(),
              Field.of("to_name", "string", "recipient display name", "Bob").mayBeNull(),
              Field.of("direction", "string", "inbound, outbound or internal, when it can be told", "inbound")
                  .mayBeAbsent(),
              Field.of("content_type", "string", "body content type, without parameters", "text/plain")
                  .mayBeNull(),
              Field.of("body", "string", "the body when textual (text/*, *json, *xml or no type), else null",
                  "hello").mayBeNull(),
              SRC, DST, CAPTURE_ID, CORRELATION_ID)),
      registration("registered", "a new binding: a REGISTER accepted by a 2xx (a refresh gives none); OpenSIPS"
          + " E_UL_CONTACT_INSERT", List.of(HEP, OPENSIPS), "lifetime the registrar granted, in seconds", 3600),
      registration("unregistered", "a binding removed by REGISTER with expires 0 or Contact *; OpenSIPS"
          + " E_UL_CONTACT_DELETE", List.of(HEP, OPENSIPS), "0", 0),
      registration("expired", "a binding that lapsed without a refresh", List.of(HEP), "0", 0),
      new EventType("log", "*", "the event of the JSON payload when it is a valid event name (Kamailio hlog"
          + " of a dialog event gives dialog.start), else message", "dialog.start", List.of(HEP),
          "a HEP LOG packet (type 100, e.g. Kamailio hlog)", List.of(
              CAPTURE_ID, CORRELATION_ID,
              Field.of("src", "string", "ip:port of the logging node", "192.0.2.10:5060"),
              Field.of("dst", "string", "ip:port in the packet", "192.0.2.20:9060"),
              Field.of("data", "object", "the payload, when it is a JSON object",
                  Map.of("event", "dialog.start", "trigger", "200 OK")).mayBeAbsent(),
              Field.of("text", "string", "the payload as text, when it is not a JSON object", null).mayBeAbsent()),
          NONE),
      passThrough(OPENSIPS, "the notification's method in lower case (other characters as _)",
          "e_script_report", "an OpenSIPS notification with no built-in or configured mapping"),
      passThrough(KAMAILIO, "the notification's method (or a plain object's event) in lower case (other"
          + " characters as _)", "acc.tx", "a Kamailio notification with no built-in or configured mapping"),
      source("source_up", "a capture agent (capture id and sending address) started sending", List.of()),
      source("source_down", "a capture agent has been silent for hep.source_silence_s", List.of(
          Field.of("silent_s", "integer", "seconds since its last packet", 60))),
      link("link_up", "the evapi client connected to Kamailio"),
      link("link_down", "the evapi client's connection to Kamailio dropped (it reconnects with backoff)"),
      type("system", "events_dropped", "sent to one websocket client that read too slowly, once it reads again,"
          + " about the events it missed", List.of(Emitter.WEBSOCKET), List.of(
              Field.of("dropped", "integer", "events missed since the last notice", 12),
              Field.of("dropped_total", "integer", "events missed on this connection", 40))),
      type("subscription", "disabled", "a subscription was disabled after repeated delivery failures or a 410"
          + " (in its account)", List.of(Emitter.FANOUT), List.of(
              Field.of("subscription_id", "string", "the subscription", "sub_0190b8c7-4a36-7d2e-9a1f-2c5e8b7d6f01"),
              Field.of("name", "string", "its name, when it has one", "CRM").mayBeAbsent(),
              Field.of("reason", "string", "why", "20 consecutive failed attempts over 10 minutes"))));

  private EventCatalog() {
  }

  /** Every type, in catalogue order. */
  public static List<EventType> all() {
    return TYPES;
  }

  /**
   * The catalogued type of an event of this class and name from this emitter: the fixed one, else
   * the class's variable one; {@code null} when there is none.
   */
  public static EventType find(String eventClass, String event, Emitter emitter) {
    EventType variable = null;
    for (EventType type : TYPES) {
      if (type.eventClass().equals(eventClass) && type.sources().contains(emitter)) {
        if (type.event().equals(event)) {
          return type;
        }
        if (type.variable() && variable == null) {
          variable = type;
        }
      }
    }
    return variable;
  }

  /**
   * A sample event for a binding: of its first catalogued fixed type, else of its class's variable
   * type (named as the binding names it), else a generic test event.
   */
  public static Event sample(Binding binding, String accountId) {
    for (EventType type : TYPES) {
      if (!type.variable() && type.accepts(binding)) {
        return type.sample(accountId);
      }
    }
    for (EventType type : TYPES) {
      if (type.variable() && type.accepts(binding)) {
        return type.sample(binding.event() == null ? type.sampleEvent() : binding.event(), accountId);
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
      entry.put("sources", ids(field.sources()));
      entry.put("optional", field.optional());
      entry.put("nullable", field.nullable());
      fields.add(entry);
    }
    return fields;
  }

  /** The emitters' names in catalogue order, e.g. {@code ["hep", "opensips"]}. */
  public static List<String> ids(Collection<Emitter> emitters) {
    return emitters.stream().sorted().map(Emitter::id).toList();
  }

  private static EventType type(String eventClass, String event, String description, List<Emitter> sources,
      List<Field> all) {
    List<Field> fields = all.stream().filter(field -> field.setBy(sources)).map(field -> field.restrictedTo(sources))
        .toList();
    Set<Emitter> passthrough = EnumSet.noneOf(Emitter.class);
    passthrough.addAll(sources);
    passthrough.retainAll(EnumSet.of(OPENSIPS, KAMAILIO));
    return new EventType(eventClass, event, null, event, sources, description, fields, passthrough);
  }

  private static EventType call(String event, String description, List<Emitter> sources, Field... more) {
    List<Field> fields = new ArrayList<>(CALL);
    fields.addAll(List.of(more));
    return type("call", event, description, sources, fields);
  }

  private static EventType registration(String event, String description, List<Emitter> sources,
      String expires, long example) {
    List<Field> fields = new ArrayList<>(List.of(SOURCE,
        Field.of("call_id", "string", "SIP Call-ID of the REGISTER; from a notification, its call_id or callid",
            "reg-7f3a@198.51.100.7").mayBeAbsent(),
        Field.of("aor", "string", "address of record: user@domain of the To", "+61390000001@example.com").from(HEP),
        Field.of("user", "string", "user part of the To", "+61390000001").mayBeNull().from(HEP),
        Field.of("domain", "string", "domain of the To", "example.com").from(HEP),
        Field.of("display_name", "string", "display name of the To", "Desk 200").mayBeNull().from(HEP),
        Field.of("contact", "string", "the binding's contact URI (* when all were removed); from a notification,"
            + " its contact or uri", "sip:+61390000001@198.51.100.7:5060").mayBeAbsent(),
        Field.of("user_agent", "string", "the User-Agent of the REGISTER", "Yealink SIP-T46U").mayBeNull().from(HEP),
        Field.of("expires", "integer", expires, example).from(HEP),
        Field.of("src", "string", "ip:port the REGISTER came from", "198.51.100.7:5060").from(HEP),
        Field.of("dst", "string", "ip:port the REGISTER went to", "192.0.2.20:5060").from(HEP),
        CAPTURE_ID));
    if (sources.contains(OPENSIPS)) {
      fields.add(TRANSPORT.from(OPENSIPS));
    }
    return type("registration", event, description, sources, fields);
  }

  private static EventType passThrough(Emitter emitter, String variableEvent, String sampleEvent,
      String description) {
    return new EventType(emitter.id(), "*", variableEvent, sampleEvent, List.of(emitter), description, List.of(
        SOURCE.withExample(emitter.id()).from(emitter), TRANSPORT.from(emitter)), Set.of(emitter));
  }

  private static EventType source(String event, String description, List<Field> more) {
    List<Field> fields = new ArrayList<>(List.of(SOURCE,
        Field.of("capture_id", "integer", "HEP capture agent id; null when the packets carry none", 2001).mayBeNull(),
        Field.of("address", "string", "the agent's sending IP address", "192.0.2.10"),
        Field.of("transport", "string", "udp or tcp", "udp")));
    fields.addAll(more);
    return type("system", event, description, List.of(HEP), fields);
  }

  private static EventType link(String event, String description) {
    return type("system", event, description, List.of(Emitter.EVAPI), List.of(
        Field.of("link", "string", "evapi", "evapi"),
        Field.of("peer", "string", "the Kamailio evapi host:port", "127.0.0.1:8448")));
  }
}
