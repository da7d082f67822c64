package dev.switchboard.ingest.sip;

import dev.switchboard.event.Event;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Registration bindings (address of record + contact) learnt from REGISTER and the 2xx that
 * accepts it: {@code registration.registered} for a new binding (a refresh only extends it),
 * {@code registration.unregistered} for {@code Expires: 0} or {@code Contact: *}, and
 * {@code registration.expired} when a binding lapses without a refresh.
 */
final class Registrations {

  private static final int MAX_PENDING = 10_000;
  private static final long DEFAULT_EXPIRES_S = 3600;

  private record Binding(String aor, String contact, long expiresAtMicros, long generation, Event template) {
  }

  private record Expiry(long atMicros, String key, long generation) {
  }

  private final SipTrackerSettings settings;
  private final Consumer<Event> sink;
  private final Map<String, SipPacket> pending = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, SipPacket> eldest) {
      return size() > MAX_PENDING;
    }
  };
  private final LinkedHashMap<String, Binding> bindings = new LinkedHashMap<>();
  private final PriorityQueue<Expiry> expiries = new PriorityQueue<>((a, b) -> Long.compare(a.atMicros, b.atMicros));
  private long generation;

  Registrations(SipTrackerSettings settings, Consumer<Event> sink) {
    this.settings = settings;
    this.sink = sink;
  }

  int size() {
    return bindings.size();
  }

  void handle(SipPacket packet, long nowMicros) {
    SipMessage message = packet.message();
    String key = message.callId() + ' ' + message.cseqNumber();
    if (message.isRequest()) {
      pending.put(key, packet);
      return;
    }
    if (message.statusCode() < 200) {
      return;
    }
    SipPacket request = pending.remove(key);
    if (request == null || message.statusCode() >= 300) {
      // The proxy's second copy of a reply already handled, or a refused registration.
      return;
    }
    accepted(request, message, packet, nowMicros);
  }

  private void accepted(SipPacket requestPacket, SipMessage response, SipPacket responsePacket, long nowMicros) {
    SipMessage request = requestPacket.message();
    NameAddress to = request.to();
    if (to == null) {
      return;
    }
    String aor = to.user() == null ? to.host() : to.user() + "@" + to.host();
    long headerExpires = request.expires();
    for (NameAddress contact : request.contacts()) {
      if (contact.uri().equals("*")) {
        removeAll(aor, requestPacket, responsePacket);
        continue;
      }
      long expires = expires(contact, response, headerExpires);
      String key = aor + '|' + contact.uri();
      Binding existing = bindings.remove(key);
      if (expires == 0) {
        Event event = existing != null ? existing.template : template(requestPacket, aor, contact.uri());
        sink.accept(stamp(event, "unregistered", responsePacket.timestampMicros(), 0).build());
        continue;
      }
      if (existing == null && bindings.size() >= settings.maxRegistrations()) {
        Iterator<Binding> eldest = bindings.values().iterator();
        eldest.next();
        eldest.remove();
      }
      long expiresAt = nowMicros + expires * 1_000_000L;
      Event event = template(requestPacket, aor, contact.uri());
      Binding binding = new Binding(aor, contact.uri(), expiresAt, ++generation, event);
      bindings.put(key, binding);
      expiries.add(new Expiry(expiresAt, key, binding.generation));
      if (existing == null) {
        sink.accept(stamp(event, "registered", responsePacket.timestampMicros(), expires).build());
      }
    }
  }

  void sweep(long nowMicros) {
    Expiry next;
    while ((next = expiries.peek()) != null && next.atMicros <= nowMicros) {
      expiries.poll();
      Binding binding = bindings.get(next.key);
      if (binding != null && binding.generation == next.generation) {
        bindings.remove(next.key);
        sink.accept(stamp(binding.template, "expired", nowMicros, 0).build());
      }
    }
  }

  private void removeAll(String aor, SipPacket requestPacket, SipPacket responsePacket) {
    List<Binding> removed = new ArrayList<>();
    bindings.values().removeIf(binding -> binding.aor.equals(aor) && removed.add(binding));
    if (removed.isEmpty()) {
      removed.add(new Binding(aor, "*", 0, 0, template(requestPacket, aor, "*")));
    }
    for (Binding binding : removed) {
      sink.accept(stamp(binding.template, "unregistered", responsePacket.timestampMicros(), 0).build());
    }
  }

  /** The registrar's word (the 2xx's Contact) wins over what was asked for. */
  private static long expires(NameAddress contact, SipMessage response, long headerExpires) {
    for (NameAddress granted : response.contacts()) {
      if (granted.uri().equals(contact.uri())) {
        Long value = number(granted.parameter("expires"));
        if (value != null) {
          return value;
        }
      }
    }
    Long asked = number(contact.parameter("expires"));
    if (asked != null) {
      return asked;
    }
    if (response.expires() >= 0) {
      return response.expires();
    }
    return headerExpires >= 0 ? headerExpires : DEFAULT_EXPIRES_S;
  }

  private static Long number(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private Event template(SipPacket packet, String aor, String contact) {
    SipMessage message = packet.message();
    NameAddress to = message.to();
    String account = settings.accounts().resolve(new SipEventTracker.MessageFacts(message, packet.captureId()));
    Event.Builder builder = Event.builder("registration", "template")
        .accountId(account)
        .put("source", SipEventTracker.SOURCE)
        .put("aor", aor)
        .put("user", to.user())
        .put("domain", to.host())
        .put("display_name", to.displayName())
        .put("contact", contact)
        .put("user_agent", message.header("User-Agent"))
        .put("call_id", message.callId())
        .put("src", packet.src())
        .put("dst", packet.dst());
    if (packet.captureId() >= 0) {
      builder.put("capture_id", packet.captureId());
    }
    return builder.build();
  }

  private static Event.Builder stamp(Event template, String name, long atMicros, long expires) {
    return Event.builder("registration", name)
        .timestampMicros(atMicros)
        .accountId(template.accountId())
        .putAll(template.fields())
        .put("expires", expires);
  }
}
