package dev.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The softswitch listeners' keys: defaults, environment overrides and the checks that name the key. */
class IngestConfigTest {

  private static JsonObject resolve(Map<String, String> env) {
    JsonObject defaults = ConfigLoader.defaults();
    return ConfigLoader.resolve(defaults, defaults.copy(), env, new Properties());
  }

  @Test
  void defaultsListenOnTheUsualPortsAndEnvironmentMovesOrDisablesThem() {
    JsonObject defaults = resolve(Map.of());
    assertEquals(9060, defaults.getJsonObject("hep").getInteger("port"));
    assertEquals(9070, defaults.getJsonObject("datagram").getInteger("port"));
    assertEquals(9071, defaults.getJsonObject("jsonrpc").getInteger("port"));
    assertEquals("", defaults.getString("evapi"));

    JsonObject moved = resolve(Map.of("SWITCHBOARD_HEP_PORT", "0", "SWITCHBOARD_DATAGRAM_PORT", "19070",
        "SWITCHBOARD_JSONRPC_PORT", "19071", "SWITCHBOARD_EVAPI", "10.0.0.5:8448",
        "SWITCHBOARD_SIP_LOCAL_DOMAINS", "pbx.example.com,example.org",
        "SWITCHBOARD_SIP_ACCOUNTS", "[{\"to_domain\":\"acme.example\",\"account_id\":\"acme\"}]"));
    assertEquals(0, moved.getJsonObject("hep").getInteger("port"));
    assertEquals(19070, moved.getJsonObject("datagram").getInteger("port"));
    assertEquals(19071, moved.getJsonObject("jsonrpc").getInteger("port"));
    assertEquals("10.0.0.5:8448", moved.getString("evapi"));
    assertEquals(2, moved.getJsonObject("sip").getJsonArray("local_domains").size());
    assertEquals(1, moved.getJsonObject("sip").getJsonArray("accounts").size());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    ConfigException problems = assertThrows(ConfigException.class, () -> resolve(Map.of(
        "SWITCHBOARD_HEP_PORT", "70000",
        "SWITCHBOARD_EVAPI", "kamailio-without-port",
        "SWITCHBOARD_SIP_MAX_DIALOGS", "0",
        "SWITCHBOARD_SIP_LOCAL_NETWORKS", "not-a-network",
        "SWITCHBOARD_SIP_ACCOUNTS", "[{\"to_domain\":\"acme.example\"}]",
        "SWITCHBOARD_JSONRPC_MAPPINGS", "[{\"method\":\"E_X\"}]")));
    String all = String.join("\n", problems.problems());
    for (String key : new String[] {"hep.port", "evapi", "sip.max_dialogs", "sip.local_networks", "sip.accounts",
        "jsonrpc.mappings"}) {
      assertTrue(all.contains(key + ":") || all.contains(key + " "), key + " in:\n" + all);
    }
  }
}
