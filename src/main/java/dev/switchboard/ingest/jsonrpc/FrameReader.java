package dev.switchboard.ingest.jsonrpc;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a TCP stream into JSON texts, whichever framing the peer uses: netstrings
 * ({@code 12:{"a":"b"...},}, Kamailio's {@code janssonrpcc} and {@code evapi}) or JSON values
 * back to back, optionally separated by whitespace (OpenSIPS {@code event_stream}). Each frame
 * decides its own framing by its first byte: a digit starts a netstring, {@code {} or {@code [} a
 * JSON value. Bounded: a frame larger than the limit is an error, as is anything else.
 */
final class FrameReader {

  /** A framing error: the stream cannot be trusted past this point. */
  static final class FramingException extends Exception {
    FramingException(String message) {
      super(message, null, false, false);
    }
  }

  /** How a frame was framed, so that a reply can be framed the same way. */
  enum Framing { NETSTRING, JSON }

  /** One frame's text and framing. */
  record Frame(String json, Framing framing) {
  }

  private final int maxFrameBytes;
  private Buffer pending = Buffer.buffer();
  private int start;
  // Scan state of an unfinished back-to-back JSON value, so a large frame is scanned once.
  private int scanned;
  private int depth;
  private boolean inString;
  private boolean escaped;

  FrameReader(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Adds bytes from the stream and passes on every frame they complete. */
  void feed(Buffer data, Consumer<Frame> frames) throws FramingException {
    pending.appendBuffer(data);
    while (true) {
      while (start < pending.length() && isWhitespace(pending.getByte(start))) {
        start++;
      }
      if (start >= pending.length()) {
        compact();
        return;
      }
      byte first = pending.getByte(start);
      Frame frame;
      if (first >= '0' && first <= '9') {
        frame = netstring();
      } else if (first == '{' || first == '[') {
        frame = jsonValue();
      } else {
        throw new FramingException("expected a netstring length or a JSON value, got byte " + (first & 0xFF));
      }
      if (frame == null) {
        if (pending.length() - start > maxFrameBytes + 12) {
          throw new FramingException("frame larger than " + maxFrameBytes + " bytes");
        }
        compact();
        return;
      }
      frames.accept(frame);
    }
  }

  private Frame netstring() throws FramingException {
    int at = start;
    long length = 0;
    while (at < pending.length()) {
      byte b = pending.getByte(at);
      if (b == ':') {
        break;
      }
      if (b < '0' || b > '9' || at - start >= 10) {
        throw new FramingException("bad netstring length");
      }
      length = length * 10 + (b - '0');
      at++;
    }
    if (at >= pending.length()) {
      return null;
    }
    if (length > maxFrameBytes) {
      throw new FramingException("netstring of " + length + " bytes is larger than " + maxFrameBytes);
    }
    int textStart = at + 1;
    int end = textStart + (int) length;
    if (end >= pending.length()) {
      return null;
    }
    if (pending.getByte(end) != ',') {
      throw new FramingException("netstring does not end with ','");
    }
    String json = pending.getString(textStart, end, StandardCharsets.UTF_8.name());
    start = end + 1;
    return new Frame(json, Framing.NETSTRING);
  }

  private Frame jsonValue() throws FramingException {
    int at = Math.max(start, scanned);
    if (at == start) {
      depth = 0;
      inString = false;
      escaped = false;
    }
    while (at < pending.length()) {
      byte b = pending.getByte(at++);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (b == '\\') {
          escaped = true;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        depth++;
      } else if (b == '}' || b == ']') {
        depth--;
        if (depth == 0) {
          String json = pending.getString(start, at, StandardCharsets.UTF_8.name());
          start = at;
          scanned = 0;
          return new Frame(json, Framing.JSON);
        }
      }
      if (at - start > maxFrameBytes) {
        throw new FramingException("JSON value larger than " + maxFrameBytes + " bytes");
      }
    }
    scanned = at;
    return null;
  }

  private void compact() {
    if (start > 0) {
      scanned = scanned > 0 ? scanned - start : 0;
      pending = pending.getBuffer(start, pending.length());
      start = 0;
    }
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }
}
