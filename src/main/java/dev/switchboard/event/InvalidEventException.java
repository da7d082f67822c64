package dev.switchboard.event;

import java.util.List;

/** An event a source sent that cannot be accepted; {@link #problems()} says why, field by field. */
public final class InvalidEventException extends Exception {

  private final List<Problem> problems;

  /** @param problems at least one problem */
  public InvalidEventException(List<Problem> problems) {
    super(problems.get(0).field() + ": " + problems.get(0).message(), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** What is wrong, one entry per field. */
  public List<Problem> problems() {
    return problems;
  }

  /** One thing wrong with one field ({@code field} may be {@code null} for the whole event). */
  public record Problem(String field, String message) {
  }
}
