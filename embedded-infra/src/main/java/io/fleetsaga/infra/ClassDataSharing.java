package io.fleetsaga.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quicker service starts with class data sharing (AppCDS), as Spring Boot documents it: the executable jar is
 * extracted ({@code java -Djarmode=tools -jar app.jar extract}) — the JVM cannot share classes loaded from nested
 * jars — and one training run ({@code -XX:ArchiveClassesAtExit}, {@code -Dspring.context.exit=onRefresh}: the
 * context is refreshed against the real database and broker, nothing is started, the JVM exits) records every class
 * a start loads into an archive that later starts map instead of loading and verifying them again.
 *
 * <p>Kept beside the jar in {@code <jar>.cds/} and reused while the jar, the JVM and the JVM options are the same (a
 * stamp file says so), so a build pays the training once per service however many stacks it starts. Anything that
 * goes wrong — no {@code tools} jar mode, a failed training run — is logged and the service starts from its jar as
 * before: this is an optimisation, never a reason for a stack not to start. A stale or incompatible archive is
 * ignored by the JVM itself ({@code -Xshare:auto}).
 */
final class ClassDataSharing {

    private static final Logger log = LoggerFactory.getLogger(ClassDataSharing.class);

    /** How to start a service: the jar to run and the JVM options that map its archive (none without one). */
    record Start(Path jar, List<String> jvmOptions) {}

    private ClassDataSharing() {}

    /**
     * The extracted jar and its archive, prepared now if there is none for this jar, JVM and {@code jvmOptions} yet
     * (one training run with {@code properties}, which must reach the real database and broker); {@code jar} as it is
     * when anything fails.
     */
    static Start prepare(
            String name,
            Path jar,
            List<String> jvmOptions,
            Map<String, String> properties,
            Path logs,
            Duration timeout) {
        Path dir = jar.resolveSibling(jar.getFileName() + ".cds");
        Path lock = jar.resolveSibling(jar.getFileName() + ".cds.lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            String stamp = stamp(jar, jvmOptions);
            Path extracted = dir.resolve("app").resolve(jar.getFileName());
            Path archive = dir.resolve("app.jsa");
            Path stampFile = dir.resolve("stamp");
            if (Files.isRegularFile(archive)
                    && Files.isRegularFile(extracted)
                    && Files.isRegularFile(stampFile)
                    && Files.readString(stampFile).equals(stamp)) {
                return new Start(extracted, List.of("-XX:SharedArchiveFile=" + archive));
            }
            deleteRecursively(dir);
            Files.createDirectories(dir);
            Files.createDirectories(logs);
            Path training = logs.resolve(name + "-cds-training.log");
            long started = System.nanoTime();
            if (run(
                                    List.of(
                                            java(),
                                            "-Djarmode=tools",
                                            "-jar",
                                            jar.toString(),
                                            "extract",
                                            "--destination",
                                            dir.resolve("app").toString()),
                                    training,
                                    Duration.ofMinutes(2))
                            != 0
                    || !Files.isRegularFile(extracted)) {
                log.warn(
                        "{}: cannot extract {} for class data sharing (see {}); it starts from its jar",
                        name,
                        jar,
                        training);
                return new Start(jar, List.of());
            }
            List<String> command = new ArrayList<>();
            command.add(java());
            for (String option : jvmOptions) {
                command.add(option.replace("{name}", name).replace("{port}", "0"));
            }
            command.add("-XX:ArchiveClassesAtExit=" + archive);
            command.add("-Dspring.context.exit=onRefresh");
            command.add("-jar");
            command.add(extracted.toString());
            command.add("--server.port=0");
            properties.forEach((key, value) -> command.add("--" + key + "=" + value));
            int exit = run(command, training, timeout);
            if (exit != 0 || !Files.isRegularFile(archive)) {
                log.warn(
                        "{}: the class data sharing training run failed (exit {}, see {}); it starts from its jar",
                        name,
                        exit,
                        training);
                return new Start(jar, List.of());
            }
            Files.writeString(stampFile, stamp);
            log.info(
                    "{}: class data sharing archive ready in {} s ({})",
                    name,
                    (System.nanoTime() - started) / 1_000_000_000,
                    archive);
            return new Start(extracted, List.of("-XX:SharedArchiveFile=" + archive));
        } catch (IOException | RuntimeException e) {
            log.warn("{}: no class data sharing ({}); it starts from its jar", name, e.toString());
            return new Start(jar, List.of());
        }
    }

    /**
     * What the archive depends on: the jar, the JVM and its {@code -XX} flags (GC, compiler, …) — not the system
     * properties, heap or stack sizes a stack starts it with (the system tests and the harness differ only there and
     * share one archive; a heap size that changed the object layout would make the JVM ignore the archive itself).
     */
    static String stamp(Path jar, List<String> jvmOptions) throws IOException {
        return Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis() + " "
                + System.getProperty("java.home") + " " + System.getProperty("java.vm.version") + " "
                + String.join(
                        " ",
                        jvmOptions.stream().filter(o -> o.startsWith("-XX")).toList());
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Runs {@code command} to its end (its output appended to {@code log}); -1 when it outlasted {@code timeout}. */
    private static int run(List<String> command, Path log, Duration timeout) throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
