package dev.switchboard.ingest.sip;

import dev.switchboard.net.CidrSet;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the SIP layer tracks calls and registrations (config section {@code sip}).
 *
 * @param reorderWindowMicros how long a packet waits so that later-arriving earlier ones go first
 * @param maxDialogs the most calls tracked at once (ended calls linger in the same table)
 * @param ringingTimeoutMicros an unanswered call silent this long ends as missed, reason timeout
 * @param dialogTimeoutMicros an answered call silent this long ends as hung up, reason timeout
 * @param endedLingerMicros how long an ended call is remembered so late copies start nothing new
 * @param maxRegistrations the most registration bindings tracked at once
 * @param localDomains domains whose users are ours (for {@code direction})
 * @param localNetworks networks whose senders are ours (for {@code direction})
 * @param accounts the account resolution rules
 */
public record SipTrackerSettings(long reorderWindowMicros, int maxDialogs, long ringingTimeoutMicros,
    long dialogTimeoutMicros, long endedLingerMicros, int maxRegistrations, Set<String> localDomains,
    CidrSet localNetworks, AccountRules accounts) {

  /** Reads the {@code sip} section of the gateway configuration. */
  public static SipTrackerSettings fromConfig(JsonObject config) {
    JsonObject sip = config.getJsonObject("sip");
    return new SipTrackerSettings(
        sip.getLong("reorder_window_ms") * 1_000L,
        sip.getInteger("max_dialogs"),
        sip.getLong("ringing_timeout_s") * 1_000_000L,
        sip.getLong("dialog_timeout_s") * 1_000_000L,
        sip.getLong("ended_linger_s") * 1_000_000L,
        sip.getInteger("max_registrations"),
        sip.getJsonArray("local_domains").stream().map(d -> String.valueOf(d).toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet()),
        CidrSet.parse(sip.getJsonArray("local_networks").stream().map(String::valueOf).toList()),
        AccountRules.parse(sip.getJsonArray("accounts")));
  }
}
