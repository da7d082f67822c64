package dev.switchboard.ingest.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.event.Event;
import dev.switchboard.net.CidrSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Call, message and registration lifecycles from synthetic proxy traffic (both copies of every message). */
class SipEventTrackerTest {

  private final List<Event> events = new ArrayList<>();

  static SipTrackerSettings settings(long windowMs, JsonArray accounts) {
    return new SipTrackerSettings(windowMs * 1_000, 1_000, 60_000_000L, 3_600_000_000L, 32_000_000L, 1_000,
        Set.of("pbx.example.com"), CidrSet.parse(List.of("10.0.0.0/24")), AccountRules.parse(accounts));
  }

  private SipEventTracker tracker() {
    return new SipEventTracker(settings(20, new JsonArray()), events::add);
  }

  /** Feeds packets as they would arrive (arrival = capture time) and lets the window pass. */
  private void replay(SipEventTracker tracker, List<SipPacket> packets) {
    for (SipPacket packet : packets) {
      tracker.accept(packet, packet.timestampMicros());
    }
    tracker.drain();
  }

  private List<String> types() {
    return events.stream().map(Event::type).toList();
  }

  @Test
  void answeredCallGivesEachEventOnceFromBothProxyCopies() {
    SipFlow flow = new SipFlow("answered@test").invite().response(100, "Trying", 1, "INVITE")
        .after(100).response(180, "Ringing", 1, "INVITE")
        .after(2_000).response(200, "OK", 1, "INVITE").ack(1)
        .after(61_500).bye(2, false).response(200, "OK", 2, "BYE");
    replay(tracker(), flow.packets);

    assertEquals(List.of("call.initial", "call.ringing", "call.connected", "call.hangup"), types());
    Event initial = events.get(0);
    assertEquals("answered@test", initial.get("call_id"));
    assertEquals("alice", initial.get("from"));
    assertEquals("Alice Smith", initial.get("from_name"));
    assertEquals("+15551234", initial.get("to"));
    assertNull(initial.get("to_name"));
    assertEquals("internal", initial.get("direction"));
    assertEquals("10.0.0.1:5060", initial.get("src"));
    assertEquals("10.0.0.9:5060", initial.get("dst"));
    assertEquals(7L, initial.get("capture_id"));
    assertEquals(180, events.get(1).get("sip_code"));
    assertEquals(200, events.get(2).get("sip_code"));
    Event hangup = events.get(3);
    assertEquals("callee", hangup.get("hangup_by"));
    assertEquals(new BigDecimal("63.600"), hangup.get("duration"));
    assertEquals(new BigDecimal("61.500"), hangup.get("billsec"));
    assertEquals(200, hangup.get("sip_code"));
    assertTrue(events.get(0).timestampMicros() < events.get(3).timestampMicros());
  }

  @Test
  void holdAndUnholdFromReInvitesOnlyWhenTheMediaStateChanges() {
    SipFlow flow = new SipFlow("hold@test").invite().after(10).response(200, "OK", 1, "INVITE").ack(1)
        .after(1_000).reInvite(2, SipFlow.HOLD_SDP, true).response(200, "OK", 2, "INVITE")
        .after(1_000).reInvite(3, SipFlow.HOLD_SDP, true).response(200, "OK", 3, "INVITE")
        .after(1_000).reInvite(4, SipFlow.ACTIVE_SDP, true).response(200, "OK", 4, "INVITE")
        .after(1_000).reInvite(5, SipFlow.ACTIVE_SDP, false)
        .after(1_000).bye(6, true);
    replay(tracker(), flow.packets);

    assertEquals(List.of("call.initial", "call.connected", "call.hold", "call.unhold", "call.hangup"), types());
    assertEquals("caller", events.get(2).get("by"));
    assertEquals("caller", events.get(4).get("hangup_by"));
  }

