package dev.switchboard.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.event.EventCatalog.Emitter;
import dev.switchboard.event.EventCatalog.EventType;
import dev.switchboard.event.EventCatalog.Field;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalogue's own consistency and its samples; what emitters really send is held against it elsewhere. */
class EventCatalogTest {

  private static final Set<String> JSON_TYPES = Set.of("string", "integer", "number", "boolean", "object", "array");

  @Test
  void everySampleIsAValidEventOfItsTypeWithOnlyDeclaredFields() throws Exception {
    CatalogCheck check = new CatalogCheck();
    for (EventType type : EventCatalog.all()) {
      Event sample = type.sample("acc_example");
      Event read = EventReader.read(EventJson.parseObject(sample.toJson()), 0);
      assertEquals(sample.toJson(), read.toJson(), type.type());
      assertEquals(type.variable() ? type.sampleEvent() : type.event(), read.event());
      check.check(sample, type.sources().get(0));
      for (String name : sample.fields().keySet()) {
        assertTrue(type.field(name).sources().contains(type.sources().get(0)), type.type() + " sample has " + name);
      }
    }
    assertEquals(EventCatalog.all().size(), check.checked());
  }

  @Test
  void typesAndFieldsAreWellFormed() {
    Set<String> types = new HashSet<>();
    for (EventType type : EventCatalog.all()) {
      assertTrue(types.add(type.type()), "listed once: " + type.type());
      assertTrue(Binding.CLASS_PATTERN.matcher(type.eventClass()).matches());
      assertEquals(type.variable(), type.event().equals("*"), type.type());
      assertTrue(Binding.EVENT_PATTERN.matcher(type.sampleEvent()).matches(), type.type());
      assertFalse(type.sources().isEmpty(), type.type());
      assertFalse(type.description().isBlank(), type.type());
      assertTrue(type.sources().containsAll(type.passthrough()), type.type());
      Set<String> names = new HashSet<>();
      for (Field field : type.fields()) {
        String where = type.type() + " " + field.name();
        assertTrue(names.add(field.name()), "declared once: " + where);
        assertFalse(Event.RESERVED.contains(field.name()), where);
        assertTrue(JSON_TYPES.contains(field.type()), where);
        assertFalse(field.sources().isEmpty(), where);
        assertTrue(type.sources().containsAll(field.sources()), where);
        assertFalse(field.description().isBlank(), where);
        assertTrue(field.example() == null ? field.optional() : CatalogCheck.hasType(field.example(), field.type()),
            where);
      }
    }
  }

  @Test
  void findPrefersTheFixedTypeAndFallsBackToTheClasssVariableOne() {
    assertEquals("call.hangup", EventCatalog.find("call", "hangup", Emitter.KAMAILIO).type());
    assertNull(EventCatalog.find("call", "cdr", Emitter.HEP), "HEP gives no CDR");
    assertNull(EventCatalog.find("call", "whatever", Emitter.HEP));
    assertEquals("log.*", EventCatalog.find("log", "dialog.start", Emitter.HEP).type());
    assertEquals("opensips.*", EventCatalog.find("opensips", "e_script_report", Emitter.OPENSIPS).type());
    assertNull(EventCatalog.find("opensips", "e_script_report", Emitter.KAMAILIO));
  }

  @Test
  void samplesForBindings() {
    assertEquals("call.initial", EventCatalog.sample(Binding.parse("call.*"), "a").type());
    assertEquals("system.source_up", EventCatalog.sample(Binding.parse("*.source_up"), "a").type());
    Event log = EventCatalog.sample(Binding.parse("log.dialog.end"), "a");
    assertEquals("log.dialog.end", log.type());
    assertTrue(log.fields().containsKey("data"));
    assertEquals("log.dialog.start", EventCatalog.sample(Binding.parse("log.*"), "a").type());
    assertEquals("kamailio", EventCatalog.sample(Binding.parse("kamailio.acc.tx"), "a").get("source"));
    Event other = EventCatalog.sample(Binding.parse("pbx.queue"), "acme");
    assertEquals(List.of("pbx.queue", "acme"), List.of(other.type(), other.accountId()));
    assertTrue(other.fields().isEmpty());
  }
}
