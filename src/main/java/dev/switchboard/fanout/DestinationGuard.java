package dev.switchboard.fanout;

import dev.switchboard.net.CidrSet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a webhook may go. Resolves the target's host (on a worker thread: the JDK resolver also
 * reads {@code /etc/hosts}), refuses addresses in denied networks (by default link-local and cloud
 * metadata addresses), and hands back the checked address so the request connects to exactly what
 * was checked — a name that resolves differently a moment later cannot slip past.
 */
public final class DestinationGuard {

  private static final long CACHE_MILLIS = 30_000;
  private static final int CACHE_ENTRIES = 1_024;

  private final WorkerExecutor resolver;
  private final CidrSet denied;
  private final Map<String, Resolved> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Resolved> eldest) {
      return size() > CACHE_ENTRIES;
    }
  };

  /** @param resolver where blocking name lookups run */
  public DestinationGuard(WorkerExecutor resolver, CidrSet denied) {
    this.resolver = resolver;
    this.denied = denied;
  }

  /** A refused destination; the message is recorded on the attempt. */
  public static final class DeniedDestinationException extends RuntimeException {
    DeniedDestinationException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The address to connect to for this URI, or a failure with {@link DeniedDestinationException}
   * (denied network) or {@link UnknownHostException}. Call on the owning verticle's event loop.
   */
  public Future<SocketAddress> check(Vertx vertx, String uri) {
    long now = System.currentTimeMillis();
    Resolved cached = cache.get(uri);
    if (cached != null && cached.until > now) {
      return admit(cached);
    }
    URI parsed = URI.create(uri);
    String host = parsed.getHost();
    int port = parsed.getPort() >= 0 ? parsed.getPort() : "https".equalsIgnoreCase(parsed.getScheme()) ? 443 : 80;
    return resolver.executeBlocking(() -> InetAddress.getByName(stripBrackets(host)), false)
        .compose(address -> {
          Resolved resolved = new Resolved(host, address, SocketAddress.inetSocketAddress(port, address.getHostAddress()),
              now + CACHE_MILLIS);
          cache.put(uri, resolved);
          return admit(resolved);
        });
  }

  private Future<SocketAddress> admit(Resolved resolved) {
    if (denied.contains(resolved.address)) {
      return Future.failedFuture(new DeniedDestinationException("destination " + resolved.host + " resolves to "
          + resolved.address.getHostAddress() + ", in a denied network (fanout.deny_networks " + denied + ")"));
    }
    return Future.succeededFuture(resolved.server);
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** A URI's host, what it resolved to and the address to connect to, until a time. */
  private record Resolved(String host, InetAddress address, SocketAddress server, long until) {
  }
}