  @Test
  void unansweredCallsEndAsMissedWithTheirReason() {
    record Case(int code, String reason, String expected) {
    }
    List<Case> cases = List.of(new Case(486, "Busy Here", "busy"), new Case(600, "Busy Everywhere", "busy"),
        new Case(480, "Temporarily Unavailable", "no_answer"), new Case(408, "Request Timeout", "no_answer"),
        new Case(603, "Decline", "rejected"), new Case(503, "Service Unavailable", "failed"));
    for (Case c : cases) {
      events.clear();
      SipFlow flow = new SipFlow("missed-" + c.code + "@test").invite().after(50).response(180, "Ringing", 1, "INVITE")
          .after(3_000).response(c.code, c.reason, 1, "INVITE").ack(1);
      replay(tracker(), flow.packets);
      assertEquals(List.of("call.initial", "call.ringing", "call.missed"), types(), "for " + c.code);
      Event missed = events.get(2);
      assertEquals(c.expected, missed.get("reason"), "for " + c.code);
      assertEquals(c.code, missed.get("sip_code"));
      assertEquals(c.reason, missed.get("sip_reason"));
    }
  }

  @Test
  void aBranchFailingWhileTheProxyFailsOverIsNotAMissedCall() {
    SipFlow flow = new SipFlow("failover@test").invite().response(100, "Trying", 1, "INVITE")
        .after(40).branchResponse(503, "Service Unavailable", "10.0.0.5:5060")
        .after(60).response(180, "Ringing", 1, "INVITE")
        .after(2_000).response(200, "OK", 1, "INVITE").ack(1)
        .after(30_000).bye(2, true).response(200, "OK", 2, "BYE");
    replay(tracker(), flow.packets);

    assertEquals(List.of("call.initial", "call.ringing", "call.connected", "call.hangup"), types());
  }

  @Test
  void whenTheProxyPassesTheFailureOnTheCallIsMissed() {
    SipFlow flow = new SipFlow("all-failed@test").invite()
        .after(40).branchResponse(503, "Service Unavailable", "10.0.0.5:5060")
        .after(10).response(503, "Service Unavailable", 1, "INVITE");
    replay(tracker(), flow.packets);

    assertEquals(List.of("call.initial", "call.missed"), types());
    assertEquals(503, events.get(1).get("sip_code"));
  }

  @Test
  void cancelledCallIsMissedWithReasonCancelled() {
    SipFlow flow = new SipFlow("cancel@test").invite().after(50).response(180, "Ringing", 1, "INVITE")
        .after(4_000).cancel().response(200, "OK", 1, "CANCEL")
        .response(487, "Request Terminated", 1, "INVITE").ack(1);
    replay(tracker(), flow.packets);

    assertEquals(List.of("call.initial", "call.ringing", "call.missed"), types());
    assertEquals("cancelled", events.get(2).get("reason"));
    assertEquals(487, events.get(2).get("sip_code"));
  }

  @Test
  void authenticationChallengeDoesNotEndTheCall() {
    SipFlow flow = new SipFlow("auth@test").invite().response(407, "Proxy Authentication Required", 1, "INVITE")
        .ack(1).after(20).request("INVITE", 2, false, SipFlow.ACTIVE_SDP, "caller-tag", "")
        .after(20).response(200, "OK", 2, "INVITE").after(1_000).bye(3, true);
    replay(tracker(), flow.packets);

    assertEquals(List.of("call.initial", "call.connected", "call.hangup"), types());
  }

  @Test
  void reorderedPacketsWithinTheWindowAreHandledInCaptureOrder() {
    SipFlow flow = new SipFlow("reorder@test").invite().after(5).response(180, "Ringing", 1, "INVITE")
        .after(5).response(200, "OK", 1, "INVITE").after(5).bye(2, true);
    List<SipPacket> shuffled = new ArrayList<>(flow.packets);
    Collections.shuffle(shuffled, new Random(42));
    SipEventTracker tracker = tracker();
    long arrival = flow.packets.get(0).timestampMicros();
    for (SipPacket packet : shuffled) {
      tracker.accept(packet, arrival += 100);
    }
    tracker.tick(arrival + 25_000);

    assertEquals(List.of("call.initial", "call.ringing", "call.connected", "call.hangup"), types());
  }

