package dev.switchboard.ingest.hep;

import dev.switchboard.auth.Secrets;
import dev.switchboard.event.Binding;
import dev.switchboard.event.Event;
import dev.switchboard.event.EventJson;
import dev.switchboard.event.Timestamps;
import dev.switchboard.ingest.IntakeQueue;
import dev.switchboard.ingest.RateLimitedLog;
import dev.switchboard.ingest.UdpReceiver;
import dev.switchboard.ingest.sip.SipEventTracker;
import dev.switchboard.ingest.sip.SipFormatException;
import dev.switchboard.ingest.sip.SipMessage;
import dev.switchboard.ingest.sip.SipPacket;
import dev.switchboard.ingest.sip.SipTrackerSettings;
import dev.switchboard.net.CidrSet;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The HEP v3 collector: receives mirrored traffic on UDP and TCP (same port, default 9060) from
 * capture agents such as Kamailio's {@code siptrace} or OpenSIPS' {@code proto_hep}, hands SIP to
 * the {@link SipEventTracker}, turns LOG packets into {@code log} events, and reports capture
 * agents coming and going ({@code system.source_up}/{@code system.source_down}).
 *
 * <p>Config: {@code hep.*} (port 0 turns the collector off), {@code sip.*},
 * {@code intake.timeout_ms}.
 */
public final class HepCollectorVerticle extends VerticleBase {

  private static final Logger LOG = System.getLogger(HepCollectorVerticle.class.getName());
  private static final long TICK_MS = 20;
  private static final int MAX_AGENTS = 10_000;
  private static final int MAX_PENDING_DATAGRAMS = 50_000;

