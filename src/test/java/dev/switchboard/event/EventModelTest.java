package dev.switchboard.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventModelTest {

  @Test
  void timestampsAreWrittenWithExactlySixDecimals() {
    assertEquals("1700000000.000001", Timestamps.format(1_700_000_000_000_001L));
    assertEquals("1700000000.120000", Timestamps.format(1_700_000_000_120_000L));
    assertEquals("0.000000", Timestamps.format(0));
  }

  @Test
  void timestampsAreReadFromSecondsOrMicroseconds() {
    assertEquals(1_700_000_000_000_001L, Timestamps.parse(new BigDecimal("1700000000.000001")));
    assertEquals(1_700_000_000_500_000L, Timestamps.parse("1700000000.5"));
    assertEquals(1_700_000_000_000_000L, Timestamps.parse(1_700_000_000));
    assertEquals(1_700_000_000_000_000L, Timestamps.parse(1_700_000_000L));
    assertEquals(1_700_000_000_123_456L, Timestamps.parse(1_700_000_000_123_456L));
    assertEquals(1_700_000_000_123_456L, Timestamps.parse("1700000000123456"));
    assertEquals(1_700_000_000_000_000L, Timestamps.parse(new BigDecimal("1700000000.000000000")));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse(new BigDecimal("1.0000001")));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse(-5));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("soon"));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse(true));
    assertThrows(IllegalArgumentException.class, () -> Timestamps.parse(new BigDecimal("1e30")));
  }

  @Test
  void instantsConvertToMicroseconds() {
    assertEquals(1_700_000_000_123_456L, Timestamps.toMicros(Instant.ofEpochSecond(1_700_000_000L, 123_456_789L)));
  }

  @Test
  void idsAreUniqueTimeOrderedVersion7Uuids() {
    EventIdGenerator ids = new EventIdGenerator();
    Set<String> seen = new HashSet<>();
    String previous = "";
    for (int i = 0; i < 50_000; i++) {
      String id = ids.next();
      assertTrue(id.compareTo(previous) > 0, id + " after " + previous);
      assertEquals('7', id.charAt(14), id);
      assertTrue("89ab".indexOf(id.charAt(19)) >= 0, id);
      assertTrue(seen.add(id));
      previous = id;
    }
  }

  @Test
  void jsonRoundTripKeepsEveryFieldAndNumberExactly() throws Exception {
    String text = "{\"class\":\"call\",\"event\":\"hangup\",\"timestamp\":1700000000.000001,\"id\":\"i\",\"node\":\"n\","
        + "\"account_id\":\"a1\",\"z\":1,\"a\":[1.50,1e400,123456789012345678901234567890],\"u\":\"☎ é\",\"o\":{\"p\":null}}";
    Event event = Event.fromJson(text);
    assertEquals(1_700_000_000_000_001L, event.timestampMicros());
    assertEquals("a1", event.accountId());
    assertEquals(List.of("z", "a", "u", "o"), List.copyOf(event.fields().keySet()), "field order kept");
    assertEquals(EventJson.parseObject(text), EventJson.parseObject(event.toJson()));
    assertTrue(event.toJson().contains("1.50"), event.toJson());
    assertEquals(event.toJson(), Event.fromJson(event.toJson()).toJson());
  }

  @Test
  void readerKeepsUnknownFieldsAndChecksReservedOnes() throws Exception {
    Event event = EventReader.read(Map.of("class", "sms", "event", "received", "to", "+15550001"), 42L);
    assertEquals(42L, event.timestampMicros());
    assertEquals("+15550001", event.fields().get("to"));
    InvalidEventException e = assertThrows(InvalidEventException.class,
        () -> EventReader.read(Map.of("node", "x", "timestamp", "later"), 0));
    assertEquals(List.of("class", "event", "timestamp", "node"),
        e.problems().stream().map(InvalidEventException.Problem::field).toList());
  }

  @Test
  void reservedNamesCannotBeSetAsFields() {
    assertThrows(IllegalArgumentException.class, () -> Event.builder("a", "b").put("timestamp", 1));
  }
}
