package io.fleetsaga.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Spring Boot service, started from its executable jar as a real process: the way it runs in
 * production, and the only way to kill it like a crash would. Used by the system tests and the local
 * launcher. Output goes to a log file; the process is destroyed when this JVM exits.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final int port;
    private final Map<String, String> properties;
    private final Path log;
    private volatile Process process;
    private volatile java.time.Instant startedAt;
    private volatile boolean paused;

    private final List<String> jvmOptions;
    private volatile List<String> extraJvmOptions = List.of();

    private ServiceProcess(
            String name, Path jar, int port, Map<String, String> properties, List<String> jvmOptions, Path logs) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.properties = Map.copyOf(properties);
        this.jvmOptions = List.copyOf(jvmOptions);
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.log = logs.resolve(name + "-" + port + ".log");
    }

    /**
     * Starts the service named {@code name} on a free port, its jar from the system property {@code
     * fleetsaga.<name>.jar}, its log in {@code fleetsaga.logs.dir} (default {@code target/service-logs}),
     * with JVM flags for quick starts on small machines.
     */
    public static ServiceProcess start(String name, Map<String, String> properties) {
        return start(name, Processes.freePort(), properties);
    }

    /** A free TCP port on the loopback interface. */
    public static int freePort() {
        return Processes.freePort();
    }

    /** As {@link #start(String, Map)}, on {@code port} (e.g. one that another service must know beforehand). */
    public static ServiceProcess start(String name, int port, Map<String, String> properties) {
        String jar = System.getProperty("fleetsaga." + name + ".jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("executable jar of " + name + " not found (" + jar
                    + "); run the system tests through Maven: ./mvnw verify");
        }
        Path logs = Path.of(System.getProperty("fleetsaga.logs.dir", "target/service-logs"));
        return start(
                name,
                Path.of(jar),
                port,
                properties,
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx384m"),
                logs);
    }

    /**
     * Starts {@code jar} as {@code name} on {@code port} with the given Spring properties and JVM options; {@code
     * {name}} and {@code {port}} in an option stand for this service's (e.g. a file of its own per instance).
     */
    public static ServiceProcess start(
            String name, Path jar, int port, Map<String, String> properties, List<String> jvmOptions, Path logs) {
        ServiceProcess service = new ServiceProcess(name, jar, port, properties, jvmOptions, logs);
        service.launch();
        return service;
    }

    private void launch() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String option : jvmOptions) {
            command.add(option.replace("{name}", name).replace("{port}", Integer.toString(port)));
        }
        command.addAll(extraJvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.add("--server.port=" + port);
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            startedAt = java.time.Instant.now();
            paused = false;
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        ProcessHandle handle = process.toHandle();
        Runtime.getRuntime().addShutdownHook(new Thread(handle::destroyForcibly));
    }

    /**
     * Waits until the readiness probe answers 200.
     *
     * @throws IllegalStateException when the process exits or is not ready in time, with the log's tail
     */
    public ServiceProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + process.exitValue() + "; log: " + log + "\n" + tail());
            }
            if (isReady()) {
                return this;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        name + " did not become ready within " + timeout + "; log: " + log + "\n" + tail());
            }
            try {
                Thread.sleep(250); // polling interval of the readiness probe
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }

    private boolean isReady() {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(uri("/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + ":" + port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Operating system process id (of the last process, if it has exited). */
    public long pid() {
        return process.pid();
    }

    /** When the current process was started. */
    public java.time.Instant startedAt() {
        return startedAt;
    }

    /** Ends the process like a crash would. */
    public void kill() {
        if (paused) {
            resume();
        }
        process.destroyForcibly();
        waitForExit();
    }

    /**
     * Freezes the process with SIGSTOP — a stop-the-world pause as long as the caller likes: it answers nothing,
     * its leases and Kafka sessions run out, its open connections stay. {@link #resume()} lets it continue
     * where it was, unaware of the time that passed.
     */
    public synchronized void pause() {
        Processes.signal(process.pid(), "STOP");
        Processes.awaitLinuxState(process.pid(), true, Duration.ofSeconds(5));
        paused = true;
    }

    /** Continues a {@linkplain #pause() paused} process with SIGCONT. */
    public synchronized void resume() {
        Processes.signal(process.pid(), "CONT");
        Processes.awaitLinuxState(process.pid(), false, Duration.ofSeconds(5));
        paused = false;
    }

    public synchronized boolean isPaused() {
        return paused && isAlive();
    }

    /**
     * Starts the service again — same jar, port, properties and log — after it {@linkplain #kill() was
     * killed} or {@linkplain #close() stopped}; returns at once (see {@link #awaitReady}). A running process is
     * stopped first.
     */
    public ServiceProcess relaunch() {
        return relaunch(List.of());
    }

    /**
     * As {@link #relaunch()}, with {@code extraJvmOptions} after the service's own (e.g. {@code
     * -Dfleetsaga.chaos.crash-points=…}) for this process only; the next relaunch drops them again.
     */
    public ServiceProcess relaunch(List<String> extraJvmOptions) {
        close();
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
        launch();
        return this;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            if (paused) {
                resume();
            }
            process.destroy();
            waitForExit();
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
