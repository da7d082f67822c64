package dev.switchboard.ingest.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A SIP request or response, parsed leniently and lazily: {@link #parse} finds the start line,
 * the header lines and the body, and remembers only their offsets; a header becomes a string when
 * it is asked for. Compact header names ({@code i f t v m l c k ...}) match their long forms.
 */
public final class SipMessage {

  private static final int MAX_HEADERS = 128;
  private static final String[][] COMPACT = {
      {"call-id", "i"}, {"from", "f"}, {"to", "t"}, {"via", "v"}, {"contact", "m"}, {"content-length", "l"},
      {"content-type", "c"}, {"supported", "k"}, {"subject", "s"}, {"content-encoding", "e"}, {"event", "o"},
      {"refer-to", "r"}, {"referred-by", "b"}, {"allow-events", "u"}, {"session-expires", "x"}};

  private final byte[] bytes;
  private final String method;
  private final String requestUri;
  private final int statusCode;
  private final String reasonPhrase;
  /** Four offsets per header line: name start, name end, value start, value end. */
  private final int[] headerOffsets;
  private final int headerCount;
  private final int bodyStart;
  private final int bodyEnd;

  private SipMessage(byte[] bytes, String method, String requestUri, int statusCode, String reasonPhrase,
      int[] headerOffsets, int headerCount, int bodyStart, int bodyEnd) {
    this.bytes = bytes;
    this.method = method;
    this.requestUri = requestUri;
    this.statusCode = statusCode;
    this.reasonPhrase = reasonPhrase;
    this.headerOffsets = headerOffsets;
    this.headerCount = headerCount;
    this.bodyStart = bodyStart;
    this.bodyEnd = bodyEnd;
  }

  /**
   * Parses a whole message. Accepts CRLF or bare LF line ends, folded header lines, any header
   * order, a missing or wrong Content-Length; rejects only what has no valid start line.
   *
   * @param bytes the message; kept, not copied, so it must not change afterwards
   * @throws SipFormatException when the start line is not a SIP request or status line
   */
  public static SipMessage parse(byte[] bytes) throws SipFormatException {
    int lineEnd = lineEnd(bytes, 0);
    if (lineEnd < 0) {
      throw new SipFormatException("no line end after the start line");
    }
    String startLine = new String(bytes, 0, trimCr(bytes, 0, lineEnd), StandardCharsets.UTF_8);
    String method = null;
    String requestUri = null;
    int statusCode = 0;
    String reason = null;
    if (startLine.startsWith("SIP/2.0 ")) {
      if (startLine.length() < 11 || !Character.isDigit(startLine.charAt(8)) || !Character.isDigit(startLine.charAt(9))
          || !Character.isDigit(startLine.charAt(10)) || (startLine.length() > 11 && startLine.charAt(11) != ' ')) {
        throw new SipFormatException("bad status line: " + abbreviate(startLine));
      }
      statusCode = Integer.parseInt(startLine.substring(8, 11));
      if (statusCode < 100) {
        throw new SipFormatException("bad status code: " + abbreviate(startLine));
      }
      reason = startLine.length() > 12 ? startLine.substring(12).trim() : "";
    } else {
      int firstSpace = startLine.indexOf(' ');
      int lastSpace = startLine.lastIndexOf(' ');
      if (firstSpace <= 0 || lastSpace <= firstSpace + 1 || !startLine.substring(lastSpace + 1).equals("SIP/2.0")) {
        throw new SipFormatException("not a SIP start line: " + abbreviate(startLine));
      }
      method = startLine.substring(0, firstSpace);
      for (int i = 0; i < method.length(); i++) {
        char c = method.charAt(i);
        if (!(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && c != '-' && c != '_' && c != '.') {
          throw new SipFormatException("bad method: " + abbreviate(startLine));
        }
      }
      requestUri = startLine.substring(firstSpace + 1, lastSpace).trim();
    }
    int[] offsets = new int[64];
    int count = 0;
    int at = lineEnd + 1;
    int bodyStart = bytes.length;
    while (at < bytes.length) {
      int end = lineEnd(bytes, at);
      if (end < 0) {
        end = bytes.length;
      }
      int contentEnd = trimCr(bytes, at, end) + at;
      if (contentEnd == at) {
        bodyStart = Math.min(end + 1, bytes.length);
        break;
      }
      if ((bytes[at] == ' ' || bytes[at] == '\t') && count > 0) {
        offsets[count * 4 - 1] = contentEnd;
      } else {
        int colon = indexOf(bytes, at, contentEnd, (byte) ':');
        if (colon > at && count < MAX_HEADERS) {
          if (count * 4 == offsets.length) {
            int[] grown = new int[offsets.length * 2];
            System.arraycopy(offsets, 0, grown, 0, offsets.length);
            offsets = grown;
          }
          int nameEnd = colon;
          while (nameEnd > at && (bytes[nameEnd - 1] == ' ' || bytes[nameEnd - 1] == '\t')) {
            nameEnd--;
          }
          int valueStart = colon + 1;
          while (valueStart < contentEnd && (bytes[valueStart] == ' ' || bytes[valueStart] == '\t')) {
            valueStart++;
          }
          offsets[count * 4] = at;
          offsets[count * 4 + 1] = nameEnd;
          offsets[count * 4 + 2] = valueStart;
          offsets[count * 4 + 3] = contentEnd;
          count++;
        }
      }
      at = end + 1;
    }
    SipMessage partial = new SipMessage(bytes, method, requestUri, statusCode, reason, offsets, count, bodyStart,
        bytes.length);
    int bodyEnd = bytes.length;
    String length = partial.header("Content-Length");
    if (length != null) {
      try {
        int declared = Integer.parseInt(length.trim());
        if (declared >= 0 && bodyStart + declared < bytes.length) {
          bodyEnd = bodyStart + declared;
        }
      } catch (NumberFormatException lenient) {
        // A bad Content-Length is ignored: the datagram's end is the body's end.
      }
    }
    return new SipMessage(bytes, method, requestUri, statusCode, reason, offsets, count, bodyStart, bodyEnd);
  }

  /** Whether this is a request (otherwise a response). */
  public boolean isRequest() {
    return method != null;
  }

  /** The request method as sent ({@code INVITE}), {@code null} for a response. */
  public String method() {
    return method;
  }

  /** The Request-URI, {@code null} for a response. */
  public String requestUri() {
    return requestUri;
  }

  /** The response status code, 0 for a request. */
  public int statusCode() {
    return statusCode;
  }

  /** The response reason phrase, {@code null} for a request. */
  public String reasonPhrase() {
    return reasonPhrase;
  }

  /** The first value of a header (long or compact name, case-insensitive), {@code null} when absent. */
  public String header(String name) {
    String[] names = names(name);
    for (int i = 0; i < headerCount; i++) {
      if (nameIs(i, names)) {
        return value(i);
      }
    }
    return null;
  }

  /**
   * Every value of a header, in order: repeated header lines and comma-separated values both count
   * (commas inside quotes or angle brackets do not split).
   */
  public List<String> headers(String name) {
    String[] names = names(name);
    List<String> values = new ArrayList<>(2);
    for (int i = 0; i < headerCount; i++) {
      if (nameIs(i, names)) {
        splitCommas(value(i), values);
      }
    }
    return values;
  }

  /** The Call-ID, {@code null} when absent. */
  public String callId() {
    String value = header("Call-ID");
    return value == null || value.isEmpty() ? null : value;
  }

  /** The CSeq number, -1 when absent or not a number. */
  public long cseqNumber() {
    String value = header("CSeq");
    if (value == null) {
      return -1;
    }
    int space = value.indexOf(' ');
    try {
      return Long.parseLong(space < 0 ? value : value.substring(0, space));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The CSeq method in upper case, {@code null} when absent. */
  public String cseqMethod() {
    String value = header("CSeq");
    if (value == null) {
      return null;
    }
    int space = value.indexOf(' ');
    return space < 0 ? null : value.substring(space + 1).trim().toUpperCase(Locale.ROOT);
  }

  /** The From header, {@code null} when absent. */
  public NameAddress from() {
    String value = header("From");
    return value == null ? null : NameAddress.parse(value);
  }

  /** The To header, {@code null} when absent. */
  public NameAddress to() {
    String value = header("To");
    return value == null ? null : NameAddress.parse(value);
  }

  /** Every Contact, in order; {@code *} comes back as a contact whose URI is {@code *}. */
  public List<NameAddress> contacts() {
    List<String> values = headers("Contact");
    List<NameAddress> contacts = new ArrayList<>(values.size());
    for (String value : values) {
      contacts.add(NameAddress.parse(value));
    }
    return contacts;
  }

  /** The Expires header in seconds, -1 when absent or not a number. */
  public long expires() {
    String value = header("Expires");
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The media type of the body in lower case without parameters, {@code null} when absent. */
  public String contentType() {
    String value = header("Content-Type");
    if (value == null) {
      return null;
    }
    int semicolon = value.indexOf(';');
    return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  /** The body's length in bytes. */
  public int bodyLength() {
    return bodyEnd - bodyStart;
  }

  /** The body as UTF-8 text ({@code ""} when there is none). */
  public String bodyText() {
    return new String(bytes, bodyStart, bodyEnd - bodyStart, StandardCharsets.UTF_8);
  }

  /** Whether the body is an SDP offer or answer. */
  public boolean hasSdp() {
    return bodyLength() > 0 && "application/sdp".equals(contentType());
  }

  /** The media direction the SDP body asks for, or {@link SdpHold.Direction#NONE} without SDP. */
  public SdpHold.Direction sdpDirection() {
    return hasSdp() ? SdpHold.direction(bytes, bodyStart, bodyEnd) : SdpHold.Direction.NONE;
  }

  @Override
  public String toString() {
    return isRequest() ? method + " " + requestUri : "SIP/2.0 " + statusCode + " " + reasonPhrase;
  }

  private String value(int i) {
    int start = headerOffsets[i * 4 + 2];
    int end = headerOffsets[i * 4 + 3];
    String value = new String(bytes, start, end - start, StandardCharsets.UTF_8);
    if (value.indexOf('\n') >= 0) {
      value = value.replaceAll("\\r?\\n[ \\t]+", " ");
    }
    return value.trim();
  }

  private boolean nameIs(int i, String[] names) {
    int start = headerOffsets[i * 4];
    int length = headerOffsets[i * 4 + 1] - start;
    for (String name : names) {
      if (name.length() == length && equalsIgnoreCase(start, name)) {
        return true;
      }
    }
    return false;
  }

  private boolean equalsIgnoreCase(int start, String lowerName) {
    for (int k = 0; k < lowerName.length(); k++) {
      int b = bytes[start + k];
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != lowerName.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static String[] names(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String[] pair : COMPACT) {
      if (pair[0].equals(lower) || pair[1].equals(lower)) {
        return pair;
      }
    }
    return new String[] {lower};
  }

  private static void splitCommas(String value, List<String> into) {
    boolean quoted = false;
    int angle = 0;
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      } else if (!quoted && c == '<') {
        angle++;
      } else if (!quoted && c == '>' && angle > 0) {
        angle--;
      } else if (!quoted && angle == 0 && c == ',') {
        addTrimmed(value.substring(start, i), into);
        start = i + 1;
      }
    }
    addTrimmed(value.substring(start), into);
  }

  private static void addTrimmed(String part, List<String> into) {
    String trimmed = part.trim();
    if (!trimmed.isEmpty()) {
      into.add(trimmed);
    }
  }

  private static int lineEnd(byte[] bytes, int from) {
    return indexOf(bytes, from, bytes.length, (byte) '\n');
  }

  private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  /** The length of the line from {@code start} to {@code end} without a trailing CR. */
  private static int trimCr(byte[] bytes, int start, int end) {
    return end > start && bytes[end - 1] == '\r' ? end - start - 1 : end - start;
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "…";
  }
}
