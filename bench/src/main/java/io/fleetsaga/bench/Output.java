package io.fleetsaga.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Everything the benchmark reports: printed as it goes and kept for the results file. */
final class Output {

    private static final PrintStream console = System.out;
    private final StringBuilder all = new StringBuilder();

    synchronized void line(String text) {
        console.println(text);
        console.flush();
        all.append(text).append('\n');
    }

    void line(String format, Object... args) {
        line(String.format(format, args));
    }

    synchronized void writeTo(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, all);
    }
}
