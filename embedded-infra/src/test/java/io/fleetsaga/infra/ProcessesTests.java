package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessesTests {

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    private Process startShell(String marker) throws IOException {
        // two commands, so that sh does not exec sleep and the marker stays on its command line
        child = new ProcessBuilder("/bin/sh", "-c", "sleep 60; echo " + marker).start();
        return child;
    }

    @Test
    void freePortsAreUsable() {
        int port = Processes.freePort();

        assertThat(port).isBetween(1, 65535);
    }

    @Test
    void tailShowsTheLastLines() throws IOException {
        Path file = dir.resolve("log.txt");
        Files.write(file, List.of("one", "two", "three"));

        assertThat(Processes.tail(file, 2)).endsWith("two" + System.lineSeparator() + "three");
        assertThat(Processes.tail(dir.resolve("missing"), 2)).contains("no ");
    }

    @Test
    void stopAndContinueSignalsChangeTheProcessState() throws IOException {
        assumeThat(Path.of("/proc/self/stat")).exists();
        Process process = startShell("signals");

        Processes.signal(process.pid(), "STOP");
        Processes.awaitLinuxState(process.pid(), true, Duration.ofSeconds(5));

        assertThat(Processes.linuxState(process.pid())).contains('T');

        Processes.signal(process.pid(), "CONT");
        Processes.awaitLinuxState(process.pid(), false, Duration.ofSeconds(5));

        assertThat(Processes.linuxState(process.pid())).isPresent().get().isNotEqualTo('T');
    }

    @Test
    void killsAnOrphanRecordedInThePidFileOnlyIfItsCommandLineMatches() throws IOException {
        Path marker = dir.resolve("marker-dir");
        Process process = startShell(marker.toString());
        Path pidFile = dir.resolve("x.pid");
        Processes.writePidFile(pidFile, process.pid());

        Processes.killOrphan(pidFile, "some-other-directory", "test process");

        assertThat(process.isAlive()).isTrue();

        Processes.killOrphan(pidFile, marker.toString(), "test process");

        await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
    }

    @Test
    void deletesDirectoryTrees() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("a/b/c"));
        Files.writeString(tree.resolve("f"), "x");

        Processes.deleteRecursively(dir.resolve("a"));

        assertThat(dir.resolve("a")).doesNotExist();
    }
}
