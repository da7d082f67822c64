package dev.switchboard.ingest.sip;

import dev.switchboard.event.Event;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns mirrored SIP into call, message and registration events. One dialog per Call-ID; each
 * call gives {@code call.initial}, then at most one each of {@code call.ringing} and
 * {@code call.connected}, any {@code call.hold}/{@code call.unhold}, and exactly one of
 * {@code call.hangup} or {@code call.missed}, in that order. Because the decisions follow the
 * dialog's state, not the packets, the two copies a proxy mirrors of each message (received and
 * forwarded) and retransmissions give one event.
 *
 * <p>Not thread-safe: one event loop feeds it. Time is passed in (arrival clock, microseconds),
 * so that timeouts are testable; events carry the capture agent's timestamps.
 */
public final class SipEventTracker {

  /** The {@code source} field of every event made from mirrored SIP. */
  public static final String SOURCE = "hep";

  private static final int REORDER_LIMIT = 100_000;
  private static final int RECENT_MESSAGES = 10_000;

  private final SipTrackerSettings settings;
  private final Consumer<Event> sink;
  private final ReorderBuffer reorder;
  private final Registrations registrations;
  private final LinkedHashMap<String, Dialog> dialogs = new LinkedHashMap<>(1024, 0.75f, true);
  private final Map<String, Boolean> recentMessages = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > RECENT_MESSAGES;
    }
  };
  private final long minimumTimeoutMicros;
  private long arrivalNow;
  private long ignoredPackets;
  private long evictedDialogs;

  /**
   * @param sink receives every event, in order; called on the caller's thread
   */
  public SipEventTracker(SipTrackerSettings settings, Consumer<Event> sink) {
    this.settings = settings;
    this.sink = sink;
    this.reorder = new ReorderBuffer(settings.reorderWindowMicros(), REORDER_LIMIT);
    this.registrations = new Registrations(settings, sink);
    this.minimumTimeoutMicros = Math.min(settings.endedLingerMicros(),
        Math.min(settings.ringingTimeoutMicros(), settings.dialogTimeoutMicros()));
  }

  /** Takes a packet that arrived at {@code arrivalMicros}; it is handled once the reorder window has passed. */
  public void accept(SipPacket packet, long arrivalMicros) {
    arrivalNow = Math.max(arrivalNow, arrivalMicros);
    reorder.add(packet, arrivalMicros, this::process);
    reorder.releaseDue(arrivalNow, this::process);
  }

  /** Lets out packets whose window has passed and ends calls and registrations that timed out. */
  public void tick(long nowMicros) {
    arrivalNow = Math.max(arrivalNow, nowMicros);
    reorder.releaseDue(arrivalNow, this::process);
    sweepDialogs(arrivalNow);
    registrations.sweep(arrivalNow);
  }

  /** Handles every packet still waiting in the reorder window (on shutdown, and in tests). */
  public void drain() {
    reorder.releaseAll(this::process);
  }

  /** Calls tracked now, ended ones still remembered included. */
  public int dialogs() {
    return dialogs.size();
  }

  /** Registration bindings tracked now. */
  public int registrations() {
    return registrations.size();
  }

  /** Packets that were not usable (no Call-ID or CSeq) or belonged to no known call. */
  public long ignoredPackets() {
    return ignoredPackets;
  }

  /** Calls ended early because the dialog table was full. */
  public long evictedDialogs() {
    return evictedDialogs;
  }

  private void process(SipPacket packet) {
    SipMessage message = packet.message();
    String callId = message.callId();
    String cseqMethod = message.cseqMethod();
    if (callId == null || cseqMethod == null) {
      ignoredPackets++;
      return;
    }
    String method = message.isRequest() ? message.method().toUpperCase(Locale.ROOT) : cseqMethod;
    switch (method) {
      case "INVITE", "CANCEL", "BYE" -> call(callId, method, packet);
      case "MESSAGE" -> {
        if (message.isRequest()) {
          instantMessage(callId, packet);
        }
      }
      case "REGISTER" -> registrations.handle(packet, arrivalNow);
      default -> {
        // ACK, OPTIONS, INFO, UPDATE...: no event of their own.
      }
    }
  }

  private void call(String callId, String method, SipPacket packet) {
    SipMessage message = packet.message();
    Dialog dialog = dialogs.get(callId);
    if (dialog == null) {
      NameAddress to = message.to();
      if (message.isRequest() && method.equals("INVITE") && to != null && to.tag() == null) {
        begin(callId, packet);
      } else {
        ignoredPackets++;
      }
      return;
    }
    dialog.lastArrivalMicros = arrivalNow;
    if (dialog.state == Dialog.ENDED) {
      return;
    }
    dialog.lastTimestampMicros = Math.max(dialog.lastTimestampMicros, packet.timestampMicros());
    dialog.lastSrc = packet.src();
    dialog.lastDst = packet.dst();
    if (message.isRequest()) {
      switch (method) {
        case "INVITE" -> invite(dialog, packet);
        case "CANCEL" -> dialog.cancelled = true;
        default -> bye(dialog, packet);
      }
    } else if (method.equals("INVITE")) {
      inviteResponse(dialog, packet);
    }
  }

  private void begin(String callId, SipPacket packet) {
    if (dialogs.size() >= settings.maxDialogs()) {
      evictEldest();
    }
    SipMessage message = packet.message();
    NameAddress from = message.from();
    NameAddress to = message.to();
    String accountId = settings.accounts().resolve(new MessageFacts(message, packet.captureId()));
    Dialog dialog = new Dialog(callId, from == null ? null : from.tag(), user(from), name(from), user(to), name(to),
        direction(from, to, packet.srcIp()), accountId, packet.captureId(), packet.correlationId(),
        packet.timestampMicros());
    dialog.inviteCseq = message.cseqNumber();
    dialog.callerAddress = packet.src();
    dialog.lastTimestampMicros = packet.timestampMicros();
    dialog.lastArrivalMicros = arrivalNow;
    dialog.lastSrc = packet.src();
    dialog.lastDst = packet.dst();
    dialogs.put(callId, dialog);
    sink.accept(callEvent(dialog, "initial", packet.timestampMicros(), packet.src(), packet.dst()).build());
  }

  private void invite(Dialog dialog, SipPacket packet) {
    SipMessage message = packet.message();
    NameAddress to = message.to();
    if (to == null || to.tag() == null) {
      // The proxy's copy of the initial INVITE, or the INVITE resent with credentials after 401/407.
      dialog.inviteCseq = Math.max(dialog.inviteCseq, message.cseqNumber());
      return;
    }
    if (dialog.state != Dialog.CONNECTED) {
      return;
    }
    SdpHold.Direction media = message.sdpDirection();
    if (media == SdpHold.Direction.HELD && !dialog.held) {
      dialog.held = true;
      sink.accept(callEvent(dialog, "hold", packet.timestampMicros(), packet.src(), packet.dst())
          .put("by", party(dialog, message)).build());
    } else if (media == SdpHold.Direction.ACTIVE && dialog.held) {
      dialog.held = false;
      sink.accept(callEvent(dialog, "unhold", packet.timestampMicros(), packet.src(), packet.dst())
          .put("by", party(dialog, message)).build());
    }
  }

  private void inviteResponse(Dialog dialog, SipPacket packet) {
    SipMessage message = packet.message();
    if (message.cseqNumber() != dialog.inviteCseq) {
      return;
    }
    int code = message.statusCode();
    if (dialog.state == Dialog.EARLY) {
      if (code == 180 || code == 183) {
        if (!dialog.ringing) {
          dialog.ringing = true;
          sink.accept(callEvent(dialog, "ringing", packet.timestampMicros(), packet.src(), packet.dst())
              .put("sip_code", code).build());
        }
      } else if (code >= 200 && code < 300) {
        dialog.state = Dialog.CONNECTED;
        dialog.connectMicros = packet.timestampMicros();
        sink.accept(callEvent(dialog, "connected", packet.timestampMicros(), packet.src(), packet.dst())
            .put("sip_code", code).build());
      } else if (code >= 300 && code != 401 && code != 407 && towardCaller(dialog, packet)) {
        missed(dialog, missedReason(dialog, code), code, message.reasonPhrase(), packet.timestampMicros(),
            packet.src(), packet.dst());
      }
    }
  }

  /**
   * Whether a failure answer goes to the caller. A proxy that fails over receives a branch's
   * failure and tries the next branch: only the failure it passes on to the caller ends the call.
   */
  private static boolean towardCaller(Dialog dialog, SipPacket packet) {
    return dialog.callerAddress == null || packet.dst() == null || dialog.callerAddress.equals(packet.dst());
  }

  private void bye(Dialog dialog, SipPacket packet) {
    if (dialog.state == Dialog.CONNECTED) {
      hangup(dialog, party(dialog, packet.message()), "bye", packet.timestampMicros(), packet.src(), packet.dst());
    } else {
      missed(dialog, "cancelled", null, null, packet.timestampMicros(), packet.src(), packet.dst());
    }
  }

  private void hangup(Dialog dialog, String by, String reason, long atMicros, String src, String dst) {
    dialog.state = Dialog.ENDED;
    sink.accept(callEvent(dialog, "hangup", atMicros, src, dst)
        .put("hangup_by", by)
        .put("reason", reason)
        .put("duration", seconds(atMicros - dialog.startMicros))
        .put("billsec", seconds(atMicros - dialog.connectMicros))
        .put("sip_code", 200)
        .build());
  }

  private void missed(Dialog dialog, String reason, Integer code, String sipReason, long atMicros, String src,
      String dst) {
    dialog.state = Dialog.ENDED;
    sink.accept(callEvent(dialog, "missed", atMicros, src, dst)
        .put("reason", reason)
        .put("duration", seconds(atMicros - dialog.startMicros))
        .putIfPresent("sip_code", code)
        .putIfPresent("sip_reason", sipReason)
        .build());
  }

  private static String missedReason(Dialog dialog, int code) {
    if (dialog.cancelled || code == 487) {
      return "cancelled";
    }
    return switch (code) {
      case 486, 600 -> "busy";
      case 408, 480 -> "no_answer";
      case 603 -> "rejected";
      default -> "failed";
    };
  }

  private void sweepDialogs(long nowMicros) {
    Iterator<Dialog> eldestFirst = dialogs.values().iterator();
    while (eldestFirst.hasNext()) {
      Dialog dialog = eldestFirst.next();
      long silent = nowMicros - dialog.lastArrivalMicros;
      if (silent < minimumTimeoutMicros) {
        return;
      }
      if (dialog.state == Dialog.ENDED) {
        if (silent >= settings.endedLingerMicros()) {
          eldestFirst.remove();
        }
      } else if (silent >= (dialog.state == Dialog.EARLY ? settings.ringingTimeoutMicros()
          : settings.dialogTimeoutMicros())) {
        end(dialog, "timeout");
        eldestFirst.remove();
      }
    }
  }

  private void evictEldest() {
    Iterator<Dialog> eldestFirst = dialogs.values().iterator();
    Dialog dialog = eldestFirst.next();
    eldestFirst.remove();
    if (dialog.state != Dialog.ENDED) {
      evictedDialogs++;
      end(dialog, "evicted");
    }
  }

  /** Ends a call nobody ended: as of the last message seen, so durations are not inflated. */
  private void end(Dialog dialog, String reason) {
    if (dialog.state == Dialog.CONNECTED) {
      hangup(dialog, null, reason, dialog.lastTimestampMicros, dialog.lastSrc, dialog.lastDst);
    } else {
      missed(dialog, reason, null, null, dialog.lastTimestampMicros, dialog.lastSrc, dialog.lastDst);
    }
  }

  private void instantMessage(String callId, SipPacket packet) {
    SipMessage message = packet.message();
    if (recentMessages.put(callId + ' ' + message.cseqNumber(), Boolean.TRUE) != null) {
      return;
    }
    NameAddress from = message.from();
    NameAddress to = message.to();
    String contentType = message.contentType();
    sink.accept(Event.builder("message", "received")
        .timestampMicros(packet.timestampMicros())
        .accountId(settings.accounts().resolve(new MessageFacts(message, packet.captureId())))
        .put("source", SOURCE)
        .put("call_id", callId)
        .put("from", user(from))
        .put("from_name", name(from))
        .put("to", user(to))
        .put("to_name", name(to))
        .putIfPresent("direction", direction(from, to, packet.srcIp()))
        .put("content_type", contentType)
        .put("body", textual(contentType) ? message.bodyText() : null)
        .put("src", packet.src())
        .put("dst", packet.dst())
        .putIfPresent("capture_id", packet.captureId() >= 0 ? packet.captureId() : null)
        .putIfPresent("correlation_id", packet.correlationId())
        .build());
  }

  private static boolean textual(String contentType) {
    return contentType == null || contentType.startsWith("text/") || contentType.endsWith("json")
        || contentType.endsWith("xml");
  }

  private Event.Builder callEvent(Dialog dialog, String name, long atMicros, String src, String dst) {
    return Event.builder("call", name)
        .timestampMicros(atMicros)
        .accountId(dialog.accountId)
        .put("source", SOURCE)
        .put("call_id", dialog.callId)
        .put("from", dialog.from)
        .put("from_name", dialog.fromName)
        .put("to", dialog.to)
        .put("to_name", dialog.toName)
        .putIfPresent("direction", dialog.direction)
        .put("src", src)
        .put("dst", dst)
        .putIfPresent("capture_id", dialog.captureId >= 0 ? dialog.captureId : null)
        .putIfPresent("correlation_id", dialog.correlationId);
  }

  /** {@code caller} when the request comes from the side that sent the INVITE, else {@code callee}. */
  private static String party(Dialog dialog, SipMessage request) {
    NameAddress from = request.from();
    String tag = from == null ? null : from.tag();
    return tag != null && tag.equals(dialog.callerTag) ? "caller" : "callee";
  }

  private String direction(NameAddress from, NameAddress to, String srcIp) {
    if (settings.localDomains().isEmpty() && settings.localNetworks().isEmpty()) {
      return null;
    }
    boolean callerLocal = (from != null && settings.localDomains().contains(from.host()))
        || settings.localNetworks().contains(srcIp);
    boolean calleeLocal = to != null && settings.localDomains().contains(to.host());
    if (callerLocal) {
      return calleeLocal ? "internal" : "outbound";
    }
    return calleeLocal ? "inbound" : null;
  }

  static String user(NameAddress address) {
    return address == null ? null : address.user();
  }

  static String name(NameAddress address) {
    return address == null ? null : address.displayName();
  }

  static BigDecimal seconds(long micros) {
    return BigDecimal.valueOf(Math.max(0, micros) / 1_000, 3);
  }

  /** The facts account rules look at, read from a message on demand. */
  record MessageFacts(SipMessage message, long captureId) implements AccountRules.Facts {
    @Override
    public String fromDomain() {
      NameAddress from = message.from();
      return from == null ? null : from.host();
    }

    @Override
    public String toDomain() {
      NameAddress to = message.to();
      return to == null ? null : to.host();
    }

    @Override
    public String fromUser() {
      return user(message.from());
    }

    @Override
    public String toUser() {
      return user(message.to());
    }

    @Override
    public String header(String name) {
      return message.header(name);
    }
  }
}
