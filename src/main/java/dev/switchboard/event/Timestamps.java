package dev.switchboard.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

/**
 * Event timestamps: Unix time in microseconds, held as a {@code long} so that no precision is lost
 * to floating point, and written as seconds with exactly six decimals ({@code 1700000000.123456}).
 */
public final class Timestamps {

  /** Integers at or above this are read as microseconds; below it, as seconds (until year 33658). */
  static final long MICROS_THRESHOLD = 1_000_000_000_000L;

  private static final BigDecimal MICROS_PER_SECOND = BigDecimal.valueOf(1_000_000L);

  private Timestamps() {
  }

  /** Now, in microseconds since the Unix epoch. */
  public static long nowMicros() {
    return toMicros(Instant.now());
  }

  /** An instant in microseconds since the Unix epoch (sub-microsecond digits are truncated). */
  public static long toMicros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  /** Seconds with exactly six decimals, e.g. {@code 1700000000.000001}. */
  public static String format(long micros) {
    long seconds = Math.floorDiv(micros, 1_000_000L);
    long fraction = Math.floorMod(micros, 1_000_000L);
    StringBuilder text = new StringBuilder(20).append(seconds).append('.');
    String digits = Long.toString(fraction);
    for (int pad = digits.length(); pad < 6; pad++) {
      text.append('0');
    }
    return text.append(digits).toString();
  }

  /**
   * Reads a timestamp given by a client: seconds with up to six decimals ({@code 1700000000.5}),
   * or integer microseconds ({@code 1700000000500000}), as a JSON number or a decimal string.
   *
   * @throws IllegalArgumentException naming what is wrong with the value
   */
  public static long parse(Object value) {
    BigDecimal decimal;
    if (value instanceof BigDecimal big) {
      decimal = big;
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      decimal = BigDecimal.valueOf(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      decimal = new BigDecimal(big);
    } else if (value instanceof Double || value instanceof Float) {
      decimal = new BigDecimal(value.toString());
    } else if (value instanceof String text) {
      try {
        decimal = new BigDecimal(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("must be a number: seconds with up to six decimals, or integer microseconds");
      }
    } else {
      throw new IllegalArgumentException("must be a number: seconds with up to six decimals, or integer microseconds");
    }
    if (decimal.signum() < 0) {
      throw new IllegalArgumentException("must not be negative");
    }
    BigDecimal stripped = decimal.stripTrailingZeros();
    try {
      if (stripped.scale() <= 0) {
        long whole = stripped.longValueExact();
        return whole >= MICROS_THRESHOLD ? whole : Math.multiplyExact(whole, 1_000_000L);
      }
      if (stripped.scale() > 6) {
        throw new IllegalArgumentException("has more than six decimals (microsecond precision is the limit)");
      }
      return stripped.multiply(MICROS_PER_SECOND).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("is out of range");
    }
  }
}
