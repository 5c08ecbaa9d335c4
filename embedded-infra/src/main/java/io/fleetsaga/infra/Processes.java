package io.fleetsaga.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small process, file and port utilities shared by the embedded servers. */
final class Processes {

    private static final Logger log = LoggerFactory.getLogger(Processes.class);

    private Processes() {}

    /** A TCP port on the loopback interface that was free a moment ago. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free TCP port on 127.0.0.1", e);
        }
    }

    /** Whether this JVM runs as the superuser (uid 0). */
    static boolean runningAsRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        try {
            Path probe = Files.createTempFile("fleet-saga-uid", ".probe");
            try {
                return Integer.valueOf(0).equals(Files.getAttribute(probe, "unix:uid"));
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Sends a POSIX signal (e.g. {@code STOP}, {@code CONT}) to a process via {@code kill}. */
    static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " " + pid)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot send SIG" + signal + " to " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending SIG" + signal + " to " + pid, e);
        }
    }

    /**
     * Linux process state letter from {@code /proc/<pid>/stat} ({@code R}, {@code S}, {@code T} for
     * stopped, ...), or empty where {@code /proc} is not available.
     */
    static Optional<Character> linuxState(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String content = Files.readString(stat);
            int end = content.lastIndexOf(')');
            return end < 0 || end + 2 >= content.length() ? Optional.empty() : Optional.of(content.charAt(end + 2));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Waits (bounded) until {@link #linuxState} reports {@code wanted}; no-op without {@code /proc}. */
    static void awaitLinuxState(long pid, boolean stopped, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Character> state = linuxState(pid);
            if (state.isEmpty() || (state.get() == 'T') == stopped) {
                return;
            }
            sleepQuietly(Duration.ofMillis(5));
        }
    }

    /**
     * Starts a tiny {@code sh} loop that SIGKILLs {@code child} once this JVM is gone, so that a
     * native server (MariaDB) does not outlive a test JVM killed with {@code kill -9}. Destroy the
     * returned process when the child is stopped normally. Empty where there is no {@code /bin/sh}.
     */
    static Optional<Process> startWatchdog(long child, String name) {
        if (!Files.isExecutable(Path.of("/bin/sh"))) {
            return Optional.empty();
        }
        long parent = ProcessHandle.current().pid();
        String script =
                "while kill -0 " + parent + " 2>/dev/null; do sleep 1; done; kill -9 " + child + " 2>/dev/null; exit 0";
        try {
            Process watchdog = new ProcessBuilder("/bin/sh", "-c", script, "fleet-saga-watchdog-" + name)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return Optional.of(watchdog);
        } catch (IOException e) {
            log.warn("Cannot start a watchdog for {} (pid {}): {}", name, child, e.toString());
            return Optional.empty();
        }
    }

    static void writePidFile(Path pidFile, long pid) {
        try {
            Files.writeString(pidFile, Long.toString(pid) + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + pidFile, e);
        }
    }

    /**
     * The live process recorded in {@code pidFile} if its command line mentions {@code marker}
     * (guards against a recycled pid).
     */
    static Optional<ProcessHandle> liveProcessFromPidFile(Path pidFile, String marker) {
        try {
            String content = Files.readString(pidFile).strip();
            if (content.isEmpty()) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(content))
                    .filter(ProcessHandle::isAlive)
                    .filter(handle -> handle.info()
                            .commandLine()
                            .map(line -> line.contains(marker))
                            .orElse(false));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | NumberFormatException e) {
            log.debug("Ignoring unreadable pid file {}", pidFile, e);
            return Optional.empty();
        }
    }

    /** Kills (SIGKILL) a leftover process recorded in {@code pidFile}, e.g. from a crashed JVM. */
    static void killOrphan(Path pidFile, String marker, String what) {
        liveProcessFromPidFile(pidFile, marker).ifPresent(orphan -> {
            log.warn("Killing leftover {} (pid {}) from {}", what, orphan.pid(), pidFile.getParent());
            orphan.descendants().forEach(ProcessHandle::destroyForcibly);
            orphan.destroyForcibly();
            try {
                orphan.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Leftover {} (pid {}) did not exit after SIGKILL", what, orphan.pid());
            }
        });
    }

    /** Last {@code lines} lines of a text file, or a note that it does not exist. */
    static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "(no " + file + ")";
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            Deque<String> last = new ArrayDeque<>(all.subList(Math.max(0, all.size() - lines), all.size()));
            return "--- last " + last.size() + " lines of " + file + " ---" + System.lineSeparator()
                    + String.join(System.lineSeparator(), last);
        } catch (IOException | RuntimeException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.debug("Could not delete {} completely", root, e);
        }
    }

    static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
