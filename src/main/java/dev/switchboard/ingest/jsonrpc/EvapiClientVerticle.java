package dev.switchboard.ingest.jsonrpc;

import dev.switchboard.event.Event;
import dev.switchboard.event.EventJson;
import dev.switchboard.event.Timestamps;
import dev.switchboard.ingest.IntakeQueue;
import dev.switchboard.ingest.RateLimitedLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;

/**
 * The Kamailio {@code evapi} client: connects to Kamailio's evapi server ({@code evapi} =
 * {@code host:port}), reads netstring (or plain) JSON events, maps them like the other transports,
 * and reconnects with exponential backoff (up to {@code evapi_reconnect_max_ms}) when the link
 * drops. The link going down and coming back are events too: {@code system.link_down} and
 * {@code system.link_up}, with {@code link: "evapi"} and the {@code peer}.
 *
 * <p>Config: {@code evapi} (empty turns it off), {@code evapi_reconnect_max_ms},
 * {@code jsonrpc.mappings} and {@code jsonrpc.max_frame_bytes}.
 */
public final class EvapiClientVerticle extends VerticleBase {

  private static final Logger LOG = System.getLogger(EvapiClientVerticle.class.getName());
  private static final long FIRST_RETRY_MS = 100;

  /** A parsed {@code host:port}. */
  public record Peer(String host, int port) {
    @Override
    public String toString() {
      return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  private final TransportCounters counters = new TransportCounters();
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, 30_000);
  private Peer peer;
  private NetClient client;
  private NetSocket socket;
  private IntakeQueue queue;
  private EventMapper mapper;
  private int maxFrameBytes;
  private long maxBackoffMs;
  private long backoffMs = FIRST_RETRY_MS;
  private long retryTimer = -1;
  private boolean stopping;
  private volatile boolean connected;

  /** {@code host:port} or {@code [v6]:port}; {@code null} when it is not one. */
  public static Peer parsePeer(String text) {
    String trimmed = text.trim();
    int colon = trimmed.lastIndexOf(':');
    if (colon <= 0 || colon == trimmed.length() - 1) {
      return null;
    }
    String host = trimmed.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(trimmed.substring(colon + 1));
      return port >= 1 && port <= 65535 && !host.isBlank() ? new Peer(host, port) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public Future<?> start() {
    String configured = config().getString("evapi");
    if (configured.isBlank()) {
      return Future.succeededFuture();
    }
    peer = parsePeer(configured);
    if (peer == null) {
      return Future.failedFuture(new IllegalArgumentException("evapi must be host:port, got '" + configured + "'"));
    }
    maxBackoffMs = config().getLong("evapi_reconnect_max_ms");
    maxFrameBytes = config().getJsonObject("jsonrpc").getInteger("max_frame_bytes");
    mapper = new EventMapper(config().getJsonObject("jsonrpc").getJsonArray("mappings"));
    queue = IntakeQueue.forAdapter(vertx, config());
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000).setTcpKeepAlive(true));
    connect();
    // Kamailio may start after the gateway: not being connected yet is normal, not a start failure.
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    Future<Void> closed = socket == null ? Future.succeededFuture() : socket.close();
    return closed.eventually(() -> client == null ? Future.succeededFuture() : client.close())
        .eventually(() -> queue == null ? Future.succeededFuture() : queue.drained());
  }

  /** Whether the link to Kamailio is up now. */
  public boolean connected() {
    return connected;
  }

  /** What has been received so far. */
  public TransportCounters counters() {
    return counters;
  }

  private void connect() {
    retryTimer = -1;
    if (stopping) {
      return;
    }
    client.connect(peer.port(), peer.host()).onComplete(attempt -> {
      if (attempt.failed()) {
        warnings.warn("connect", () -> "evapi " + peer + " not reachable (" + attempt.cause().getMessage()
            + "); retrying with backoff up to " + maxBackoffMs + " ms");
        retryLater();
        return;
      }
      if (stopping) {
        attempt.result().close();
        return;
      }
      linked(attempt.result());
    });
  }

  private void linked(NetSocket linked) {
    socket = linked;
    connected = true;
    backoffMs = FIRST_RETRY_MS;
    LOG.log(Level.INFO, "evapi link to " + peer + " is up");
    queue.offer(linkEvent("link_up", peer.toString()));
    FrameReader reader = new FrameReader(maxFrameBytes);
    linked.handler(data -> {
      try {
        reader.feed(data, this::frame);
      } catch (FrameReader.FramingException e) {
        counters.malformed.incrementAndGet();
        warnings.warn("framing", () -> "evapi stream from " + peer + " broke its framing (" + e.getMessage()
            + "): reconnecting");
        linked.handler(null);
        linked.close();
      }
    });
    linked.closeHandler(closed -> {
      socket = null;
      connected = false;
      if (!stopping) {
        LOG.log(Level.WARNING, "evapi link to " + peer + " went down; reconnecting");
        queue.offer(linkEvent("link_down", peer.toString()));
        retryLater();
      }
    });
  }

  private void retryLater() {
    if (stopping) {
      return;
    }
    long delay = backoffMs;
    backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    retryTimer = vertx.setTimer(delay, id -> connect());
  }

  private void frame(FrameReader.Frame frame) {
    counters.frames.incrementAndGet();
    Map<String, Object> object;
    try {
      object = EventJson.parseObject(frame.json());
    } catch (IOException e) {
      counters.malformed.incrementAndGet();
      warnings.warn("malformed", () -> "evapi frame is not a JSON object: " + e.getMessage());
      return;
    }
    Notification notification = Notification.read(object, "evapi");
    if (notification == null) {
      counters.malformed.incrementAndGet();
      return;
    }
    counters.events.incrementAndGet();
    String source = EventMapper.sourceOf(notification.method(), "kamailio");
    queue.offer(mapper.map(source, "evapi", notification.method(), notification.params(), Timestamps.nowMicros()));
  }

  /** {@code system.link_up} or {@code system.link_down} for the link to {@code peer}. */
  static Event linkEvent(String name, String peer) {
    return Event.builder("system", name)
        .put("link", "evapi")
        .put("peer", peer)
        .build();
  }
}
