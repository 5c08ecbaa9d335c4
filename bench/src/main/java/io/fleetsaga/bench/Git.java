package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Which source a benchmark ran: the commit of the work tree and whether it had uncommitted changes. */
final class Git {

    private Git() {}

    /** e.g. {@code "a1b2c3d web: … (plus uncommitted changes)"}, or why it is unknown. */
    static String describe(Path dir) {
        String head = run(dir, "git", "log", "-1", "--format=%h %s");
        String status = run(dir, "git", "status", "--porcelain", "--untracked-files=no");
        return head.isBlank() ? "unknown (no git)" : head + (status.isBlank() ? "" : " (plus uncommitted changes)");
    }

    private static String run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? output : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
