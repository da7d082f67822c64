package dev.switchboard.event;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which events a subscriber wants, written {@code class.event}: {@code call.ringing},
 * {@code call.*} (every call event), {@code *.hangup} (that event of any class), or {@code *}
 * (everything). The class is the part before the first dot; an event name may itself hold dots.
 */
public final class Binding {

  /** Characters allowed in an event class. */
  public static final Pattern CLASS_PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Characters allowed in an event name. */
  public static final Pattern EVENT_PATTERN = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  /** Matches every event. */
  public static final Binding ALL = new Binding(null, null);

  private final String eventClass;
  private final String event;

  private Binding(String eventClass, String event) {
    this.eventClass = eventClass;
    this.event = event;
  }

  /**
   * Reads a binding.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  public static Binding parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("binding must not be empty");
    }
    String trimmed = text.trim();
    if (trimmed.equals("*") || trimmed.equals("*.*")) {
      return ALL;
    }
    int dot = trimmed.indexOf('.');
    if (dot < 0) {
      throw new IllegalArgumentException(
          "binding '" + trimmed + "' must be 'class.event', 'class.*', '*.event' or '*'");
    }
    String classPart = trimmed.substring(0, dot);
    String eventPart = trimmed.substring(dot + 1);
    if (!classPart.equals("*") && !CLASS_PATTERN.matcher(classPart).matches()) {
      throw new IllegalArgumentException("binding '" + trimmed + "' has an invalid class '" + classPart + "'");
    }
    if (!eventPart.equals("*") && !EVENT_PATTERN.matcher(eventPart).matches()) {
      throw new IllegalArgumentException("binding '" + trimmed + "' has an invalid event '" + eventPart + "'");
    }
    return new Binding(classPart.equals("*") ? null : classPart, eventPart.equals("*") ? null : eventPart);
  }

  /** Whether an event of this class and name is wanted. */
  public boolean matches(String eventClass, String event) {
    return (this.eventClass == null || this.eventClass.equals(eventClass))
        && (this.event == null || this.event.equals(event));
  }

  /** Whether this event is wanted. */
  public boolean matches(Event event) {
    return matches(event.eventClass(), event.event());
  }

  /** The class this binding names, or {@code null} when it takes any class. */
  public String eventClass() {
    return eventClass;
  }

  /** The event name this binding names, or {@code null} when it takes any event. */
  public String event() {
    return event;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Binding that
        && Objects.equals(eventClass, that.eventClass)
        && Objects.equals(event, that.event);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventClass, event);
  }

  @Override
  public String toString() {
    if (eventClass == null && event == null) {
      return "*";
    }
    return (eventClass == null ? "*" : eventClass) + "." + (event == null ? "*" : event);
  }
}
