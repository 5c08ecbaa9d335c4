package io.fleetsaga.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A benchmark's results as rows of named values, written as JSON ({@code <name>.json}) and as a markdown table
 * ({@code <name>.md}) — the machine-readable and the publishable form of the same figures.
 */
final class ResultTable {

    private final List<String> columns;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();

    ResultTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    /** A row: one value per column, in column order ({@code null} for none). */
    void row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            row.put(columns.get(i), values[i]);
        }
        rows.add(row);
    }

    /** A value about the whole run (machine, versions, ratios), written before the rows. */
    void fact(String name, Object value) {
        facts.put(name, value);
    }

    void write(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".json"), json());
        Files.writeString(dir.resolve(name + ".md"), markdown());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("| ").append(String.join(" | ", columns)).append(" |\n");
        md.append("|").append("---|".repeat(columns.size())).append('\n');
        for (Map<String, Object> row : rows) {
            md.append("| ")
                    .append(row.values().stream().map(ResultTable::cell).collect(Collectors.joining(" | ")))
                    .append(" |\n");
        }
        if (!facts.isEmpty()) {
            md.append('\n');
            facts.forEach((k, v) ->
                    md.append("- ").append(k).append(": ").append(cell(v)).append('\n'));
        }
        return md.toString();
    }

    private String json() {
        StringBuilder json = new StringBuilder("{\n  \"facts\": {");
        json.append(facts.entrySet().stream()
                .map(e -> "\n    " + quote(e.getKey()) + ": " + value(e.getValue()))
                .collect(Collectors.joining(",")));
        json.append("\n  },\n  \"rows\": [");
        json.append(rows.stream()
                .map(row -> "\n    {"
                        + row.entrySet().stream()
                                .map(e -> quote(e.getKey()) + ": " + value(e.getValue()))
                                .collect(Collectors.joining(", "))
                        + "}")
                .collect(Collectors.joining(",")));
        return json.append("\n  ]\n}\n").toString();
    }

    private static String cell(Object value) {
        if (value == null) {
            return "—";
        }
        if (value instanceof Double d) {
            return d >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.2f", d);
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", value);
        }
        return value.toString().replace("|", "\\|");
    }

    private static String value(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return Double.isFinite(d)
                    ? (value instanceof Double ? String.format(Locale.ROOT, "%.3f", d) : n.toString())
                    : "null";
        }
        return quote(value.toString());
    }

    private static String quote(String text) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