  @Test
  void lateRingingAfterTheAnswerIsIgnoredAndOrphansStartNothing() {
    SipFlow flow = new SipFlow("late@test").invite().after(5).response(200, "OK", 1, "INVITE")
        .after(5).response(180, "Ringing", 1, "INVITE").after(1_000).bye(2, true).bye(2, true);
    SipFlow orphan = new SipFlow("orphan@test").response(200, "OK", 1, "INVITE").bye(2, true);
    SipEventTracker tracker = tracker();
    replay(tracker, flow.packets);
    replay(tracker, orphan.packets);

    assertEquals(List.of("call.initial", "call.connected", "call.hangup"), types());
    assertEquals(4, tracker.ignoredPackets());
  }

  @Test
  void silentCallsTimeOutAndEndedCallsAreForgottenAfterTheLinger() {
    SipEventTracker tracker = tracker();
    SipFlow ringing = new SipFlow("ringing-forever@test").invite().response(180, "Ringing", 1, "INVITE");
    SipFlow talking = new SipFlow("talking-forever@test").invite().response(200, "OK", 1, "INVITE");
    long start = ringing.packets.get(0).timestampMicros();
    replay(tracker, ringing.packets);
    replay(tracker, talking.packets);
    assertEquals(2, tracker.dialogs());

    tracker.tick(start + 61_000_000L);
    assertEquals("call.missed", events.get(events.size() - 1).type());
    assertEquals("timeout", events.get(events.size() - 1).get("reason"));
    assertEquals(1, tracker.dialogs());

    tracker.tick(start + 3_601_000_000L);
    Event hangup = events.get(events.size() - 1);
    assertEquals("call.hangup", hangup.type());
    assertEquals("timeout", hangup.get("reason"));
    assertEquals(0, tracker.dialogs());
    assertEquals(6, events.size());
  }

  @Test
  void fullTableEndsTheLeastRecentlyActiveCall() {
    SipTrackerSettings small = new SipTrackerSettings(0, 2, 60_000_000L, 3_600_000_000L, 32_000_000L, 10, Set.of(),
        CidrSet.parse(List.of()), AccountRules.none());
    SipEventTracker tracker = new SipEventTracker(small, events::add);
    for (String id : List.of("a@test", "b@test", "c@test")) {
      replay(tracker, new SipFlow(id).invite().packets);
    }
    assertEquals(2, tracker.dialogs());
    assertEquals(1, tracker.evictedDialogs());
    assertEquals(List.of("call.initial", "call.initial", "call.missed", "call.initial"), types());
    assertEquals("a@test", events.get(2).get("call_id"));
    assertEquals("evicted", events.get(2).get("reason"));
  }

