package dev.switchboard.ingest.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.event.Event;
import dev.switchboard.ingest.Captures;
import dev.switchboard.ingest.hep.HepDecoder;
import dev.switchboard.ingest.hep.HepPacket;
import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Real Kamailio traffic, as recorded, through the HEP decoder and the dialog tracker. */
class CaptureReplayTest {

  /** Replays the SIP packets of a capture with arrival = capture time (as on loopback) and returns the events. */
  static List<Event> replay(String capture, long windowMs) throws Exception {
    List<Event> events = new ArrayList<>();
    SipEventTracker tracker = new SipEventTracker(SipEventTrackerTest.settings(windowMs, new JsonArray()), events::add);
    for (byte[] datagram : Captures.hepDatagrams(capture)) {
      HepPacket hep = HepDecoder.decode(datagram);
      if (hep.protocolType() == HepPacket.SIP) {
        tracker.accept(new SipPacket(SipMessage.parse(hep.payload()), hep.timestampMicros(), hep.srcIp(), hep.src(),
            hep.dst(), hep.captureId(), hep.correlationId()), hep.timestampMicros());
      }
    }
    tracker.drain();
    return events;
  }

  static Map<String, Integer> counts(List<Event> events) {
    Map<String, Integer> counts = new TreeMap<>();
    events.forEach(event -> counts.merge(event.type(), 1, Integer::sum));
    return counts;
  }

  static void assertLifecycleOrder(List<Event> events) {
    Map<String, List<String>> byCall = new LinkedHashMap<>();
    for (Event event : events) {
      byCall.computeIfAbsent((String) event.get("call_id"), id -> new ArrayList<>()).add(event.event());
    }
    for (Map.Entry<String, List<String>> call : byCall.entrySet()) {
      List<String> sequence = call.getValue();
      assertEquals("initial", sequence.get(0), call.getKey());
      assertEquals("hangup", sequence.get(sequence.size() - 1), call.getKey());
      assertTrue(sequence.equals(List.of("initial", "ringing", "connected", "hangup"))
          || sequence.equals(List.of("initial", "connected", "hangup")), call.getKey() + ": " + sequence);
    }
  }

  private static int callsRingingBeforeAnswer(String capture) throws Exception {
    Map<String, Long> firstRinging = new LinkedHashMap<>();
    Map<String, Long> firstAnswer = new LinkedHashMap<>();
    for (byte[] datagram : Captures.hepDatagrams(capture)) {
      HepPacket hep = HepDecoder.decode(datagram);
      if (hep.protocolType() != HepPacket.SIP) {
        continue;
      }
      SipMessage message = SipMessage.parse(hep.payload());
      if (!message.isRequest() && "INVITE".equals(message.cseqMethod())) {
        Map<String, Long> into = message.statusCode() == 180 ? firstRinging
            : message.statusCode() == 200 ? firstAnswer : null;
        if (into != null) {
          into.merge(message.callId(), hep.timestampMicros(), Math::min);
        }
      }
    }
    return (int) firstRinging.entrySet().stream()
        .filter(ringing -> ringing.getValue() < firstAnswer.getOrDefault(ringing.getKey(), Long.MAX_VALUE)).count();
  }

  @Test
  void twentyCallsGiveTwentyOfEachLifecycleEvent() throws Exception {
    List<Event> events = replay("interop-20calls/hep.raw", 50);

    assertEquals(Map.of("call.initial", 20, "call.ringing", 20, "call.connected", 20, "call.hangup", 20),
        counts(events));
    assertLifecycleOrder(events);
    for (Event event : events) {
      assertEquals("sipp", event.get("from"));
      assertEquals("1000", event.get("to"));
      assertEquals(2001L, event.get("capture_id"));
      if (event.event().equals("hangup")) {
        assertEquals("caller", event.get("hangup_by"));
        BigDecimal billsec = (BigDecimal) event.get("billsec");
        assertTrue(billsec.compareTo(new BigDecimal("0.45")) > 0 && billsec.compareTo(new BigDecimal("0.6")) < 0,
            "sipp talks 500 ms, got " + billsec);
      }
    }
    Event first = events.get(0);
    assertEquals("1-11307@127.0.0.1", first.get("call_id"));
    assertEquals("127.0.0.1:5080", first.get("src"));
    assertEquals(1_795_498_095_830_071L, first.timestampMicros());
  }

  @Test
  void burstOfTwoHundredCallsLosesNoCallAndKeepsOrder() throws Exception {
    List<Event> events = replay("burst-200calls/hep.raw.gz", 100);

    Map<String, Integer> counts = counts(events);
    assertEquals(200, counts.get("call.initial"));
    assertEquals(200, counts.get("call.connected"));
    assertEquals(200, counts.get("call.hangup"));
    // In 3 calls the proxy handled the UAS's 180 after its 200 and did not relay it; a ringing
    // is due only where a 180 was captured before the first 200 answering the INVITE.
    assertEquals(callsRingingBeforeAnswer("burst-200calls/hep.raw.gz"), counts.get("call.ringing"));
    assertTrue(counts.get("call.ringing") >= 197);
    assertEquals(4, counts.size());
    assertLifecycleOrder(events);
  }
}
