package dev.switchboard.ingest;

import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.TestConfig;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real gateway (dev.switchboard.Main in a child JVM), a real Kamailio proxy (config from
 * {@code src/test/interop/kamailio.cfg.tmpl}) and a SIPp UAS on loopback, every port picked free so
 * that nothing collides with another run or a service on the default ports. Processes are stopped
 * by the handles this class started, never by name.
 */
public final class InteropRun implements AutoCloseable {

  /** How to get the tools when they are missing. */
  public static final String INSTALL_HINT = "Kamailio and SIPp are needed: apt-get install -y --no-install-recommends "
      + "sip-tester kamailio kamailio-extra-modules kamailio-json-modules (as root), or run src/test/interop/ci.sh";

  private static final Path TEMPLATE = Path.of("src/test/interop/kamailio.cfg.tmpl");
  private static final Duration START_DEADLINE = Duration.ofSeconds(40);

  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, Integer> ports;
  private Process gateway;

  private InteropRun(Path dir, Map<String, Integer> ports) {
    this.dir = dir;
    this.ports = ports;
  }

  /**
   * Skips the calling test when Kamailio or SIPp is missing, or fails it when the system property
   * {@code interop.required} is true (CI).
   */
  public static void requireTools() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("kamailio", "sipp")) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String message = "not on the PATH: " + missing + ". " + INSTALL_HINT;
    if (Boolean.getBoolean("interop.required")) {
      fail(message);
    }
    Assumptions.abort(message);
  }

  /** Starts the gateway; {@link #startProxy()} starts the rest once the test is watching. */
  public static InteropRun startGateway(Path dir) throws Exception {
    int hep = FreePorts.udpAndTcp();
    InteropRun run = new InteropRun(dir, Map.of(
        "SIP_PORT", FreePorts.udpAndTcp(), "UAS_PORT", FreePorts.udpAndTcp(), "UAC_PORT", FreePorts.udpAndTcp(),
        "HEP_PORT", hep, "EVT_UDP_PORT", FreePorts.udpAndTcp(), "JSONRPC_PORT", FreePorts.udpAndTcp(),
        "EVAPI_PORT", FreePorts.udpAndTcp(), "WEBSOCKET_PORT", FreePorts.udpAndTcp()));
    try {
      run.startGatewayProcess();
      return run;
    } catch (Exception | AssertionError e) {
      run.close();
      throw e;
    }
  }

  /** Starts Kamailio (after the gateway: its JSON-RPC client connects at start) and the SIPp UAS. */
  public void startProxy() throws Exception {
    startKamailio();
    startUas();
  }

  /** The gateway's websocket feed port. */
  public int websocketPort() {
    return ports.get("WEBSOCKET_PORT");
  }

  /**
   * Places calls with SIPp's built-in UAC through the proxy and waits for SIPp to finish.
   *
   * @return SIPp's exit code: 0 only when every call succeeded
   */
  public int placeCalls(int calls, int ratePerSecond, int holdMillis) throws Exception {
    int timeoutSeconds = 30 + calls / Math.max(1, ratePerSecond) + holdMillis / 1000;
    Process uac = launch("uac", List.of("sipp", "-sn", "uac", "127.0.0.1:" + ports.get("SIP_PORT"), "-s", "1000",
        "-i", "127.0.0.1", "-p", String.valueOf(ports.get("UAC_PORT")), "-mi", "127.0.0.1",
        "-m", String.valueOf(calls), "-r", String.valueOf(ratePerSecond), "-l", String.valueOf(calls),
        "-d", String.valueOf(holdMillis), "-nostdin", "-timeout", String.valueOf(timeoutSeconds), "-timeout_error",
        "-trace_err"));
    if (!uac.waitFor(timeoutSeconds + 15L, TimeUnit.SECONDS)) {
      stop(uac);
      return -1;
    }
    processes.remove(uac);
    return uac.exitValue();
  }

  /** The last lines of a process's log, for failure messages. */
  public String tail(String name) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no " + name + ".log)";
    }
  }

  private void startGatewayProcess() throws Exception {
    JsonObject config = TestConfig.create(dir.resolve("data"));
    config.getJsonObject("websocket").put("port", websocketPort());
    config.getJsonObject("hep").put("port", ports.get("HEP_PORT"));
    config.getJsonObject("datagram").put("port", ports.get("EVT_UDP_PORT"));
    config.getJsonObject("jsonrpc").put("port", ports.get("JSONRPC_PORT"));
    config.put("evapi", "127.0.0.1:" + ports.get("EVAPI_PORT")).put("evapi_reconnect_max_ms", 500);
    Path conf = dir.resolve("switchboard.json");
    Files.writeString(conf, config.encodePrettily());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    gateway = launch("gateway", List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "dev.switchboard.Main", "--conf", conf.toString()));
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!gateway.isAlive()) {
        fail("the gateway exited with " + gateway.exitValue() + ":\n" + tail("gateway"));
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), websocketPort()), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    fail("the gateway did not listen within " + START_DEADLINE + ":\n" + tail("gateway"));
  }

  private void startKamailio() throws Exception {
    String cfg = Files.readString(TEMPLATE, StandardCharsets.UTF_8).replace("@RUN@", dir.toString());
    for (Map.Entry<String, Integer> port : ports.entrySet()) {
      cfg = cfg.replace("@" + port.getKey() + "@", String.valueOf(port.getValue()));
    }
    Path rendered = dir.resolve("kamailio.cfg");
    Files.writeString(rendered, cfg);
    Process check = launch("kamailio-check", List.of("kamailio", "-c", "-f", rendered.toString()));
    if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
      fail("kamailio -c rejected the config:\n" + tail("kamailio-check"));
    }
    processes.remove(check);
    Process kamailio = launch("kamailio", List.of("kamailio", "-f", rendered.toString(), "-DD", "-E"));
    awaitUdpBound(kamailio, "kamailio", ports.get("SIP_PORT"));
  }

  private void startUas() throws Exception {
    Process uas = launch("uas", List.of("sipp", "-sf", ringingUasScenario().toString(), "-i", "127.0.0.1", "-p",
        String.valueOf(ports.get("UAS_PORT")), "-mi", "127.0.0.1", "-nostdin", "-trace_err"));
    awaitUdpBound(uas, "uas", ports.get("UAS_PORT"));
  }

  /**
   * SIPp's own UAS scenario with a 50 ms pause between its 180 Ringing and its 200 OK. Sent back
   * to back, the two are relayed by different Kamailio processes and now and then leave the proxy
   * in the opposite order, so the caller's side (and the mirrored SIP) never sees the call ring.
   */
  private Path ringingUasScenario() throws Exception {
    Process dump = new ProcessBuilder("sipp", "-sd", "uas").redirectErrorStream(false).start();
    String builtIn = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    dump.waitFor(10, TimeUnit.SECONDS);
    String ringing = builtIn.replaceFirst("(</send>\\s*)(<send retrans=\"500\">)",
        "$1<pause milliseconds=\"50\"/>\n  $2");
    if (ringing.equals(builtIn)) {
      fail("SIPp's built-in uas scenario has changed; cannot add the pause before its 200 OK:\n" + builtIn);
    }
    Path scenario = dir.resolve("uas-rings.xml");
    Files.writeString(scenario, ringing);
    return scenario;
  }

  private void awaitUdpBound(Process process, String name, int port) throws Exception {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail(name + " exited with " + process.exitValue() + ":\n" + tail(name));
      }
      if (udpBound(port)) {
        return;
      }
      Thread.sleep(50);
    }
    fail(name + " did not bind udp " + port + ":\n" + tail(name));
  }

  /** Reads the kernel's socket table: binding the port to test it would race the process starting. */
  private static boolean udpBound(int port) throws IOException {
    String hexPort = String.format(":%04X ", port);
    for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
      Path file = Path.of(table);
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          String[] columns = line.trim().split("\\s+");
          if (columns.length > 1 && (columns[1] + " ").endsWith(hexPort)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private Process launch(String name, List<String> command) throws IOException {
    File log = dir.resolve(name + ".log").toFile();
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    processes.add(process);
    return process;
  }

  /** Stops a process and the children it made (Kamailio's workers), by handle. */
  private static void stop(Process process) throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** Stops everything started, the callers of the gateway first, the gateway last. */
  @Override
  public void close() {
    List<Process> started = new ArrayList<>(processes);
    java.util.Collections.reverse(started);
    try {
      for (Process process : started) {
        stop(process);
      }
    } catch (InterruptedException e) {
      started.forEach(Process::destroyForcibly);
      Thread.currentThread().interrupt();
    }
    processes.clear();
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String directory : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(directory, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool));
  }
}
