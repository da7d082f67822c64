package dev.switchboard.ingest.sip;

import java.util.Locale;

/**
 * A From, To or Contact value: {@code "Alice" <sip:alice@example.com;transport=udp>;tag=1928}.
 *
 * @param displayName the display name without quotes, {@code null} when none
 * @param uri the URI, without angle brackets
 * @param user the URI's user part ({@code alice}), {@code null} when none
 * @param host the URI's host part without port or parameters ({@code example.com})
 * @param parameters the header parameters after the URI ({@code ;tag=1928}), possibly empty
 */
public record NameAddress(String displayName, String uri, String user, String host, String parameters) {

  /** The {@code tag} parameter, {@code null} when absent. */
  public String tag() {
    return parameter("tag");
  }

  /** A header parameter's value ({@code ""} for a flag), {@code null} when absent. Names are case-insensitive. */
  public String parameter(String name) {
    int at = 0;
    while (at < parameters.length()) {
      int semicolon = parameters.indexOf(';', at);
      int next = semicolon < 0 ? parameters.length() : semicolon;
      String part = parameters.substring(at, next).trim();
      int equals = part.indexOf('=');
      String key = equals < 0 ? part : part.substring(0, equals).trim();
      if (key.equalsIgnoreCase(name)) {
        return equals < 0 ? "" : unquote(part.substring(equals + 1).trim());
      }
      at = next + 1;
    }
    return null;
  }

  /** Reads a name-addr or addr-spec; lenient: whatever cannot be understood is left out. */
  public static NameAddress parse(String value) {
    String text = value.trim();
    String display = null;
    String uri;
    String params;
    int open = openingBracket(text);
    if (open >= 0) {
      int close = text.indexOf('>', open);
      if (close < 0) {
        close = text.length();
      }
      String name = text.substring(0, open).trim();
      if (!name.isEmpty()) {
        display = unquote(name);
      }
      uri = text.substring(open + 1, close).trim();
      params = close < text.length() ? text.substring(close + 1) : "";
    } else {
      // Without brackets, parameters after the URI are header parameters (RFC 3261 20.10).
      int semicolon = text.indexOf(';');
      uri = semicolon < 0 ? text : text.substring(0, semicolon);
      params = semicolon < 0 ? "" : text.substring(semicolon);
    }
    return new NameAddress(display, uri, user(uri), host(uri), params);
  }

  private static int openingBracket(String text) {
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
        quoted = !quoted;
      } else if (c == '<' && !quoted) {
        return i;
      }
    }
    return -1;
  }

  private static String user(String uri) {
    int start = schemeEnd(uri);
    int at = uri.indexOf('@', start);
    if (at < 0) {
      return uri.regionMatches(true, 0, "tel:", 0, 4) ? stripParameters(uri.substring(start)) : null;
    }
    String user = uri.substring(start, at);
    int colon = user.indexOf(':');
    if (colon >= 0) {
      user = user.substring(0, colon);
    }
    return stripParameters(user);
  }

  private static String host(String uri) {
    int start = schemeEnd(uri);
    int at = uri.indexOf('@', start);
    String rest = at < 0 ? uri.substring(start) : uri.substring(at + 1);
    int end = rest.length();
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      return close < 0 ? rest : rest.substring(0, close + 1);
    }
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == ':' || c == ';' || c == '?' || c == '>') {
        end = i;
        break;
      }
    }
    return rest.substring(0, end).toLowerCase(Locale.ROOT);
  }

  private static int schemeEnd(String uri) {
    int colon = uri.indexOf(':');
    return colon >= 0 && colon <= 5 ? colon + 1 : 0;
  }

  private static String stripParameters(String user) {
    int semicolon = user.indexOf(';');
    return semicolon < 0 ? user : user.substring(0, semicolon);
  }

  private static String unquote(String text) {
    if (text.length() >= 2 && text.charAt(0) == '"' && text.charAt(text.length() - 1) == '"') {
      return text.substring(1, text.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return text;
  }
}
