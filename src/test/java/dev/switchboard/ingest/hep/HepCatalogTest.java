package dev.switchboard.ingest.hep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventCatalog.Emitter;
import dev.switchboard.ingest.Captures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The HEP collector's own events (LOG packets, capture agent health) held against the event catalogue. */
class HepCatalogTest {

  @Test
  void logAndSourceHealthEventsAreCataloguedAndEveryCataloguedFieldIsEmitted() throws Exception {
    CatalogCheck check = new CatalogCheck();
    Set<String> types = new TreeSet<>();
    HepPacket anyLog = null;
    for (byte[] datagram : Captures.hepDatagrams("interop-20calls/hep.raw")) {
      HepPacket packet = HepDecoder.decode(datagram);
      if (packet.protocolType() == HepPacket.LOG) {
        anyLog = packet;
        Event event = HepCollectorVerticle.logEvent(packet, 1);
        check.check(event, Emitter.HEP);
        types.add(event.type());
      }
    }
    for (String payload : List.of("plain text from a script", "{\"no_event\":1}", "{\"event\":\"bad name!\"}")) {
      HepPacket text = new HepPacket(anyLog.ipFamily(), anyLog.ipProtocol(), anyLog.srcIp(), anyLog.dstIp(),
          anyLog.srcPort(), anyLog.dstPort(), 0, HepPacket.LOG, -1, null, payload.getBytes(StandardCharsets.UTF_8),
          null);
      Event event = HepCollectorVerticle.logEvent(text, 1);
      check.check(event, Emitter.HEP);
      types.add(event.type());
    }
    assertEquals(Set.of("log.dialog.start", "log.dialog.end", "log.message"), types);

    List<Event> health = new ArrayList<>();
    SourceHealth sources = new SourceHealth(1_000_000, 10, health::add);
    sources.seen(2001, "192.0.2.10", "udp", 0);
    sources.seen(-1, "2001:db8::1", "tcp", 10);
    sources.sweep(5_000_000);
    assertEquals(List.of("system.source_up", "system.source_up", "system.source_down", "system.source_down"),
        health.stream().map(Event::type).toList());
    health.forEach(event -> check.check(event, Emitter.HEP));

    check.assertEverythingSeen(Emitter.HEP, "log", "system");
  }
}
