package dev.switchboard.fanout;

import dev.switchboard.config.Durations;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a webhook again. Connection errors, timeouts, 408, 425, 429 and 5xx are retried on a
 * schedule (default 0s, 5s, 30s, 2m, 10m, 30m, 1h, 2h, 4h, 8h) with ±20% jitter, or after the
 * receiver's {@code Retry-After} when it gives one (capped); other 4xx fail at once; 410 means the
 * receiver is gone for good.
 */
public final class RetryPolicy {

  /** What an attempt's outcome means for the delivery. */
  public enum Verdict {
    /** Delivered. */
    DELIVERED,
    /** Try again later. */
    RETRY,
    /** Do not try again: the receiver refused it. */
    FAILED,
    /** The receiver is gone: disable the subscription. */
    GONE
  }

  private static final double JITTER = 0.20;

  private final List<Long> scheduleMillis;
  private final long retryAfterCapMillis;

  /**
   * @param schedule the delay before each attempt, the first normally {@code 0s}; its length is the
   *     number of attempts
   * @param retryAfterCap the longest {@code Retry-After} honoured
   */
  public RetryPolicy(List<String> schedule, String retryAfterCap) {
    this.scheduleMillis = schedule.stream().map(Durations::parseMillis).toList();
    this.retryAfterCapMillis = Durations.parseMillis(retryAfterCap);
    if (scheduleMillis.isEmpty()) {
      throw new IllegalArgumentException("the retry schedule needs at least one entry");
    }
  }

  /** What a response status (or {@code 0} for no response) means. */
  public static Verdict verdict(int status) {
    if (status >= 200 && status < 300) {
      return Verdict.DELIVERED;
    }
    if (status == 410) {
      return Verdict.GONE;
    }
    if (status == 0 || status == 408 || status == 425 || status == 429 || status >= 500) {
      return Verdict.RETRY;
    }
    return Verdict.FAILED;
  }

  /** How many attempts a delivery gets in all. */
  public int maxAttempts() {
    return scheduleMillis.size();
  }

  /**
   * The delay before the next attempt, or {@code -1} when the attempts are used up.
   *
   * @param attemptsMade attempts already made (at least 1)
   * @param retryAfter the receiver's {@code Retry-After} header, or {@code null}
   */
  public long nextDelayMillis(int attemptsMade, String retryAfter) {
    if (attemptsMade >= scheduleMillis.size()) {
      return -1;
    }
    long asked = retryAfterMillis(retryAfter);
    if (asked >= 0) {
      return Math.min(asked, retryAfterCapMillis);
    }
    long scheduled = scheduleMillis.get(attemptsMade);
    double factor = 1 + ThreadLocalRandom.current().nextDouble(-JITTER, JITTER);
    return Math.round(scheduled * factor);
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date, in milliseconds from now; -1 when absent or unreadable. */
  static long retryAfterMillis(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    String value = header.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? -1 : Math.multiplyExact(seconds, 1000L);
    } catch (NumberFormatException | ArithmeticException notSeconds) {
      try {
        ZonedDateTime when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, Duration.between(ZonedDateTime.now(when.getZone()), when).toMillis());
      } catch (DateTimeParseException notDate) {
        return -1;
      }
    }
  }
}
