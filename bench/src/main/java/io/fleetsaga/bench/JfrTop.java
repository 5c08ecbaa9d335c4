package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Java Flight Recording of this JVM (the {@code profile} settings) around a piece of work, summarised as the
 * most frequent top frames of its execution samples (Java code running) and native-method samples (threads in
 * native code, e.g. waiting for the database's answer in a socket read) — the same as {@code jfr print --events
 * jdk.ExecutionSample} counted by top frame. The recording file is kept for a closer look.
 */
final class JfrTop implements AutoCloseable {

    private final Recording recording;
    private final Path file;

    private JfrTop(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    static JfrTop start(Path file) throws IOException, ParseException {
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.setToDisk(true);
        recording.start();
        return new JfrTop(recording, file);
    }

    /** Stops the recording, writes it and returns the summary lines. */
    List<String> stopAndSummarise(int top) throws IOException {
        recording.stop();
        recording.dump(file);
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        Map<String, Map<String, Integer>> fleetSagaCounts = new HashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            if (event.getStackTrace() == null
                    || event.getStackTrace().getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            counts.computeIfAbsent(type, t -> new HashMap<>()).merge(frame(frames.get(0)), 1, Integer::sum);
            frames.stream()
                    .filter(f -> f.getMethod().getType().getName().startsWith("io.fleetsaga.common"))
                    .findFirst()
                    .ifPresent(f -> fleetSagaCounts
                            .computeIfAbsent(type, t -> new HashMap<>())
                            .merge(frame(f), 1, Integer::sum));
        }
        List<String> lines = new ArrayList<>();
        lines.add("JFR recording: " + file);
        for (String type : List.of("jdk.ExecutionSample", "jdk.NativeMethodSample")) {
            summarise(lines, type + ", top frames", counts.getOrDefault(type, Map.of()), top);
            summarise(
                    lines,
                    type + ", innermost io.fleetsaga.common frame",
                    fleetSagaCounts.getOrDefault(type, Map.of()),
                    top);
        }
        return lines;
    }

    private static void summarise(List<String> lines, String title, Map<String, Integer> counts, int top) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        lines.add(title + " (" + total + " samples):");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> lines.add(String.format(
                        java.util.Locale.ROOT,
                        "  %6d %5.1f%%  %s",
                        e.getValue(),
                        100.0 * e.getValue() / total,
                        e.getKey())));
    }

    private static String frame(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + ":" + frame.getLineNumber();
    }

    @Override
    public void close() {
        recording.close();
    }
}