  private final HepCounters counters = new HepCounters();
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, 10_000);
  private UdpReceiver udp;
  private NetServer tcp;
  private IntakeQueue queue;
  private SipEventTracker tracker;
  private SourceHealth health;
  private CidrSet allowed;
  private String authKey;
  private long timer = -1;
  private int port;

  @Override
  public Future<?> start() {
    JsonObject settings = config().getJsonObject("hep");
    int configuredPort = settings.getInteger("port");
    if (configuredPort == 0) {
      return Future.succeededFuture();
    }
    String host = settings.getString("host");
    authKey = settings.getString("auth_key");
    allowed = CidrSet.parse(settings.getJsonArray("allow").stream().map(String::valueOf).toList());
    queue = IntakeQueue.forAdapter(vertx, config());
    tracker = new SipEventTracker(SipTrackerSettings.fromConfig(config()), queue::offer);
    health = new SourceHealth(settings.getLong("source_silence_s") * 1_000_000L, MAX_AGENTS, queue::offer);
    tcp = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(configuredPort))
        .connectHandler(this::connection);
    return UdpReceiver.open(vertx, context, host, configuredPort, settings.getInteger("receive_buffer_bytes"),
            MAX_PENDING_DATAGRAMS, this::datagram)
        .compose(receiver -> {
          udp = receiver;
          return tcp.listen();
        })
        .onSuccess(listening -> {
          port = configuredPort;
          timer = vertx.setPeriodic(TICK_MS, id -> tick());
          LOG.log(Level.INFO, "HEP collector listening on udp+tcp " + host + ":" + port);
        });
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    Future<Void> udpClosed = udp == null ? Future.succeededFuture() : udp.close();
    Future<Void> tcpClosed = tcp == null ? Future.succeededFuture() : tcp.close();
    return Future.join(udpClosed, tcpClosed).eventually(() -> {
      if (tracker == null) {
        return Future.succeededFuture();
      }
      tracker.drain();
      return queue.drained();
    });
  }

  /** The port listened on (UDP and TCP), 0 when the collector is off. */
  public int port() {
    return port;
  }

  /** Datagrams dropped before decoding because the collector fell behind (0 when off). */
  public long droppedDatagrams() {
    return udp == null ? 0 : udp.dropped();
  }

  /** What has been received so far. */
  public HepCounters counters() {
    return counters;
  }

  private void tick() {
    long now = Timestamps.nowMicros();
    tracker.tick(now);
    health.sweep(now);
  }

  private void datagram(UdpReceiver.Datagram packet) {
    String sender = packet.sender();
    if (!allowed.isEmpty() && !allowed.contains(sender)) {
      counters.packets.incrementAndGet();
      counters.notAllowed.incrementAndGet();
      warnings.warn("not-allowed", () -> "HEP from " + sender + " dropped: not in hep.allow");
      return;
    }
    received(packet.data(), sender, "udp");
  }

  private void connection(NetSocket socket) {
    String sender = socket.remoteAddress().hostAddress();
    if (!allowed.isEmpty() && !allowed.contains(sender)) {
      counters.notAllowed.incrementAndGet();
      warnings.warn("not-allowed", () -> "HEP TCP connection from " + sender + " refused: not in hep.allow");
      socket.close();
      return;
    }
    socket.handler(new TcpFraming(socket, sender).parser);
  }

  /** Cuts a TCP stream into packets by the length in each HEP header. */
  private final class TcpFraming {
    final RecordParser parser = RecordParser.newFixed(HepDecoder.HEADER_BYTES);
    final NetSocket socket;
    final String sender;
    Buffer header;

    TcpFraming(NetSocket socket, String sender) {
      this.socket = socket;
      this.sender = sender;
      parser.handler(this::record);
    }

    void record(Buffer record) {
      if (header == null) {
        int total = HepDecoder.totalLength(record.getBytes(), 0);
        if (total < HepDecoder.HEADER_BYTES) {
          counters.packets.incrementAndGet();
          counters.malformed.incrementAndGet();
          warnings.warn("tcp-framing", () -> "HEP TCP stream from " + sender + " is not HEP v3: closing it");
          parser.handler(ignored -> { });
          socket.close();
          return;
        }
        if (total == HepDecoder.HEADER_BYTES) {
          received(record.getBytes(), sender, "tcp");
          return;
        }
        header = record;
        parser.fixedSizeMode(total - HepDecoder.HEADER_BYTES);
        return;
      }
      byte[] packet = Buffer.buffer(header.length() + record.length()).appendBuffer(header).appendBuffer(record)
          .getBytes();
      header = null;
      parser.fixedSizeMode(HepDecoder.HEADER_BYTES);
      received(packet, sender, "tcp");
    }
  }

  private void received(byte[] bytes, String sender, String transport) {
    counters.packets.incrementAndGet();
    HepPacket packet;
    try {
      packet = HepDecoder.decode(bytes);
    } catch (HepFormatException e) {
      counters.malformed.incrementAndGet();
      warnings.warn("malformed", () -> "bad HEP packet from " + sender + " (" + bytes.length + " bytes): "
          + e.getMessage());
      return;
    }
    if (!authKey.isEmpty() && !Secrets.matches(packet.authKey(), authKey)) {
      counters.unauthorized.incrementAndGet();
      warnings.warn("unauthorized", () -> "HEP packet from " + sender + " without the right hep.auth_key: dropped");
      return;
    }
    long now = Timestamps.nowMicros();
    health.seen(packet.captureId(), sender, transport, now);
    switch (packet.protocolType()) {
      case HepPacket.SIP -> sip(packet, sender, now);
      case HepPacket.LOG -> {
        counters.logs.incrementAndGet();
        queue.offer(logEvent(packet, now));
      }
      default -> counters.otherTypes.incrementAndGet();
    }
  }

  private void sip(HepPacket packet, String sender, long now) {
    SipMessage message;
    try {
      message = SipMessage.parse(packet.payload());
    } catch (SipFormatException e) {
      counters.sipUnparsable.incrementAndGet();
      warnings.warn("sip", () -> "HEP SIP payload from " + sender + " is not SIP: " + e.getMessage());
      return;
    }
    counters.sip.incrementAndGet();
    tracker.accept(new SipPacket(message, packet.timestampMicros(), packet.srcIp(), packet.src(), packet.dst(),
        packet.captureId(), packet.correlationId()), now);
  }

  /**
   * A LOG packet as a {@code log} event: named after the JSON payload's {@code event} when it has
   * a usable one (Kamailio's {@code hlog} of a dialog event gives {@code log.dialog.start}), with
   * the payload under {@code data} (JSON) or {@code text}.
   */
  static Event logEvent(HepPacket packet, long arrivalMicros) {
    String text = new String(packet.payload(), StandardCharsets.UTF_8);
    Map<String, Object> data = null;
    if (text.startsWith("{")) {
      try {
        data = EventJson.parseObject(text);
      } catch (IOException notJson) {
        data = null;
      }
    }
    String name = "message";
    if (data != null && data.get("event") instanceof String given && Binding.EVENT_PATTERN.matcher(given).matches()) {
      name = given;
    }
    Event.Builder event = Event.builder("log", name)
        .timestampMicros(packet.timestampMicros() > 0 ? packet.timestampMicros() : arrivalMicros)
        .putIfPresent("capture_id", packet.captureId() >= 0 ? packet.captureId() : null)
        .putIfPresent("correlation_id", packet.correlationId())
        .put("src", packet.src())
        .put("dst", packet.dst());
    return data != null ? event.put("data", data).build() : event.put("text", text).build();
  }
}
