package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class data sharing is an optimisation: what it depends on is explicit, and a failure never stops a start. */
class ClassDataSharingTests {

    @TempDir
    Path dir;

    @Test
    void theArchiveDependsOnTheJvmFlagsNotOnSystemPropertiesOrMemorySizes() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "x");

        String plain = ClassDataSharing.stamp(
                jar, List.of("-XX:+UseSerialGC", "-Xmx384m", "-Dfleetsaga.chaos.crash-points-file=a"));

        assertThat(ClassDataSharing.stamp(
                        jar,
                        List.of("-XX:+UseSerialGC", "-Xmx320m", "-Xss512k", "-Dfleetsaga.chaos.crash-points-file=b")))
                .isEqualTo(plain);
        assertThat(ClassDataSharing.stamp(jar, List.of("-XX:+UseParallelGC"))).isNotEqualTo(plain);
        Files.writeString(jar, "a rebuilt jar");
        assertThat(ClassDataSharing.stamp(jar, List.of("-XX:+UseSerialGC"))).isNotEqualTo(plain);
    }

    @Test
    void aJarThatCannotBeExtractedStartsAsItIs() throws IOException {
        Path jar = dir.resolve("not-spring-boot.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("hello.txt"));
            zip.write("no manifest, no jar mode".getBytes());
            zip.closeEntry();
        }

        ClassDataSharing.Start start = ClassDataSharing.prepare(
                "broken", jar, List.of(), Map.of(), dir.resolve("logs"), Duration.ofSeconds(30));

        assertThat(start.jar()).isEqualTo(jar);
        assertThat(start.jvmOptions()).isEmpty();
        assertThat(dir.resolve("logs").resolve("broken-cds-training.log")).exists();
    }
}
