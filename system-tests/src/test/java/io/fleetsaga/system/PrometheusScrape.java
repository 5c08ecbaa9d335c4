package io.fleetsaga.system;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The series names of {@code /actuator/prometheus} scrapes (Prometheus text format). A query selects series, not
 * metric families, so a referenced name counts as exported only when a series of exactly that name is: a timer
 * {@code http_server_requests_seconds} is scraped as {@code _count}, {@code _sum}, {@code _max} and — only with
 * percentile histograms switched on — {@code _bucket}; a counter {@code outbox_published} as {@code _total}. A
 * query of the bare family name would select nothing in Prometheus, and is reported as missing here too.
 */
final class PrometheusScrape {

    private static final String[] SUFFIXES = {"_bucket", "_count", "_sum", "_max", "_total", "_created"};

    private final Set<String> series = new TreeSet<>();
    private final Map<String, String> types = new HashMap<>();

    /** Adds the series of one scrape. */
    PrometheusScrape add(String exposition) {
        for (String raw : exposition.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split("\\s+");
                if (parts.length >= 4) {
                    types.put(parts[2], parts[3]);
                }
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                int end = 0;
                while (end < line.length() && line.charAt(end) != '{' && !Character.isWhitespace(line.charAt(end))) {
                    end++;
                }
                series.add(line.substring(0, end));
            }
        }
        return this;
    }

    Set<String> series() {
        return series;
    }

    /** Empty when a series named {@code name} was scraped, else why not (with a hint where one helps). */
    Optional<String> whyMissing(String name) {
        if (series.contains(name)) {
            return Optional.empty();
        }
        if (name.endsWith("_bucket")) {
            String base = name.substring(0, name.length() - "_bucket".length());
            if (series.contains(base + "_count")) {
                return Optional.of(name + " is not exported: " + base + " has no histogram buckets (set"
                        + " management.metrics.distribution.percentiles-histogram.<meter name>=true)");
            }
        }
        List<String> family = Stream.of(SUFFIXES)
                .map(suffix -> name + suffix)
                .filter(series::contains)
                .toList();
        if (!family.isEmpty()) {
            return Optional.of(name + " is a metric family (" + types.getOrDefault(name, "?")
                    + "), not a series: query one of " + family);
        }
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (series.contains(base)) {
                    return Optional.of(name + " is not exported, " + base + " is (a gauge has no " + suffix + ")");
                }
            }
        }
        return Optional.of(name + " is not exported by any service");
    }
}
