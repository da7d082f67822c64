package dev.switchboard.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of IPv4 and IPv6 networks ({@code 10.0.0.0/8}, {@code ::1/128}, or a bare address),
 * answering whether an address falls in any of them.
 */
public final class CidrSet {

  private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final List<Network> networks;
  private final List<String> texts;

  private CidrSet(List<Network> networks, List<String> texts) {
    this.networks = networks;
    this.texts = List.copyOf(texts);
  }

  /**
   * @throws IllegalArgumentException naming the first entry that is not a network
   */
  public static CidrSet parse(List<String> entries) {
    List<Network> parsed = new ArrayList<>();
    for (String entry : entries) {
      parsed.add(Network.parse(entry.trim()));
    }
    return new CidrSet(parsed, entries);
  }

  /** Whether there are no networks at all. */
  public boolean isEmpty() {
    return networks.isEmpty();
  }

  /** Whether the address is in one of the networks. */
  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Network network : networks) {
      if (network.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the textual IP address is in one of the networks; {@code false} for a non-address. */
  public boolean contains(String address) {
    String unscoped = withoutScope(address);
    if (unscoped == null || !looksLikeIp(unscoped)) {
      return false;
    }
    try {
      return contains(InetAddress.getByName(unscoped));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return texts.toString();
  }

  /** An IPv6 address without its zone ({@code fe80::1%lo} is {@code fe80::1}): networks have none. */
  private static String withoutScope(String address) {
    int percent = address == null ? -1 : address.indexOf('%');
    return percent < 0 ? address : address.substring(0, percent);
  }

  /** A literal address, so that InetAddress never turns to DNS. */
  private static boolean looksLikeIp(String text) {
    return IPV4.matcher(text).matches()
        || (text.indexOf(':') >= 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':'));
  }

  private record Network(byte[] base, int prefix) {
    static Network parse(String text) {
      int slash = text.indexOf('/');
      String host = withoutScope(slash < 0 ? text : text.substring(0, slash));
      if (!looksLikeIp(host)) {
        throw new IllegalArgumentException("'" + text + "' is not an IP network (e.g. 10.0.0.0/8)");
      }
      byte[] address;
      try {
        address = InetAddress.getByName(host).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("'" + text + "' is not an IP network (e.g. 10.0.0.0/8)");
      }
      int bits = address.length * 8;
      int prefix;
      try {
        prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' has an invalid prefix length");
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
      }
      return new Network(address, prefix);
    }

    boolean contains(byte[] address) {
      byte[] candidate = address;
      if (candidate.length != base.length) {
        candidate = mapped(address, base.length);
        if (candidate == null) {
          return false;
        }
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (candidate[i] != base[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (candidate[full] & mask) == (base[full] & mask);
    }

    /** IPv4-mapped IPv6 (::ffff:a.b.c.d) compared with IPv4 networks, and the reverse. */
    private static byte[] mapped(byte[] address, int length) {
      if (address.length == 16 && length == 4) {
        for (int i = 0; i < 10; i++) {
          if (address[i] != 0) {
            return null;
          }
        }
        if (address[10] != (byte) 0xFF || address[11] != (byte) 0xFF) {
          return null;
        }
        return new byte[] {address[12], address[13], address[14], address[15]};
      }
      if (address.length == 4 && length == 16) {
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xFF;
        v6[11] = (byte) 0xFF;
        System.arraycopy(address, 0, v6, 12, 4);
        return v6;
      }
      return null;
    }
  }
}
