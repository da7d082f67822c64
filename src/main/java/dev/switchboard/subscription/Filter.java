package dev.switchboard.subscription;

import dev.switchboard.event.Event;
import java.math.BigDecimal;
import java.util.List;

/**
 * Conditions on an event's top-level fields, all of which must hold: equality with a scalar, or a
 * string prefix. {@code {"direction": "inbound", "to": {"prefix": "+6139"}}}.
 */
public final class Filter {

  /** Lets every event through. */
  public static final Filter NONE = new Filter(List.of());

  private final List<Condition> conditions;
  private final Condition[] array;

  /** @param conditions all must hold */
  public Filter(List<Condition> conditions) {
    this.conditions = List.copyOf(conditions);
    this.array = conditions.toArray(new Condition[0]);
  }

  /** The conditions, in the order given. */
  public List<Condition> conditions() {
    return conditions;
  }

  /** Whether every condition holds for the event. */
  public boolean matches(Event event) {
    for (Condition condition : array) {
      if (!condition.holds(event.get(condition.field()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * One condition.
   *
   * @param field a top-level field name
   * @param prefix whether {@code value} is a prefix the field's text must start with (else: equality)
   * @param value a string, number or boolean
   */
  public record Condition(String field, boolean prefix, Object value) {

    boolean holds(Object actual) {
      if (actual == null) {
        return false;
      }
      if (prefix) {
        return actual instanceof String text && text.startsWith((String) value);
      }
      if (value instanceof Number expected) {
        return actual instanceof Number number && decimal(number).compareTo(decimal(expected)) == 0;
      }
      return value.equals(actual);
    }

    private static BigDecimal decimal(Number number) {
      return number instanceof BigDecimal big ? big : new BigDecimal(number.toString());
    }
  }
}
