package dev.switchboard.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written the way operators write them: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}. */
public final class Durations {

  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Durations() {
  }

  /**
   * Milliseconds of a duration.
   *
   * @throws IllegalArgumentException saying what a duration looks like
   */
  public static long parseMillis(String text) {
    Matcher match = FORM.matcher(text == null ? "" : text.trim());
    if (!match.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 500ms, 5s, 2m, 1h, 7d)");
    }
    long amount = Long.parseLong(match.group(1));
    switch (match.group(2)) {
      case "ms":
        return amount;
      case "s":
        return amount * 1_000L;
      case "m":
        return amount * 60_000L;
      case "h":
        return amount * 3_600_000L;
      default:
        return amount * 86_400_000L;
    }
  }
}
