package dev.switchboard;

import dev.switchboard.auth.KeyFiles;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.ops.ShutdownLogManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;

/**
 * {@code java -jar switchboard.jar [--conf FILE]}: starts one gateway node and stops it cleanly on
 * SIGTERM (stop accepting, finish what was accepted, close websockets with 1001).
 */
public final class Main {

  static {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
    }
  }

  private static final Logger LOG = System.getLogger(Main.class.getName());
  private static final long SHUTDOWN_SECONDS = 30;

  private Main() {
  }

  /** Entry point. */
  public static void main(String[] args) {
    configureLogging();
    Path confFile;
    try {
      confFile = confFile(args);
    } catch (IllegalArgumentException e) {
      LOG.log(Level.ERROR, e.getMessage() + "; usage: java -jar switchboard.jar [--conf FILE]");
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    CompletableFuture<Switchboard> running = new CompletableFuture<>();
    ConfigLoader.load(vertx, confFile, System.getenv(), System.getProperties())
        .compose(config -> vertx.executeBlocking(() -> prepare(config)))
        .compose(outcome -> Switchboard.start(vertx, outcome.config())
            .onSuccess(node -> banner(node, outcome)))
        .onComplete(started -> {
          if (started.succeeded()) {
            running.complete(started.result());
          } else {
            running.completeExceptionally(started.cause());
          }
        });
    Switchboard node;
    try {
      node = running.join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof ConfigException config) {
        config.problems().forEach(problem -> LOG.log(Level.ERROR, "configuration: " + problem));
      } else {
        LOG.log(Level.ERROR, "Switchboard failed to start: " + cause.getMessage(), cause);
      }
      vertx.close();
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, node), "switchboard-shutdown"));
  }

  private static KeyFiles.Outcome prepare(JsonObject config) throws IOException {
    if (config.getString("node_id").isBlank()) {
      config.put("node_id", InetAddress.getLocalHost().getHostName());
    }
    return KeyFiles.ensure(config);
  }

  private static void banner(Switchboard node, KeyFiles.Outcome outcome) {
    JsonObject config = outcome.config();
    StringBuilder text = new StringBuilder()
        .append("Switchboard ").append(Switchboard.version()).append(" started on node '")
        .append(config.getString("node_id")).append("'\n")
        .append("  HTTP API + ingest : http://").append(config.getJsonObject("http").getString("host"))
        .append(':').append(node.httpPort()).append("/v1/events\n")
        .append("  websocket feed    : ws://").append(config.getJsonObject("websocket").getString("host"))
        .append(':').append(node.websocketPort()).append("/events/websocket/?authkey=KEY\n")
        .append(listener("HEP collector     : udp+tcp ", config, "hep", node.hep().port()))
        .append(listener("JSON datagrams    : udp ", config, "datagram", node.datagram().port()))
        .append(listener("JSON-RPC          : tcp ", config, "jsonrpc", node.jsonRpc().port()))
        .append("  evapi client      : ")
        .append(config.getString("evapi").isBlank() ? "off" : "to " + config.getString("evapi")).append('\n')
        .append("  data directory    : ").append(Path.of(config.getString("data_dir")).toAbsolutePath().normalize());
    outcome.notes().forEach(note -> text.append("\n  ").append(note));
    LOG.log(Level.INFO, text.toString());
  }

  private static String listener(String label, JsonObject config, String section, int port) {
    String where = port == 0 ? "off" : config.getJsonObject(section).getString("host") + ":" + port;
    return "  " + label + where + "\n";
  }

  private static void shutdown(Vertx vertx, Switchboard node) {
    LOG.log(Level.INFO, "Switchboard stopping: no longer accepting, finishing what was accepted");
    try {
      // Awaited from this thread one after the other: a callback chained on the node's futures
      // would be dispatched to an event loop that vertx.close() has already terminated.
      node.stop().toCompletionStage().toCompletableFuture().get(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
      LOG.log(Level.INFO, "Switchboard stopped");
    } catch (Exception e) {
      LOG.log(Level.WARNING, "Switchboard did not stop cleanly within " + SHUTDOWN_SECONDS + " s: " + e);
    } finally {
      ShutdownLogManager.finish();
    }
  }

  static Path confFile(String[] args) {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--conf") || arg.equals("-conf")) {
        if (i + 1 == args.length) {
          throw new IllegalArgumentException(arg + " needs a file name");
        }
        file = Path.of(args[++i]);
      } else if (arg.startsWith("--conf=")) {
        file = Path.of(arg.substring("--conf=".length()));
      } else {
        throw new IllegalArgumentException("unknown argument: " + arg);
      }
    }
    return file;
  }

  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (InputStream in = Main.class.getResourceAsStream("/switchboard-logging.properties")) {
      if (in != null) {
        LogManager.getLogManager().readConfiguration(in);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read the default logging configuration: " + e.getMessage());
    }
  }
}
