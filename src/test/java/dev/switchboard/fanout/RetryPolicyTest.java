package dev.switchboard.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.fanout.RetryPolicy.Verdict;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy = new RetryPolicy(
      List.of("0s", "5s", "30s", "2m", "10m", "30m", "1h", "2h", "4h", "8h"), "1h");

  @Test
  void statusesMeanWhatTheContractSays() {
    for (int status : List.of(200, 201, 204, 299)) {
      assertEquals(Verdict.DELIVERED, RetryPolicy.verdict(status), "status " + status);
    }
    for (int status : List.of(0, 408, 425, 429, 500, 502, 503, 504, 599)) {
      assertEquals(Verdict.RETRY, RetryPolicy.verdict(status), "status " + status);
    }
    for (int status : List.of(301, 400, 401, 403, 404, 405, 413, 422)) {
      assertEquals(Verdict.FAILED, RetryPolicy.verdict(status), "status " + status);
    }
    assertEquals(Verdict.GONE, RetryPolicy.verdict(410));
  }

  @Test
  void delaysFollowTheScheduleWithinTwentyPercent() {
    long[] scheduled = {5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000};
    for (int made = 1; made <= scheduled.length; made++) {
      for (int sample = 0; sample < 200; sample++) {
        long delay = policy.nextDelayMillis(made, null);
        long base = scheduled[made - 1];
        assertTrue(delay >= base * 0.8 && delay <= base * 1.2, "attempt " + made + ": " + delay);
      }
    }
    assertEquals(10, policy.maxAttempts());
    assertEquals(-1, policy.nextDelayMillis(10, null), "no attempts left");
  }

  @Test
  void retryAfterIsHonouredUpToTheCap() {
    assertEquals(7_000, policy.nextDelayMillis(1, "7"));
    assertEquals(3_600_000, policy.nextDelayMillis(1, "86400"), "capped at retry_after_max");
    String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusMinutes(2));
    long fromDate = policy.nextDelayMillis(1, inTwoMinutes);
    assertTrue(fromDate > 110_000 && fromDate <= 120_000, "HTTP date: " + fromDate);
    long garbage = policy.nextDelayMillis(1, "soon-ish");
    assertTrue(garbage >= 4_000 && garbage <= 6_000, "an unreadable header falls back to the schedule");
    assertEquals(-1, policy.nextDelayMillis(10, "5"), "Retry-After does not add attempts");
  }

  @Test
  void aScheduleNeedsAnEntryAndValidDurations() {
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(List.of(), "1h"));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(List.of("5 seconds"), "1h"));
  }
}
