package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/** Reads what Linux reports about processes and the machine ({@code /proc}). */
final class Procfs {

    /** Clock ticks per second of {@code /proc/<pid>/stat} CPU times ({@code getconf CLK_TCK}; 100 on Linux/x86). */
    static final long TICKS_PER_SECOND = 100;

    private Procfs() {}

    /** The process whose command line holds {@code -jar <jar>} and {@code --server.port=<port>}. */
    static Optional<Long> findService(Path jar, int port) {
        String jarPath = jar.toString();
        String portArgument = "--server.port=" + port;
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> {
                        List<String> args = commandLine(p);
                        return args.contains("-jar") && args.contains(jarPath) && args.contains(portArgument);
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<String> commandLine(Path procDir) {
        try {
            byte[] raw = Files.readAllBytes(procDir.resolve("cmdline"));
            return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** A field of {@code /proc/<pid>/status} in kB, e.g. {@code VmRSS} or {@code VmHWM}. */
    static OptionalLong statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return OptionalLong.of(Long.parseLong(
                            line.substring(field.length() + 1).replace("kB", "").strip()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone
        }
        return OptionalLong.empty();
    }

    /** Resets the process's peak RSS ({@code VmHWM}) to its current RSS (Linux ≥ 4.0; same user or root). */
    static boolean resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** User + system CPU time of a process (all its threads) in clock ticks; 0 when it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU time of this JVM and all its descendants (services, database, broker) in clock ticks. */
    static long ownCpuTicks() {
        ProcessHandle self = ProcessHandle.current();
        return cpuTicks(self.pid())
                + self.descendants().mapToLong(p -> cpuTicks(p.pid())).sum();
    }

    /** Busy CPU time of the whole machine (all cores) in clock ticks, from {@code /proc/stat}. */
    static long machineBusyTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            return Long.parseLong(f[1])
                    + Long.parseLong(f[2])
                    + Long.parseLong(f[3])
                    + Long.parseLong(f[6])
                    + Long.parseLong(f[7])
                    + Long.parseLong(f[8]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The 1-minute load average. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static String memTotal() {
        return firstLineStartingWith(Path.of("/proc/meminfo"), "MemTotal:")
                .map(l -> l.substring("MemTotal:".length()).strip())
                .orElse("?");
    }

    static String cpuModel() {
        return firstLineStartingWith(Path.of("/proc/cpuinfo"), "model name")
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .orElse("?");
    }

    private static Optional<String> firstLineStartingWith(Path file, String prefix) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
