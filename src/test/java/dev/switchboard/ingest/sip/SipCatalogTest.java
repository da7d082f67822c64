package dev.switchboard.ingest.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventCatalog.Emitter;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What the SIP tracker emits, from the real captures and from synthetic flows of every lifecycle,
 * held against the event catalogue both ways: nothing emitted undeclared, nothing declared unseen.
 */
class SipCatalogTest {

  private static final String REGISTER = "REGISTER sip:pbx.example.com SIP/2.0\r\nFrom: <sip:200@pbx.example.com>;tag=r1\r\n"
      + "To: %s\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\nContact: %s\r\n%sContent-Length: 0\r\n\r\n";
  private static final String REGISTER_OK = "SIP/2.0 200 OK\r\nFrom: <sip:200@pbx.example.com>;tag=r1\r\n"
      + "To: <sip:200@pbx.example.com>;tag=x\r\nCall-ID: %s\r\nCSeq: %d REGISTER\r\n%sContent-Length: 0\r\n\r\n";

  private final List<Event> events = new ArrayList<>();
  private final SipEventTracker tracker = new SipEventTracker(SipEventTrackerTest.settings(20, new JsonArray()),
      events::add);

  private void replay(SipFlow flow, String correlationId) {
    for (SipPacket packet : flow.packets) {
      SipPacket sent = correlationId == null ? packet : new SipPacket(packet.message(), packet.timestampMicros(),
          packet.srcIp(), packet.src(), packet.dst(), packet.captureId(), correlationId);
      tracker.accept(sent, sent.timestampMicros());
    }
    tracker.drain();
  }

  private void calls() {
    replay(new SipFlow("answered@test").invite().response(100, "Trying", 1, "INVITE")
        .after(100).response(180, "Ringing", 1, "INVITE").after(2_000).response(200, "OK", 1, "INVITE").ack(1)
        .after(5_000).bye(2, false).response(200, "OK", 2, "BYE"), "b2bua-leg-1");
    replay(new SipFlow("early-media@test", "<sip:+15550001@carrier.example>", "\"Sales\" <sip:sales@pbx.example.com>")
        .invite().after(50).response(183, "Session Progress", 1, "INVITE")
        .after(1_000).response(200, "OK", 1, "INVITE").after(1_000).bye(2, true), null);
    replay(new SipFlow("hold@test", "\"Alice\" <sip:alice@pbx.example.com>", "\"Bob\" <sip:bob@pbx.example.com>")
        .invite().after(10).response(200, "OK", 1, "INVITE").ack(1)
        .after(1_000).reInvite(2, SipFlow.HOLD_SDP, false).response(200, "OK", 2, "INVITE")
        .after(1_000).reInvite(3, SipFlow.ACTIVE_SDP, true).response(200, "OK", 3, "INVITE")
        .after(1_000).bye(4, true), "hold-leg");
    int n = 0;
    for (int code : List.of(486, 600, 480, 408, 603, 503)) {
      replay(new SipFlow("missed-" + code + "@test", "<sip:alice@pbx.example.com>", "\"Bob\" <sip:bob@pbx.example.com>")
          .invite().after(50).response(180, "Ringing", 1, "INVITE")
          .after(3_000).response(code, "Reason " + code, 1, "INVITE").ack(1), "leg-" + n++);
    }
    replay(new SipFlow("cancel@test").invite().after(50).response(180, "Ringing", 1, "INVITE")
        .after(4_000).cancel().response(200, "OK", 1, "CANCEL").response(487, "Request Terminated", 1, "INVITE"), null);
    replay(new SipFlow("bye-before-answer@test", "<sip:pbx.example.com>", "<sip:+15551234@pbx.example.com>").invite()
        .after(50).bye(2, true), null);
    replay(new SipFlow("ringing-forever@test").invite().response(180, "Ringing", 1, "INVITE"), null);
    replay(new SipFlow("talking-forever@test").invite().response(200, "OK", 1, "INVITE"), null);
    tracker.tick(new SipFlow("x").clockMicros + 4_000_000_000L);

  }

