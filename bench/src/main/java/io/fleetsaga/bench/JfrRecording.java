package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java Flight Recorder recording of another, running JVM (a service), started and stopped with its JDK's
 * {@code jcmd}, and where its CPU samples fell: the frames on top of the stack of {@code jdk.ExecutionSample} events
 * (threads running Java code; a thread waiting for the database is not sampled), read with {@code jfr print}.
 */
final class JfrRecording {

    private static final String NAME = "bench";

    private final long pid;
    private final Path file;
    private final Path bin;

    private JfrRecording(long pid, Path file, Path bin) {
        this.pid = pid;
        this.file = file;
        this.bin = bin;
    }

    /** Starts a recording with the {@code profile} settings (a CPU sample every 10 ms per running thread). */
    static JfrRecording start(long pid, Path file) throws IOException, InterruptedException {
        Path java = ProcessHandle.of(pid)
                .flatMap(p -> p.info().command())
                .map(Path::of)
                .orElseThrow(() -> new IllegalStateException("no command line of process " + pid));
        JfrRecording recording = new JfrRecording(pid, file.toAbsolutePath(), java.getParent());
        Files.createDirectories(file.getParent());
        recording.run("jcmd", Long.toString(pid), "JFR.start", "name=" + NAME, "settings=profile");
        return recording;
    }

    /** Stops the recording and writes it to its file. */
    Path stop() throws IOException, InterruptedException {
        run("jcmd", Long.toString(pid), "JFR.stop", "name=" + NAME, "filename=" + file);
        return file;
    }

    /** The CPU samples: their number, and the {@code limit} most frequent top frames and top own frames. */
    Profile profile(int limit, String ownPackage) throws IOException, InterruptedException {
        String printed = run("jfr", "print", "--events", "jdk.ExecutionSample", file.toString());
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> own = new HashMap<>();
        int samples = 0;
        boolean inStack = false;
        boolean first = false;
        boolean ownSeen = false;
        for (String line : printed.split("\n")) {
            String t = line.strip();
            if (t.startsWith("stackTrace = [")) {
                inStack = true;
                first = true;
                ownSeen = false;
                samples++;
            } else if (inStack && t.startsWith("]")) {
                inStack = false;
            } else if (inStack && !t.equals("...")) {
                String frame = t.replaceAll("\\s+line: \\d+.*$", "");
                if (first) {
                    top.merge(frame, 1, Integer::sum);
                    first = false;
                }
                if (!ownSeen && frame.startsWith(ownPackage)) {
                    own.merge(frame, 1, Integer::sum);
                    ownSeen = true;
                }
            }
        }
        return new Profile(samples, highest(top, limit), highest(own, limit));
    }

    /** Samples in all, and the most frequent frames as {@code count frame}. */
    record Profile(int samples, List<String> topFrames, List<String> topOwnFrames) {}

    private static List<String> highest(Map<String, Integer> counts, int limit) {
        List<String> lines = new ArrayList<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> lines.add(String.format("%6d  %s", e.getValue(), e.getKey())));
        return lines;
    }

    private String run(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
