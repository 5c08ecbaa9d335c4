package io.fleetsaga.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft, combined broker + controller, one node) running as its own JVM process
 * on 127.0.0.1, started from Kafka's server jars ({@code org.apache.kafka:kafka_2.13}) which are
 * resolved at build time and never appear on the caller's classpath.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>{@link #start(Path)} picks two free ports, formats the storage on first use of the data
 *       directory (inside the broker JVM), and returns only once an admin client sees the broker
 *       ({@code describeCluster}), typically after 2-3 s; on failure it throws with the tail of the
 *       broker's log. A restart after {@link #kill()} takes ≈5 s (the controller first expires the
 *       old registration, {@code broker.session.timeout.ms=3000}).
 *   <li>The broker uses the same {@code java} as the current JVM (override with the system property
 *       {@code fleetsaga.infra.kafka.java}); it runs on JDK 17 and JDK 25 without extra flags.
 *   <li>Topics are auto-created with 3 partitions; internal topics have replication factor 1.
 *   <li>Data survives {@link #kill()} + {@link #restart()} (same ports, same data directory).
 *   <li>No process is left behind: a shutdown hook kills brokers still running when the JVM exits,
 *       the broker halts itself when the JVM that started it is gone (even after {@code kill -9}),
 *       and a broker left over from an earlier run in the same data directory is killed on start.
 * </ul>
 *
 * <p>Files in the data directory: {@code server.properties}, {@code log4j2.properties}, {@code
 * broker.log} (the broker's log), {@code broker.out} (stdout and stderr), {@code broker.command},
 * {@code broker.pid}, {@code launcher/} and the Kafka log directory {@code kraft-logs/}. One broker
 * per directory; the caller owns the directory, it is not deleted.
 *
 * <p>{@link #pause()}/{@link #resume()} and the orphan handling use POSIX signals (Linux, macOS).
 * Methods are thread-safe.
 */
public final class KafkaBrokerProcess implements KafkaEndpoint, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaBrokerProcess.class);

    static final String CLASSPATH_RESOURCE = "kafka-server.classpath";
    private static final Duration START_TIMEOUT =
            Duration.ofSeconds(Long.getLong("fleetsaga.infra.kafka.startTimeoutSeconds", 90));
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int PORT_ATTEMPTS = 3;
    private static final Set<KafkaBrokerProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> LIVE.forEach(KafkaBrokerProcess::killQuietly), "fleet-saga-kafka-broker-reaper"));
    }

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private Process process;
    private boolean paused;

    /** The listener for clients behind a proxy, 0 when clients use {@link #brokerPort} directly. */
    private final int clientPort;
    /** The address clients are told to use for {@link #clientPort} (the proxy's port). */
    private final int advertisedPort;

    private KafkaBrokerProcess(Path dataDir, int brokerPort, int controllerPort, int clientPort, int advertisedPort) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.clientPort = clientPort;
        this.advertisedPort = advertisedPort;
    }

    /**
     * Starts a broker whose files live in {@code dataDir} (created if missing) and waits until it
     * is ready.
     *
     * @throws IllegalStateException if the broker does not become ready (message contains its log tail)
     */
    public static KafkaBrokerProcess start(Path dataDir) {
        return start(dataDir, 0);
    }

    /**
     * Starts a broker for clients behind a TCP proxy listening on {@code advertisedPort}: the broker gets a
     * listener of its own for them ({@link #clientListenerPort()}, the proxy's target) and tells them, in its
     * metadata, to connect to 127.0.0.1:{@code advertisedPort} — so every client connection goes through the
     * proxy, bootstrap and afterwards. {@link #bootstrapServers()} is the proxy's address.
     */
    public static KafkaBrokerProcess startBehindProxy(Path dataDir, int advertisedPort) {
        if (advertisedPort <= 0) {
            throw new IllegalArgumentException("advertisedPort must be a port, not " + advertisedPort);
        }
        return start(dataDir, advertisedPort);
    }

    private static KafkaBrokerProcess start(Path dataDir, int advertisedPort) {
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
        Processes.killOrphan(dir.resolve("broker.pid"), dir.toString(), "Kafka broker");
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int brokerPort = Processes.freePort();
            int controllerPort = Processes.freePort();
            int clientPort = advertisedPort > 0 ? Processes.freePort() : 0;
            if (brokerPort == controllerPort || clientPort == brokerPort || clientPort == controllerPort) {
                continue;
            }
            KafkaBrokerProcess broker =
                    new KafkaBrokerProcess(dir, brokerPort, controllerPort, clientPort, advertisedPort);
            try {
                broker.writeConfiguration();
                broker.launchAndAwaitReady();
                return broker;
            } catch (PortInUseException e) {
                log.info("Kafka broker ports {}/{} were taken, retrying with others", brokerPort, controllerPort);
                last = e;
            }
        }
        throw last != null ? last : new IllegalStateException("Could not find two free ports for Kafka");
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + (advertisedPort > 0 ? advertisedPort : brokerPort);
    }

    /** The port of the listener for proxied clients (see {@link #startBehindProxy}), else the broker's port. */
    public int clientListenerPort() {
        return clientPort > 0 ? clientPort : brokerPort;
    }

    /** The broker's own address, never through a proxy (for tooling that must see the broker itself). */
    public String directBootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The data directory given to {@link #start(Path)}. */
    public Path dataDir() {
        return dataDir;
    }

    /** Operating system process id of the broker (the last one if it is not running), for diagnostics. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("Kafka broker is not running");
        }
        return process.pid();
    }

    /** Whether the broker process is alive (a {@linkplain #pause() paused} broker is alive). */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Whether the broker is {@linkplain #pause() paused}. */
    public synchronized boolean isPaused() {
        return paused && isRunning();
    }

    /** Graceful stop: SIGTERM (controlled shutdown), waits for the exit, SIGKILL after 30 s. */
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        if (paused) {
            resume();
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Kafka broker (pid {}) did not stop within {}, killing it", process.pid(), STOP_TIMEOUT);
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        exited();
    }

    /** Crash: SIGKILL ({@code kill -9}) and waits until the process is gone. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("Kafka broker (pid " + process.pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while killing the Kafka broker", e);
        }
        exited();
    }

    /**
     * Freezes the broker with SIGSTOP: connections stay open but nothing is answered, like a hung
     * machine or a long GC pause. Returns once the kernel reports the process stopped.
     */
    public synchronized void pause() {
        requireRunning();
        Processes.signal(process.pid(), "STOP");
        Processes.awaitLinuxState(process.pid(), true, Duration.ofSeconds(5));
        paused = true;
    }

    /** Continues a {@linkplain #pause() paused} broker with SIGCONT. */
    public synchronized void resume() {
        requireRunning();
        Processes.signal(process.pid(), "CONT");
        Processes.awaitLinuxState(process.pid(), false, Duration.ofSeconds(5));
        paused = false;
    }

    /**
     * Starts the broker again on the same ports with the same data directory and waits until it is
     * ready; a running broker is {@linkplain #stop() stopped} first.
     */
    public synchronized void restart() {
        stop();
        launchAndAwaitReady();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "KafkaBrokerProcess[" + bootstrapServers() + ", " + dataDir + "]";
    }

    private void requireRunning() {
        if (!isRunning()) {
            throw new IllegalStateException("Kafka broker is not running: " + this);
        }
    }

    private void exited() {
        paused = false;
        LIVE.remove(this);
        try {
            // only our own: another broker may have taken over the directory
            if (process != null
                    && Files.exists(pidFile())
                    && Files.readString(pidFile()).strip().equals(Long.toString(process.pid()))) {
                Files.delete(pidFile());
            }
        } catch (IOException e) {
            log.debug("Cannot delete {}", pidFile(), e);
        }
    }

    private static void killQuietly(KafkaBrokerProcess broker) {
        try {
            Process running = broker.process;
            if (running != null) {
                running.destroyForcibly();
                running.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // JVM shutdown: nothing sensible left to do
        }
    }

    private Path pidFile() {
        return dataDir.resolve("broker.pid");
    }

    private Path brokerLog() {
        return dataDir.resolve("broker.log");
    }

    private Path brokerOut() {
        return dataDir.resolve("broker.out");
    }

    private Path serverProperties() {
        return dataDir.resolve("server.properties");
    }

    private void writeConfiguration() {
        String logDirs = dataDir.resolve("kraft-logs").toString();
        String server = String.join(
                        "\n",
                        "# written by " + KafkaBrokerProcess.class.getName(),
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort
                                + (clientPort > 0 ? ",CLIENT://127.0.0.1:" + clientPort : ""),
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort
                                + (clientPort > 0 ? ",CLIENT://127.0.0.1:" + advertisedPort : ""),
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CLIENT:PLAINTEXT",
                        "log.dirs=" + escape(logDirs),
                        "auto.create.topics.enable=true",
                        "num.partitions=3",
                        "default.replication.factor=1",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=10",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "transaction.state.log.num.partitions=10",
                        "group.initial.rebalance.delay.ms=0",
                        "broker.session.timeout.ms=3000",
                        "broker.heartbeat.interval.ms=500",
                        "log.segment.bytes=16777216",
                        "num.network.threads=2",
                        "num.io.threads=4",
                        "num.recovery.threads.per.data.dir=2",
                        "")
                .replace("\n", System.lineSeparator());
        String log4j2 = String.join(
                        "\n",
                        "status=warn",
                        // Log4j 2's own shutdown hook would stop logging while Kafka's hook still shuts down
                        "shutdownHook=disable",
                        "appender.file.type=File",
                        "appender.file.name=file",
                        "appender.file.fileName=" + escape(brokerLog().toString()),
                        "appender.file.append=true",
                        "appender.file.layout.type=PatternLayout",
                        "appender.file.layout.pattern=[%d] %p %m (%c)%n",
                        "rootLogger.level=INFO",
                        "rootLogger.appenderRef.file.ref=file",
                        quietLogger("request", "kafka.request.logger"),
                        quietLogger("stateChange", "state.change.logger"),
                        quietLogger("authorizer", "kafka.authorizer.logger"),
                        quietLogger("networkClient", "org.apache.kafka.clients.NetworkClient"),
                        "")
                .replace("\n", System.lineSeparator());
        try {
            Files.writeString(serverProperties(), server);
            Files.writeString(dataDir.resolve("log4j2.properties"), log4j2);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the Kafka configuration in " + dataDir, e);
        }
    }

    /** A Log4j 2 logger at WARN, in the properties format. */
    private static String quietLogger(String id, String name) {
        return "logger." + id + ".name=" + name + System.lineSeparator() + "logger." + id + ".level=WARN";
    }

    /** Escapes backslashes for {@link java.util.Properties} files (Windows paths). */
    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }

    private synchronized void launchAndAwaitReady() {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(List.of(
                "-Xmx512m",
                "-Xss1m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:+ExitOnOutOfMemoryError",
                "-Xshare:auto",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile="
                        + dataDir.resolve("log4j2.properties").toUri(),
                "-Dkafka.logs.dir=" + dataDir,
                "-D" + KafkaBrokerMain.PARENT_PID_PROPERTY + "="
                        + ProcessHandle.current().pid()));
        if (!Files.exists(dataDir.resolve("kraft-logs").resolve("meta.properties"))) {
            command.add("-D" + KafkaBrokerMain.FORMAT_CLUSTER_ID_PROPERTY + "=" + Uuid.randomUuid());
        }
        command.add("-cp");
        command.add(brokerClasspath(dataDir));
        command.add(KafkaBrokerMain.class.getName());
        command.add(serverProperties().toString());
        long started = System.nanoTime();
        try {
            Files.writeString(dataDir.resolve("broker.command"), String.join(" ", command) + System.lineSeparator());
            Files.writeString(
                    brokerOut(),
                    "--- " + java.time.Instant.now() + " starting the broker (command line in broker.command)"
                            + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command)
                    .directory(dataDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(brokerOut().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Kafka broker: " + command, e);
        }
        paused = false;
        LIVE.add(this);
        Processes.writePidFile(pidFile(), process.pid());
        awaitReady();
        log.info(
                "Kafka broker ready at {} in {} ms (pid {}, data {})",
                bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                process.pid(),
                dataDir);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        awaitPortOpen(deadline);
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                directBootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG,
                "fleet-saga-broker-readiness",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                3000,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG,
                50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                200,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
                1000L,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG,
                2000L);
        Exception lastFailure = null;
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    failStart("Kafka broker exited with code " + process.exitValue() + " while starting", null);
                }
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(1000))
                            .nodes()
                            .get(2, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastFailure = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failStart("Interrupted while waiting for the Kafka broker", e);
                }
                Processes.sleepQuietly(Duration.ofMillis(50));
            }
        }
        failStart("Kafka broker not ready within " + START_TIMEOUT, lastFailure);
    }

    /** Cheap wait for the listener before the admin client, which logs a warning per refused connection. */
    private void awaitPortOpen(long deadline) {
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                failStart("Kafka broker exited with code " + process.exitValue() + " while starting", null);
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(
                        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), brokerPort), 500);
                return;
            } catch (IOException e) {
                Processes.sleepQuietly(Duration.ofMillis(50));
            }
        }
    }

    private void failStart(String message, Exception cause) {
        String diagnostics = Processes.tail(brokerOut(), 30) + System.lineSeparator() + Processes.tail(brokerLog(), 60);
        killQuietly(this);
        exited();
        String full =
                message + " (" + bootstrapServers() + ", data " + dataDir + ")" + System.lineSeparator() + diagnostics;
        if (diagnostics.contains("Address already in use")) {
            throw new PortInUseException(full);
        }
        throw new IllegalStateException(full, cause);
    }

    private static String javaExecutable() {
        String override = System.getProperty("fleetsaga.infra.kafka.java");
        if (override != null && !override.isBlank()) {
            return override;
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
        if (Files.isExecutable(java)) {
            return java.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .contains("win");
    }

    /**
     * {@link KafkaBrokerMain} (copied to {@code <dataDir>/launcher}, which works whether this module is
     * a directory, a jar or nested in a fat jar) followed by Kafka's server jars.
     */
    static String brokerClasspath(Path dataDir) {
        Path launcher = dataDir.resolve("launcher");
        String classFile = KafkaBrokerMain.class.getName().replace('.', '/') + ".class";
        try (InputStream in = KafkaBrokerProcess.class.getResourceAsStream("/" + classFile)) {
            if (in == null) {
                throw new IllegalStateException("Cannot find " + classFile);
            }
            Path target = launcher.resolve(classFile);
            Files.createDirectories(target.getParent());
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + classFile + " to " + launcher, e);
        }
        List<String> entries = new ArrayList<>();
        entries.add(launcher.toString());
        entries.addAll(kafkaServerJars());
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** The jars listed in {@value #CLASSPATH_RESOURCE}, which the build writes; all must exist. */
    static List<String> kafkaServerJars() {
        String content;
        try (InputStream in = KafkaBrokerProcess.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + CLASSPATH_RESOURCE
                        + " is missing: embedded-infra was not built with Maven (it is written by the"
                        + " kafka-server-classpath execution of maven-antrun-plugin)");
            }
            content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + CLASSPATH_RESOURCE, e);
        }
        List<String> jars = content.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty())
                .toList();
        List<String> missing =
                jars.stream().filter(jar -> !Files.isRegularFile(Path.of(jar))).toList();
        if (jars.isEmpty() || !missing.isEmpty()) {
            throw new IllegalStateException("Kafka server jars missing from the local Maven repository " + missing
                    + "; rebuild embedded-infra (./mvnw -pl embedded-infra install)");
        }
        return jars;
    }

    /** The broker could not bind its ports; {@link #start(Path)} retries with other ports. */
    private static final class PortInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String message) {
            super(message);
        }
    }
}
