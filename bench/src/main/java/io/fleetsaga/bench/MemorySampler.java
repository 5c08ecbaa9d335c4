package io.fleetsaga.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Samples, every {@link #INTERVAL}, the resident set size ({@code VmRSS}) of the watched processes and the JVM heap
 * in use of the watched services ({@code jvm_memory_used_bytes{area="heap"}} summed over the pools, from
 * {@code /actuator/prometheus}); the peak RSS between {@link #start()} and {@link #stop()} is also read exactly from
 * {@code VmHWM}, which {@link #start()} resets. Heap in use is a sawtooth between collections: its sampled peak
 * shows how close the heap came to its limit, not the live data.
 */
final class MemorySampler {

    static final Duration INTERVAL = Duration.ofMillis(200);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    /** One watched process: its pid and, for a Spring Boot service, its Prometheus endpoint. */
    record Watched(String name, long pid, URI prometheus) {}

    /** Peaks of one process over one sampling period; -1 when unknown. */
    record Peaks(long peakRssKb, long hwmKb, long peakHeapBytes, long peakHeapCommittedBytes, int samples) {}

    private final List<Watched> watched;
    private final Map<String, long[]> peaks = new LinkedHashMap<>();
    private volatile boolean running;
    private Thread thread;
    private int samples;

    MemorySampler(List<Watched> watched) {
        this.watched = List.copyOf(watched);
    }

    void start() {
        peaks.clear();
        samples = 0;
        for (Watched w : watched) {
            peaks.put(w.name(), new long[] {-1, -1, -1, Procfs.resetPeakRss(w.pid()) ? 1 : 0});
        }
        running = true;
        thread = new Thread(this::loop, "memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops sampling; the peaks per process name. */
    Map<String, Peaks> stop() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample(); // one last sample at the end
        Map<String, Peaks> result = new LinkedHashMap<>();
        for (Watched w : watched) {
            long[] p = peaks.get(w.name());
            long hwm = p[3] == 1 ? Procfs.statusKb(w.pid(), "VmHWM").orElse(-1) : -1;
            result.put(w.name(), new Peaks(p[0], hwm, p[1], p[2], samples));
        }
        return result;
    }

    private void loop() {
        while (running) {
            long next = System.nanoTime() + INTERVAL.toNanos();
            sample();
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private synchronized void sample() {
        samples++;
        for (Watched w : watched) {
            long[] p = peaks.get(w.name());
            OptionalLong rss = Procfs.statusKb(w.pid(), "VmRSS");
            if (rss.isPresent()) {
                p[0] = Math.max(p[0], rss.getAsLong());
            }
            if (w.prometheus() != null) {
                long[] heap = heap(w.prometheus());
                p[1] = Math.max(p[1], heap[0]);
                p[2] = Math.max(p[2], heap[1]);
            }
        }
    }

    /** {@code [heap used, heap committed]} in bytes, {@code -1} when the scrape failed. */
    static long[] heap(URI prometheus) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(prometheus)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return new long[] {-1, -1};
            }
            return new long[] {
                sum(response.body(), "jvm_memory_used_bytes{"), sum(response.body(), "jvm_memory_committed_bytes{")
            };
        } catch (IOException e) {
            return new long[] {-1, -1};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new long[] {-1, -1};
        }
    }

    private static long sum(String exposition, String metric) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(metric) && line.contains("area=\"heap\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) total;
    }
}
