package dev.switchboard.event;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A set of {@link Binding}s: an event is wanted when any of them matches. */
public final class Bindings {

  /** Wants every event. */
  public static final Bindings ALL = new Bindings(List.of(Binding.ALL));

  private final List<Binding> bindings;

  private Bindings(List<Binding> bindings) {
    this.bindings = List.copyOf(bindings);
  }

  /** From bindings already parsed; duplicates are dropped. */
  public static Bindings of(Iterable<Binding> bindings) {
    Set<Binding> unique = new LinkedHashSet<>();
    bindings.forEach(unique::add);
    return new Bindings(new ArrayList<>(unique));
  }

  /**
   * Parses a comma-separated list such as {@code call.*,message.received}; an empty list is
   * {@link #ALL}.
   *
   * @throws IllegalArgumentException naming the first invalid binding
   */
  public static Bindings parseList(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return ALL;
    }
    List<Binding> parsed = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      parsed.add(Binding.parse(part));
    }
    return of(parsed);
  }

  /** Whether any binding matches the event. */
  public boolean matches(Event event) {
    for (Binding binding : bindings) {
      if (binding.matches(event.eventClass(), event.event())) {
        return true;
      }
    }
    return false;
  }

  /** The bindings, in the order given. */
  public List<Binding> asList() {
    return bindings;
  }

  @Override
  public String toString() {
    return bindings.toString();
  }
}
