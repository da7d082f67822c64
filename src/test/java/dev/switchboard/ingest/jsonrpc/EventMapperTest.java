package dev.switchboard.ingest.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.event.Event;
import dev.switchboard.event.EventJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventMapperTest {

  private final EventMapper mapper = new EventMapper(new JsonArray()
      .add(new JsonObject().put("method", "E_MY_PBX_EVENT").put("class", "pbx").put("event", "queue.joined")));

  private Event map(String method, String paramsJson) throws Exception {
    return mapper.map(EventMapper.sourceOf(method, "kamailio"), "datagram", method, EventJson.parseObject(paramsJson), 42);
  }

  @Test
  void openSipsDialogStatesBecomeCallEvents() throws Exception {
    String params = "{\"callid\":\"c1\",\"from_tag\":\"f\",\"to_tag\":\"t\",\"old_state\":%s,\"new_state\":%s}";
    assertEquals("call.initial", map("E_DLG_STATE_CHANGED", params.formatted(0, 1)).type());
    assertEquals("call.ringing", map("E_DLG_STATE_CHANGED", params.formatted(1, 2)).type());
    assertEquals("call.connected", map("E_DLG_STATE_CHANGED", params.formatted(2, 3)).type());
    assertEquals("call.connected", map("E_DLG_STATE_CHANGED", params.formatted(2, 4)).type());
    assertEquals("opensips.e_dlg_state_changed", map("E_DLG_STATE_CHANGED", params.formatted(3, 4)).type(),
        "3 -> 4 (ACK) already gave call.connected");
    assertEquals("call.hangup", map("E_DLG_STATE_CHANGED", params.formatted("\"4\"", "\"5\"")).type());
    Event missed = map("E_DLG_STATE_CHANGED", params.formatted(2, 5));
    assertEquals("call.missed", missed.type());
    assertEquals("c1", missed.get("call_id"));
    assertEquals("opensips", missed.get("source"));
  }

  @Test
  void openSipsAccountingRegistrationAndHold() throws Exception {
    Event cdr = map("E_ACC_CDR", "{\"callid\":\"c2\",\"from_tag\":\"f\",\"sip_code\":\"200\",\"duration\":31,"
        + "\"time\":1700000000}");
    assertEquals("call.cdr", cdr.type());
    assertEquals(200, cdr.get("sip_code"));
    assertEquals(1_700_000_000_000_000L, cdr.timestampMicros());
    Event missed = map("E_ACC_MISSED_EVENT", "{\"callid\":\"c3\",\"sip_code\":\"486\",\"sip_reason\":\"Busy Here\"}");
    assertEquals("call.missed", missed.type());
    assertEquals("busy", missed.get("reason"));
    Event registered = map("E_UL_CONTACT_INSERT", "{\"aor\":\"200@pbx\",\"uri\":\"sip:200@10.0.0.5\",\"expires\":300}");
    assertEquals("registration.registered", registered.type());
    assertEquals("sip:200@10.0.0.5", registered.get("contact"));
    assertEquals("registration.unregistered", map("E_UL_CONTACT_DELETE", "{\"aor\":\"200@pbx\"}").type());
    assertEquals("call.hold", map("E_CALL_HOLD", "{\"callid\":\"c4\",\"state\":\"hold\"}").type());
    assertEquals("call.unhold", map("E_CALL_HOLD", "{\"callid\":\"c4\",\"state\":\"unhold\"}").type());
  }

  @Test
  void kamailioInteropShapes() throws Exception {
    Map<String, Object> start = EventJson.parseObject("{\"event\":\"dialog.start\",\"call_id\":\"1-11307@127.0.0.1\","
        + "\"from_uri\":\"sip:sipp@127.0.0.1:5080\",\"to_uri\":\"sip:1000@127.0.0.1:5060\",\"caller\":\"sipp\","
        + "\"callee\":\"1000\",\"trigger\":\"200 OK\",\"ts\":1795498095.8327539,\"node\":\"kamailio@127.0.0.1:5060\"}");
    Event connected = mapper.map("kamailio", "evapi", "dialog.start", start, 42);
    assertEquals("call.connected", connected.type());
    assertEquals("sipp", connected.get("from"));
    assertEquals("1000", connected.get("to"));
    assertEquals(200, connected.get("sip_code"));
    assertEquals(1_795_498_095_832_754L, connected.timestampMicros(), "rounded to microseconds");
    assertEquals("kamailio@127.0.0.1:5060", connected.get("source_node"), "node is the gateway's; kept renamed");
    assertNull(connected.get("source_event"), "the event name itself is not repeated");
    assertEquals("evapi", connected.get("transport"));

    Event failed = map("dialog.failed", "{\"call_id\":\"x\",\"trigger\":\"486 Busy Here\"}");
    assertEquals("call.missed", failed.type());
    assertEquals("busy", failed.get("reason"));

    Event cdr = map("acc.cdr", "{\"event\":\"acc.cdr\",\"record\":{\"callid\":\"y\",\"duration\":\"0.504\"}}");
    assertEquals("call.cdr", cdr.type());
    assertEquals("y", cdr.get("call_id"));
    assertEquals("0.504", cdr.get("duration"));
  }

  @Test
  void configuredMappingsAndPassThrough() throws Exception {
    assertEquals("pbx.queue.joined", map("E_MY_PBX_EVENT", "{\"queue\":\"sales\"}").type());
    Event unknown = map("E_SCRIPT_REPORT", "{\"id\":7,\"account_id\":\"acme\",\"class\":\"x\"}");
    assertEquals("opensips.e_script_report", unknown.type());
    assertEquals("acme", unknown.accountId());
    assertEquals(7, unknown.get("source_id"));
    assertEquals("x", unknown.get("source_class"));
    assertEquals("kamailio.acc.tx", map("acc.tx", "{\"record\":{\"method\":\"INVITE\"}}").type());
    assertEquals("kamailio.weird_name_", map("weird name!", "{}").type());

    assertThrows(IllegalArgumentException.class, () -> EventMapper.check(new JsonArray().add("E_X")));
    assertThrows(IllegalArgumentException.class, () -> EventMapper.check(new JsonArray()
        .add(new JsonObject().put("method", "E_X").put("class", "bad class").put("event", "x"))));
  }
}
