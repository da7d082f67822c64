package dev.switchboard.ingest.jsonrpc;

import dev.switchboard.event.EventJson;
import dev.switchboard.event.Timestamps;
import dev.switchboard.ingest.IntakeQueue;
import dev.switchboard.ingest.RateLimitedLog;
import dev.switchboard.net.CidrSet;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON-RPC 2.0 over TCP (default port 9071): softswitches connect and send notifications framed
 * as netstrings (Kamailio {@code janssonrpcc}) or as JSON back to back (OpenSIPS
 * {@code event_stream}). A request carrying an {@code id} is answered, in the same framing, once
 * intake has accepted its event ({@code "result": "OK"}) or refused it (an error, so that
 * OpenSIPS' reliable mode resends). A framing error closes the connection.
 *
 * <p>Config: {@code jsonrpc.*} (port 0 turns it off).
 */
public final class JsonRpcServerVerticle extends VerticleBase {

  private static final Logger LOG = System.getLogger(JsonRpcServerVerticle.class.getName());
  private static final int INTAKE_ERROR = -32000;

  private final TransportCounters counters = new TransportCounters();
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, 10_000);
  private NetServer server;
  private IntakeQueue queue;
  private EventMapper mapper;
  private CidrSet allowed;
  private int maxFrameBytes;

  @Override
  public Future<?> start() {
    JsonObject settings = config().getJsonObject("jsonrpc");
    int configuredPort = settings.getInteger("port");
    if (configuredPort == 0) {
      return Future.succeededFuture();
    }
    allowed = CidrSet.parse(settings.getJsonArray("allow").stream().map(String::valueOf).toList());
    maxFrameBytes = settings.getInteger("max_frame_bytes");
    mapper = new EventMapper(settings.getJsonArray("mappings"));
    queue = IntakeQueue.forAdapter(vertx, config());
    String host = settings.getString("host");
    server = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(configuredPort))
        .connectHandler(this::connection);
    return server.listen().onSuccess(listening ->
        LOG.log(Level.INFO, "JSON-RPC listening on tcp " + host + ":" + listening.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close().eventually(queue::drained);
  }

  /** The TCP port, 0 when off. */
  public int port() {
    return server == null ? 0 : server.actualPort();
  }

  /** What has been received so far. */
  public TransportCounters counters() {
    return counters;
  }

  private void connection(NetSocket socket) {
    String peer = socket.remoteAddress().hostAddress();
    if (!allowed.isEmpty() && !allowed.contains(peer)) {
      counters.notAllowed.incrementAndGet();
      warnings.warn("not-allowed", () -> "JSON-RPC connection from " + peer + " refused: not in jsonrpc.allow");
      socket.close();
      return;
    }
    FrameReader reader = new FrameReader(maxFrameBytes);
    socket.handler(data -> {
      try {
        reader.feed(data, frame -> frame(socket, peer, frame));
      } catch (FrameReader.FramingException e) {
        counters.malformed.incrementAndGet();
        warnings.warn("framing", () -> "JSON-RPC stream from " + peer + " closed: " + e.getMessage());
        socket.handler(null);
        socket.close();
      }
    });
  }

  private void frame(NetSocket socket, String peer, FrameReader.Frame frame) {
    counters.frames.incrementAndGet();
    Object value;
    try {
      value = EventJson.parseValue(frame.json());
    } catch (IOException e) {
      counters.malformed.incrementAndGet();
      warnings.warn("malformed", () -> "JSON-RPC frame from " + peer + " is not JSON: " + e.getMessage());
      return;
    }
    List<?> items = value instanceof List<?> batch ? batch : List.of(value);
    for (Object item : items) {
      if (!(item instanceof Map<?, ?> map)) {
        counters.malformed.incrementAndGet();
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> object = (Map<String, Object>) map;
      Notification notification = Notification.read(object, "notification");
      if (notification != null) {
        notification(socket, frame.framing(), notification);
      }
    }
  }

  private void notification(NetSocket socket, FrameReader.Framing framing, Notification notification) {
    String source = EventMapper.sourceOf(notification.method(), "kamailio");
    counters.events.incrementAndGet();
    var event = mapper.map(source, "jsonrpc", notification.method(), notification.params(), Timestamps.nowMicros());
    if (!notification.request()) {
      queue.offer(event);
      return;
    }
    queue.offerAndWait(event).onComplete(accepted -> {
      Map<String, Object> reply = new LinkedHashMap<>();
      reply.put("jsonrpc", "2.0");
      if (accepted.succeeded()) {
        reply.put("result", "OK");
      } else {
        reply.put("error", Map.of("code", INTAKE_ERROR, "message", String.valueOf(accepted.cause().getMessage())));
      }
      reply.put("id", notification.id());
      byte[] json = EventJson.writeValue(reply).getBytes(StandardCharsets.UTF_8);
      Buffer out = Buffer.buffer(json.length + 12);
      if (framing == FrameReader.Framing.NETSTRING) {
        out.appendString(json.length + ":").appendBytes(json).appendString(",");
      } else {
        out.appendBytes(json).appendString("\n");
      }
      socket.write(out);
    });
  }
}