  private void messages() {
    SipFlow flow = new SipFlow("im@test");
    flow.once("MESSAGE sip:bob@pbx.example.com SIP/2.0\r\nFrom: \"Alice\" <sip:alice@pbx.example.com>;tag=1\r\n"
        + "To: \"Bob\" <sip:bob@pbx.example.com>\r\nCall-ID: im@test\r\nCSeq: 1 MESSAGE\r\n"
        + "Content-Type: text/plain;charset=utf-8\r\nContent-Length: 5\r\n\r\nhello");
    flow.once("MESSAGE sip:bob@pbx.example.com SIP/2.0\r\nFrom: <sip:alice@pbx.example.com>;tag=1\r\n"
        + "To: <sip:bob@pbx.example.com>\r\nCall-ID: im@test\r\nCSeq: 2 MESSAGE\r\n"
        + "Content-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nabc");
    flow.once("MESSAGE sip:bob@pbx.example.com SIP/2.0\r\nFrom: <sip:alice@elsewhere.example>;tag=1\r\n"
        + "To: <sip:bob@faraway.example>\r\nCall-ID: im@test\r\nCSeq: 3 MESSAGE\r\nContent-Length: 0\r\n\r\n");
    replay(flow, "im-correlation");
  }

  private void registrations() {
    SipFlow flow = new SipFlow("reg@test");
    String to = "\"Desk 200\" <sip:200@pbx.example.com>";
    flow.once(REGISTER.formatted(to, "reg@test", 1, "<sip:200@10.0.0.5:5062>", "User-Agent: Yealink T46\r\n"));
    flow.once(REGISTER_OK.formatted("reg@test", 1, "Contact: <sip:200@10.0.0.5:5062>;expires=60\r\n"));
    flow.once(REGISTER.formatted("<sip:pbx.example.com>", "reg2@test", 1, "<sip:10.0.0.6>;expires=30", ""));
    flow.once(REGISTER_OK.formatted("reg2@test", 1, ""));
    flow.once(REGISTER.formatted("<sip:pbx.example.com>", "reg2@test", 2, "<sip:10.0.0.6>;expires=0", ""));
    flow.once(REGISTER_OK.formatted("reg2@test", 2, ""));
    flow.once(REGISTER.formatted(to.replace("200", "201"), "reg3@test", 1, "*", "Expires: 0\r\nUser-Agent: Snom\r\n"));
    flow.once(REGISTER_OK.formatted("reg3@test", 1, ""));
    replay(flow, null);
    tracker.tick(flow.clockMicros + 10_000_000_000L);
  }

  @Test
  void everyEventTheTrackerEmitsIsCataloguedAndEveryCataloguedFieldIsEmitted() throws Exception {
    CatalogCheck check = new CatalogCheck();
    for (Event event : CaptureReplayTest.replay("interop-20calls/hep.raw", 50)) {
      check.check(event, Emitter.HEP);
    }
    for (Event event : CaptureReplayTest.replay("burst-200calls/hep.raw.gz", 100)) {
      check.check(event, Emitter.HEP);
    }
    calls();
    messages();
    registrations();
    Set<String> types = new TreeSet<>();
    Set<Object> reasons = new TreeSet<>();
    for (Event event : events) {
      check.check(event, Emitter.HEP);
      types.add(event.type());
      if (event.eventClass().equals("call") && event.get("reason") != null) {
        reasons.add(event.type() + " " + event.get("reason"));
      }
    }
    assertEquals(Set.of("call.initial", "call.ringing", "call.connected", "call.hold", "call.unhold", "call.hangup",
        "call.missed", "message.received", "registration.registered", "registration.unregistered",
        "registration.expired"), types);
    assertEquals(Set.of("call.hangup bye", "call.hangup timeout", "call.missed busy", "call.missed cancelled",
        "call.missed failed", "call.missed no_answer", "call.missed rejected", "call.missed timeout"), reasons);
    assertTrue(events.stream().anyMatch(e -> e.get("body") == null && e.type().equals("message.received")));
    check.assertEverythingSeen(Emitter.HEP, "call", "message", "registration");
  }

  @Test
  void evictedCallsAreCataloguedToo() {
    List<Event> evicted = new ArrayList<>();
    SipEventTracker small = new SipEventTracker(new SipTrackerSettings(0, 1, 60_000_000L, 3_600_000_000L, 32_000_000L,
        10, Set.of(), dev.switchboard.net.CidrSet.parse(List.of()), AccountRules.none()), evicted::add);
    for (SipFlow flow : List.of(new SipFlow("a@test").invite().response(200, "OK", 1, "INVITE"),
        new SipFlow("b@test").invite(), new SipFlow("c@test").invite())) {
      flow.packets.forEach(packet -> small.accept(packet, packet.timestampMicros()));
      small.drain();
    }
    CatalogCheck check = new CatalogCheck();
    evicted.forEach(event -> check.check(event, Emitter.HEP));
    assertEquals(List.of("call.initial", "call.connected", "call.hangup", "call.initial", "call.missed",
        "call.initial"), evicted.stream().map(Event::type).toList());
    assertEquals("evicted", evicted.get(2).get("reason"));
    assertEquals("evicted", evicted.get(4).get("reason"));
  }
}
