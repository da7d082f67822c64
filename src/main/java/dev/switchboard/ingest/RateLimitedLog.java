package dev.switchboard.ingest;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Warnings about bad input, at most one per kind per interval, saying how many were held back: a
 * flood of garbage packets must not become a flood of log lines. Use from one thread.
 */
public final class RateLimitedLog {

  private static final class Kind {
    long lastMillis = Long.MIN_VALUE;
    long suppressed;
  }

  private final Logger logger;
  private final long intervalMillis;
  private final Map<String, Kind> kinds = new HashMap<>();

  /** @param intervalMillis the least time between two lines of one kind */
  public RateLimitedLog(Logger logger, long intervalMillis) {
    this.logger = logger;
    this.intervalMillis = intervalMillis;
  }

  /**
   * Logs a warning unless one of the same kind was logged within the interval.
   *
   * @param kind a fixed name for the kind of problem (a small set; not built from input)
   */
  public void warn(String kind, Supplier<String> message) {
    Kind state = kinds.computeIfAbsent(kind, k -> new Kind());
    long now = System.currentTimeMillis();
    if (state.lastMillis != Long.MIN_VALUE && now - state.lastMillis < intervalMillis) {
      state.suppressed++;
      return;
    }
    String text = message.get();
    if (state.suppressed > 0) {
      text += " (" + state.suppressed + " more like this since the last report)";
    }
    state.lastMillis = now;
    state.suppressed = 0;
    logger.log(Level.WARNING, text);
  }
}
