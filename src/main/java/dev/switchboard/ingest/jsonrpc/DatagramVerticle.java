package dev.switchboard.ingest.jsonrpc;

import dev.switchboard.event.EventJson;
import dev.switchboard.event.Timestamps;
import dev.switchboard.ingest.IntakeQueue;
import dev.switchboard.ingest.RateLimitedLog;
import dev.switchboard.ingest.UdpReceiver;
import dev.switchboard.net.CidrSet;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * UDP JSON datagrams (default port 9070): one event per datagram, an OpenSIPS
 * {@code event_datagram} JSON-RPC notification or a plain JSON object (Kamailio
 * {@code send_data}), mapped by {@link EventMapper}.
 *
 * <p>Config: {@code datagram.*} (port 0 turns it off), {@code jsonrpc.mappings}.
 */
public final class DatagramVerticle extends VerticleBase {

  private static final Logger LOG = System.getLogger(DatagramVerticle.class.getName());
  private static final int MAX_PENDING_DATAGRAMS = 50_000;

  private final TransportCounters counters = new TransportCounters();
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, 10_000);
  private UdpReceiver socket;
  private IntakeQueue queue;
  private EventMapper mapper;
  private CidrSet allowed;
  private int port;

  @Override
  public Future<?> start() {
    JsonObject settings = config().getJsonObject("datagram");
    int configuredPort = settings.getInteger("port");
    if (configuredPort == 0) {
      return Future.succeededFuture();
    }
    allowed = CidrSet.parse(settings.getJsonArray("allow").stream().map(String::valueOf).toList());
    mapper = new EventMapper(config().getJsonObject("jsonrpc").getJsonArray("mappings"));
    queue = IntakeQueue.forAdapter(vertx, config());
    String host = settings.getString("host");
    return UdpReceiver.open(vertx, context, host, configuredPort, settings.getInteger("receive_buffer_bytes"),
        MAX_PENDING_DATAGRAMS, this::datagram).onSuccess(receiver -> {
      socket = receiver;
      port = configuredPort;
      LOG.log(Level.INFO, "JSON datagrams listening on udp " + host + ":" + port);
    });
  }

  @Override
  public Future<?> stop() {
    return socket == null ? Future.succeededFuture() : socket.close().eventually(queue::drained);
  }

  /** The UDP port, 0 when off. */
  public int port() {
    return port;
  }

  /** What has been received so far. */
  public TransportCounters counters() {
    return counters;
  }

  private void datagram(UdpReceiver.Datagram packet) {
    counters.frames.incrementAndGet();
    String sender = packet.sender();
    if (!allowed.isEmpty() && !allowed.contains(sender)) {
      counters.notAllowed.incrementAndGet();
      warnings.warn("not-allowed", () -> "JSON datagram from " + sender + " dropped: not in datagram.allow");
      return;
    }
    Map<String, Object> object;
    try {
      object = EventJson.parseObject(new String(packet.data(), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      counters.malformed.incrementAndGet();
      warnings.warn("malformed", () -> "datagram from " + sender + " is not a JSON object: " + e.getMessage());
      return;
    }
    Notification notification = Notification.read(object, "datagram");
    if (notification == null) {
      counters.malformed.incrementAndGet();
      return;
    }
    String source = EventMapper.sourceOf(notification.method(), "kamailio");
    counters.events.incrementAndGet();
    queue.offer(mapper.map(source, "datagram", notification.method(), notification.params(), Timestamps.nowMicros()));
  }
}
