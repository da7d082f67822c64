package dev.switchboard.ingest.sip;

/**
 * Reads just enough of an SDP body to tell whether it puts the call on hold: a media stream is held
 * when its direction ({@code a=sendonly}, {@code a=recvonly}, {@code a=inactive}, at media level or
 * inherited from session level) says so or its connection address is {@code 0.0.0.0}; the call is
 * held when every active stream (port not 0) is.
 */
public final class SdpHold {

  /** What an SDP body says about the call's media. */
  public enum Direction {
    /** No SDP, or SDP without active media: says nothing about hold. */
    NONE,
    /** Media flows both ways. */
    ACTIVE,
    /** Every active stream is on hold. */
    HELD
  }

  private SdpHold() {
  }

  /** The direction of the SDP between {@code start} and {@code end} of {@code bytes}. */
  public static Direction direction(byte[] bytes, int start, int end) {
    Stream session = new Stream();
    Stream media = null;
    int activeStreams = 0;
    int heldStreams = 0;
    int at = start;
    while (at < end) {
      int lineEnd = at;
      while (lineEnd < end && bytes[lineEnd] != '\n') {
        lineEnd++;
      }
      int contentEnd = lineEnd > at && bytes[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
      if (contentEnd - at >= 2 && bytes[at + 1] == '=') {
        byte type = bytes[at];
        Stream current = media == null ? session : media;
        if (type == 'm') {
          if (media != null && media.active) {
            activeStreams++;
            heldStreams += media.held(session) ? 1 : 0;
          }
          media = new Stream();
          media.active = !zeroPort(bytes, at + 2, contentEnd);
        } else if (type == 'a') {
          Boolean held = directionHeld(bytes, at + 2, contentEnd);
          if (held != null) {
            current.directionHeld = held;
          }
        } else if (type == 'c') {
          current.nullConnection = nullAddress(bytes, at + 2, contentEnd);
        }
      }
      at = lineEnd + 1;
    }
    if (media != null && media.active) {
      activeStreams++;
      heldStreams += media.held(session) ? 1 : 0;
    }
    if (activeStreams == 0) {
      return Direction.NONE;
    }
    return heldStreams == activeStreams ? Direction.HELD : Direction.ACTIVE;
  }

  /** What one level (session or a media section) says; unset values inherit from the session. */
  private static final class Stream {
    boolean active;
    Boolean directionHeld;
    Boolean nullConnection;

    boolean held(Stream session) {
      Boolean direction = directionHeld != null ? directionHeld : session.directionHeld;
      Boolean nullConn = nullConnection != null ? nullConnection : session.nullConnection;
      return Boolean.TRUE.equals(direction) || Boolean.TRUE.equals(nullConn);
    }
  }

  private static Boolean directionHeld(byte[] bytes, int start, int end) {
    if (matches(bytes, start, end, "sendonly") || matches(bytes, start, end, "recvonly")
        || matches(bytes, start, end, "inactive")) {
      return Boolean.TRUE;
    }
    return matches(bytes, start, end, "sendrecv") ? Boolean.FALSE : null;
  }

  /** {@code c=IN IP4 0.0.0.0}: the RFC 2543 way to put a call on hold. */
  private static boolean nullAddress(byte[] bytes, int start, int end) {
    int at = end;
    while (at > start && bytes[at - 1] != ' ') {
      at--;
    }
    return matches(bytes, at, end, "0.0.0.0");
  }

  private static boolean zeroPort(byte[] bytes, int start, int end) {
    int at = start;
    while (at < end && bytes[at] != ' ') {
      at++;
    }
    return end - at >= 2 && bytes[at + 1] == '0' && (end - at == 2 || bytes[at + 2] == ' ' || bytes[at + 2] == '/');
  }

  private static boolean matches(byte[] bytes, int start, int end, String text) {
    if (end - start != text.length()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (bytes[start + i] != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
