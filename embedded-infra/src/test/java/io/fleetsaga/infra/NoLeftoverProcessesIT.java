package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoLeftoverProcessesIT {

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void serversDieWithTheirJvmEvenWhenItIsKilledWithSigkill() throws Exception {
        Path report = dir.resolve("pids");
        child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-Dfleetsaga.infra=embedded",
                        "-cp",
                        System.getProperty("java.class.path"),
                        InfraChild.class.getName(),
                        report.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        await().atMost(Duration.ofMinutes(3))
                .failFast("child JVM exited, see " + dir.resolve("child.log"), () -> !child.isAlive())
                .until(() -> Files.exists(report));
        String[] fields = Files.readString(report).split(" ");
        long brokerPid = Long.parseLong(fields[0]);
        long mariaDbPid = Long.parseLong(fields[1]);
        Path root = Path.of(fields[2]);
        assertThat(isGone(brokerPid)).isFalse();
        assertThat(isGone(mariaDbPid)).isFalse();

        child.destroyForcibly().waitFor();

        await().atMost(Duration.ofSeconds(30)).until(() -> isGone(brokerPid) && isGone(mariaDbPid));
        assertThat(root).exists(); // no shutdown hook ran ...

        RealInfrastructure.deleteAbandonedRoots(root.getParent());

        assertThat(root).doesNotExist(); // ... so the next JVM cleans up
    }

    private static boolean isGone(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        return process.isEmpty()
                || !process.get().isAlive()
                || Processes.linuxState(pid).map(state -> state == 'Z').orElse(false);
    }
}
