package dev.switchboard.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CidrSetTest {

  @Test
  void ipv4AndIpv6NetworksContainTheirAddresses() {
    CidrSet set = CidrSet.parse(List.of("10.0.0.0/8", "192.168.1.7", "169.254.0.0/16", "fe80::/10", "2001:db8::/33"));
    assertTrue(set.contains("10.200.3.4"));
    assertFalse(set.contains("11.0.0.1"));
    assertTrue(set.contains("192.168.1.7"));
    assertFalse(set.contains("192.168.1.8"));
    assertTrue(set.contains("169.254.169.254"));
    assertTrue(set.contains("fe80::1"));
    assertFalse(set.contains("fec0::1"));
    assertTrue(set.contains("2001:db8:7fff::1"));
    assertFalse(set.contains("2001:db8:8000::1"));
    assertTrue(set.contains("::ffff:10.1.2.3"), "IPv4-mapped IPv6 is compared as IPv4");
    assertFalse(set.contains("not-an-address"));
    assertFalse(set.contains((String) null));
  }

  @Test
  void anIpv6AddressWithAZoneIsMatchedWithoutIt() {
    CidrSet set = CidrSet.parse(List.of("fe80::/10", "::1%lo"));
    assertTrue(set.contains("fe80::1%lo"));
    assertTrue(set.contains("fe80::abcd%eth0"));
    assertTrue(set.contains("::1%lo"));
    assertFalse(set.contains("2001:db8::1%eth0"));
    assertFalse(set.contains("%lo"));
  }

  @Test
  void invalidEntriesAreNamed() {
    for (String bad : List.of("10.0.0.0/33", "example.com", "10.0.0.0/x", "fe80::/129", "abc")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CidrSet.parse(List.of(bad)));
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
  }
}
