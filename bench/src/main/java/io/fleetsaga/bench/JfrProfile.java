package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Java Flight Recorder of a service process under load, started and dumped with {@code jcmd}, and the top frames
 * of its execution samples ({@code jdk.ExecutionSample}): by method, by package, and by the first frame in
 * fleet-saga's own code ({@code io.fleetsaga}) — what the same aggregation of {@code jfr print --events
 * jdk.ExecutionSample} shows — and by thread.
 *
 * <p>Caveat: JFR samples threads that are in Java code, also while the OS has them waiting for a CPU; on an
 * oversubscribed machine that over-weights CPU-bound code (such as one bcrypt check) against code that waits for I/O.
 */
final class JfrProfile {

    private JfrProfile() {}

    static void start(long pid, String name) throws IOException, InterruptedException {
        jcmd(pid, "JFR.start", "name=" + name, "settings=profile");
    }

    static void stop(long pid, String name, Path file) throws IOException, InterruptedException {
        jcmd(pid, "JFR.stop", "name=" + name, "filename=" + file.toAbsolutePath());
    }

    private static void jcmd(long pid, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        command.add(Long.toString(pid));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd failed: " + command + ": " + output);
        }
    }

    /** Top entries of each aggregation, as lines "share  samples  key". */
    static List<String> topFrames(Path file, int limit) throws IOException {
        Map<String, Long> byMethod = new HashMap<>();
        Map<String, Long> byPackage = new HashMap<>();
        Map<String, Long> byOwnFrame = new HashMap<>();
        Map<String, Long> byThread = new HashMap<>();
        long total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            total++;
            RecordedFrame top = stack.getFrames().get(0);
            String type = top.getMethod().getType().getName();
            byMethod.merge(type + "." + top.getMethod().getName(), 1L, Long::sum);
            int dot = type.lastIndexOf('.');
            byPackage.merge(dot < 0 ? type : type.substring(0, dot), 1L, Long::sum);
            String own = "(no io.fleetsaga frame)";
            for (RecordedFrame frame : stack.getFrames()) {
                String t = frame.getMethod().getType().getName();
                if (t.startsWith("io.fleetsaga.")) {
                    own = t + "." + frame.getMethod().getName();
                    break;
                }
            }
            byOwnFrame.merge(own, 1L, Long::sum);
            String thread = event.getThread("sampledThread") == null
                    ? "?"
                    : event.getThread("sampledThread").getJavaName();
            byThread.merge(thread == null ? "?" : thread.replaceAll("[0-9]+", "N"), 1L, Long::sum);
        }
        List<String> lines = new ArrayList<>();
        lines.add(total + " execution samples");
        append(lines, "top frame (method)", byMethod, total, limit);
        append(lines, "top frame (package)", byPackage, total, limit);
        append(lines, "first io.fleetsaga frame on the stack", byOwnFrame, total, limit);
        append(lines, "thread (digits as N)", byThread, total, limit);
        return lines;
    }

    private static void append(List<String> lines, String title, Map<String, Long> counts, long total, int limit) {
        lines.add("  by " + title + ":");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> lines.add(String.format(
                        java.util.Locale.ROOT,
                        "    %5.1f %%  %6d  %s",
                        100.0 * e.getValue() / total,
                        e.getValue(),
                        e.getKey())));
    }
}