  @Test
  void messageRequestGivesOneMessageReceived() {
    SipFlow flow = new SipFlow("im@test");
    flow.request("MESSAGE", 1, false, null, "caller-tag", "Content-Type: text/plain\r\n");
    String text = "MESSAGE sip:bob@pbx.example.com SIP/2.0\r\nf: <sip:alice@pbx.example.com>;tag=1\r\n"
        + "t: <sip:bob@pbx.example.com>\r\ni: im2@test\r\nCSeq: 7 MESSAGE\r\nc: text/plain;charset=utf-8\r\n"
        + "l: 11\r\n\r\nhello there";
    flow.twice(text, "10.0.0.1:5060", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.2:5060");
    flow.response(200, "OK", 7, "MESSAGE");
    replay(tracker(), flow.packets);

    assertEquals(List.of("message.received", "message.received"), types());
    Event compact = events.get(1);
    assertEquals("im2@test", compact.get("call_id"));
    assertEquals("alice", compact.get("from"));
    assertEquals("bob", compact.get("to"));
    assertEquals("text/plain", compact.get("content_type"));
    assertEquals("hello there", compact.get("body"));
  }

  @Test
  void registerUnregisterAndExpiry() {
    SipEventTracker tracker = tracker();
    String register = "REGISTER sip:pbx.example.com SIP/2.0\r\nFrom: <sip:200@pbx.example.com>;tag=r1\r\n"
        + "To: \"Desk 200\" <sip:200@pbx.example.com>\r\nCall-ID: reg@test\r\nCSeq: %d REGISTER\r\n"
        + "Contact: <sip:200@10.0.0.5:5062>%s\r\nUser-Agent: Yealink T46\r\nContent-Length: 0\r\n\r\n";
    String ok = "SIP/2.0 200 OK\r\nFrom: <sip:200@pbx.example.com>;tag=r1\r\nTo: <sip:200@pbx.example.com>;tag=x\r\n"
        + "Call-ID: reg@test\r\nCSeq: %d REGISTER\r\nContact: <sip:200@10.0.0.5:5062>;expires=%d\r\n"
        + "Content-Length: 0\r\n\r\n";
    SipFlow flow = new SipFlow("reg@test");
    flow.twice(register.formatted(1, ";expires=600"), "10.0.0.5:5062", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.3:5060");
    flow.twice(ok.formatted(1, 300), "10.0.0.3:5060", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.5:5062");
    flow.after(100_000);
    flow.twice(register.formatted(2, ""), "10.0.0.5:5062", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.3:5060");
    flow.twice(ok.formatted(2, 300), "10.0.0.3:5060", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.5:5062");
    replay(tracker, flow.packets);

    assertEquals(List.of("registration.registered"), types(), "a refresh gives no second event");
    Event registered = events.get(0);
    assertEquals("200@pbx.example.com", registered.get("aor"));
    assertEquals("sip:200@10.0.0.5:5062", registered.get("contact"));
    assertEquals(300L, registered.get("expires"));
    assertEquals("Yealink T46", registered.get("user_agent"));
    assertEquals(1, tracker.registrations());

    SipFlow unregister = new SipFlow("reg@test");
    unregister.clockMicros = flow.clockMicros + 1_000;
    unregister.twice(register.formatted(3, ";expires=0"), "10.0.0.5:5062", "10.0.0.9:5060", "10.0.0.9:5060",
        "10.0.0.3:5060");
    unregister.twice(ok.formatted(3, 0).replace(";expires=0", ""), "10.0.0.3:5060", "10.0.0.9:5060", "10.0.0.9:5060",
        "10.0.0.5:5062");
    replay(tracker, unregister.packets);
    assertEquals(List.of("registration.registered", "registration.unregistered"), types());
    assertEquals(0, tracker.registrations());

    SipFlow again = new SipFlow("reg@test");
    again.clockMicros = unregister.clockMicros + 1_000;
    again.twice(register.formatted(4, ""), "10.0.0.5:5062", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.3:5060");
    again.twice(ok.formatted(4, 60), "10.0.0.3:5060", "10.0.0.9:5060", "10.0.0.9:5060", "10.0.0.5:5062");
    replay(tracker, again.packets);
    tracker.tick(again.clockMicros + 59_000_000L);
    assertEquals(3, events.size(), "not expired before its time");
    tracker.tick(again.clockMicros + 61_000_000L);
    assertEquals(List.of("registration.registered", "registration.unregistered", "registration.registered",
        "registration.expired"), types());
  }

  @Test
  void accountRulesAreTriedInOrder() {
    JsonArray rules = new JsonArray()
        .add(new JsonObject().put("header", "X-Account-ID"))
        .add(new JsonObject().put("to_prefix", "+1555").put("account_id", "us-numbers"))
        .add(new JsonObject().put("capture_id", 7).put("account_id", "agent-7"));
    SipEventTracker tracker = new SipEventTracker(settings(0, rules), events::add);
    SipFlow byHeader = new SipFlow("acct1@test")
        .request("INVITE", 1, false, null, "caller-tag", "X-Account-ID: acme\r\n");
    SipFlow byPrefix = new SipFlow("acct2@test").invite();
    SipFlow byCapture = new SipFlow("acct3@test", "<sip:bob@other.example>", "<sip:200@other.example>").invite();
    replay(tracker, byHeader.packets);
    replay(tracker, byPrefix.packets);
    replay(tracker, byCapture.packets);

    assertEquals(List.of("acme", "us-numbers", "agent-7"), events.stream().map(Event::accountId).toList());
    assertEquals("outbound", events.get(2).get("direction"), "from a local network to a foreign domain");
  }
}
