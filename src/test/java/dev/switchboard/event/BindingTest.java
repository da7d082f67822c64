package dev.switchboard.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BindingTest {

  @Test
  void exactBindingMatchesOnlyThatEvent() {
    Binding binding = Binding.parse("call.ringing");
    assertTrue(binding.matches("call", "ringing"));
    assertFalse(binding.matches("call", "hangup"));
    assertFalse(binding.matches("message", "ringing"));
    assertFalse(binding.matches("callx", "ringing"));
  }

  @Test
  void wildcardsTakeAWholeSegment() {
    assertTrue(Binding.parse("call.*").matches("call", "anything"));
    assertFalse(Binding.parse("call.*").matches("calls", "anything"));
    assertTrue(Binding.parse("*.hangup").matches("trunk", "hangup"));
    assertFalse(Binding.parse("*.hangup").matches("trunk", "hangup2"));
    assertTrue(Binding.parse("*").matches("x", "y"));
    assertEquals(Binding.ALL, Binding.parse("*.*"));
    assertEquals(Binding.ALL, Binding.parse(" * "));
  }

  @Test
  void theClassEndsAtTheFirstDot() {
    Binding binding = Binding.parse("kamailio.dialog.start");
    assertEquals("kamailio", binding.eventClass());
    assertEquals("dialog.start", binding.event());
    assertTrue(binding.matches("kamailio", "dialog.start"));
    assertFalse(binding.matches("kamailio.dialog", "start"));
  }

  @Test
  void malformedBindingsAreRefusedWithAReason() {
    for (String bad : List.of("", " ", "call", "call.", ".ringing", "ca ll.ringing", "call.ring*", "c*.x", "call.a b")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Binding.parse(bad), bad);
      assertTrue(e.getMessage().contains("binding"), e.getMessage());
    }
  }

  @Test
  void toStringReadsBackAsTheSameBinding() {
    for (String text : List.of("*", "call.*", "*.hangup", "call.ringing")) {
      assertEquals(text, Binding.parse(text).toString());
      assertEquals(Binding.parse(text), Binding.parse(Binding.parse(text).toString()));
    }
  }

  @Test
  void aListMatchesWhenAnyBindingDoes() {
    Bindings bindings = Bindings.parseList("call.hangup, message.*,call.hangup");
    assertEquals(2, bindings.asList().size(), "duplicates dropped");
    assertTrue(bindings.matches(Event.builder("message", "received").build()));
    assertTrue(bindings.matches(Event.builder("call", "hangup").build()));
    assertFalse(bindings.matches(Event.builder("call", "ringing").build()));
    assertTrue(Bindings.parseList(null).matches(Event.builder("a", "b").build()));
    assertTrue(Bindings.parseList("").matches(Event.builder("a", "b").build()));
  }
}
