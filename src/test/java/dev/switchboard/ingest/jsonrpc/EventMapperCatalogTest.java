package dev.switchboard.ingest.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.event.CatalogCheck;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventCatalog.Emitter;
import dev.switchboard.event.EventCatalog;
import dev.switchboard.event.EventJson;
import dev.switchboard.ingest.Captures;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The built-in mappings of softswitch notifications, from the real Kamailio captures of every
 * transport and from OpenSIPS's notifications, held against the event catalogue both ways; and
 * the evapi client's link events.
 */
class EventMapperCatalogTest {

  private final EventMapper mapper = new EventMapper(new JsonArray());
  private final CatalogCheck check = new CatalogCheck();
  private final Set<String> types = new TreeSet<>();

  @SuppressWarnings("unchecked")
  private void notification(String transport, Map<String, Object> object) {
    Notification notification = Notification.read(object, transport);
    String source = EventMapper.sourceOf(notification.method(), "kamailio");
    Map<String, Object> params = notification.params();
    Event event = mapper.map(source, transport, notification.method(), params, 42);
    Map<String, ?> passed = params.get("record") instanceof Map<?, ?> record && notification.method().startsWith("acc.")
        ? (Map<String, ?>) record : params;
    check.check(event, source.equals("opensips") ? Emitter.OPENSIPS : Emitter.KAMAILIO, passed);
    types.add(event.type());
  }

  private void replay(String capture, String transport) throws Exception {
    for (String line : Captures.lines(capture)) {
      String json = line.trim();
      if (Character.isDigit(json.charAt(0))) {
        json = json.substring(json.indexOf(':') + 1, json.length() - 1);
      }
      notification(transport, EventJson.parseObject(json));
    }
  }

  private void send(String json) throws Exception {
    notification("jsonrpc", EventJson.parseObject(json));
  }

  @Test
  void builtInMappingsAreCataloguedAndEveryCataloguedFieldIsEmitted() throws Exception {
    replay("interop-20calls/udp.raw", "datagram");
    replay("interop-20calls/jsonrpc.raw", "jsonrpc");
    replay("interop-20calls/evapi.raw", "evapi");
    send("{\"event\":\"dialog.failed\",\"call_id\":\"k1\",\"caller\":\"alice\",\"callee\":\"bob\","
        + "\"trigger\":\"486 Busy Here\"}");
    send("{\"event\":\"dialog.end\",\"call_id\":\"k0\",\"sip_code\":200}");
    send("{\"event\":\"acc.cdr\",\"record\":{\"callid\":\"k2\",\"caller\":\"alice\",\"callee\":\"bob\","
        + "\"sip_code\":\"200\",\"duration\":\"3.2\"}}");
    String dialog = "{\"jsonrpc\":\"2.0\",\"method\":\"E_DLG_STATE_CHANGED\",\"params\":{\"callid\":\"o1\","
        + "\"from_tag\":\"f\",\"to_tag\":\"t\",\"from_uri\":\"sip:alice@pbx\",\"ruri\":\"sip:bob@pbx\","
        + "\"old_state\":%d,\"new_state\":%d%s}}";
    send(dialog.formatted(0, 1, ",\"sip_code\":100"));
    send(dialog.formatted(1, 2, ",\"sip_code\":180"));
    send(dialog.formatted(2, 3, ",\"trigger\":\"200 OK\""));
    send(dialog.formatted(3, 4, ""));
    send(dialog.formatted(4, 5, ",\"sip_code\":200,\"account_id\":\"acme\""));
    send(dialog.formatted(2, 5, ",\"sip_code\":487"));
    send("{\"jsonrpc\":\"2.0\",\"method\":\"E_ACC_CDR\",\"params\":{\"callid\":\"o2\",\"from\":\"alice\","
        + "\"to\":\"bob\",\"sip_code\":\"200\",\"duration\":31,\"time\":1700000000}}");
    send("{\"jsonrpc\":\"2.0\",\"method\":\"E_ACC_MISSED_EVENT\",\"params\":{\"callid\":\"o3\",\"from\":\"alice\","
        + "\"to\":\"bob\",\"sip_code\":\"486\",\"sip_reason\":\"Busy Here\"}}");
    send("{\"jsonrpc\":\"2.0\",\"method\":\"E_UL_CONTACT_INSERT\",\"params\":{\"aor\":\"200@pbx\","
        + "\"uri\":\"sip:200@10.0.0.5\",\"callid\":\"r1\",\"expires\":300}}");
    send("{\"jsonrpc\":\"2.0\",\"method\":\"E_UL_CONTACT_DELETE\",\"params\":{\"aor\":\"200@pbx\","
        + "\"contact\":\"sip:200@10.0.0.5\",\"call_id\":\"r1\"}}");
    for (String state : List.of("hold", "unhold")) {
      send("{\"jsonrpc\":\"2.0\",\"method\":\"E_CALL_HOLD\",\"params\":{\"callid\":\"o4\",\"caller\":\"alice\","
          + "\"callee\":\"bob\",\"sip_code\":200,\"state\":\"" + state + "\"}}");
    }
    send("{\"jsonrpc\":\"2.0\",\"method\":\"E_SCRIPT_REPORT\",\"params\":{\"id\":7,\"source\":\"x\",\"n\":1}}");

    assertEquals(Set.of("call.initial", "call.ringing", "call.connected", "call.hold", "call.unhold", "call.hangup",
        "call.missed", "call.cdr", "registration.registered", "registration.unregistered", "kamailio.acc.tx",
        "opensips.e_dlg_state_changed", "opensips.e_script_report"), types);
    check.assertEverythingSeen(Emitter.OPENSIPS, "call", "registration", "opensips");
    check.assertEverythingSeen(Emitter.KAMAILIO, "call", "registration", "kamailio");
  }

  @Test
  void evapiLinkEventsAreCatalogued() {
    CatalogCheck links = new CatalogCheck();
    for (String name : List.of("link_up", "link_down")) {
      links.check(EvapiClientVerticle.linkEvent(name, "127.0.0.1:8448"), Emitter.EVAPI);
    }
    links.assertEverythingSeen(Emitter.EVAPI, "system");
    assertEquals(2, EventCatalog.all().stream().filter(type -> type.sources().contains(Emitter.EVAPI)).count());
  }
}
