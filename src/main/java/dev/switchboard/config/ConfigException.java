package dev.switchboard.config;

import java.util.List;

/** The configuration cannot be used; each problem names the key (and the variable) at fault. */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  /** @param problems at least one, each naming its key */
  public ConfigException(List<String> problems) {
    super("invalid configuration: " + String.join("; ", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** One line per problem. */
  public List<String> problems() {
    return problems;
  }
}
