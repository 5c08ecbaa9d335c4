package io.fleetsaga.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Closed-loop HTTP load against one server in this JVM, and what it cost: {@code clients} threads each send
 * {@code GET uri} with the {@code Authorization} header from {@code authorization} (none when it gives null) as fast
 * as the answers come, for a warm-up (not counted) and then for the measured duration.
 *
 * <p>CPU is read two ways over the measured duration: the CPU time of the server's Tomcat threads (name prefix
 * {@code http-nio-[<address>-]<port>-}: the request threads plus acceptor and poller — where authentication runs), by
 * {@link ThreadMXBean#getThreadCpuTime}; and the CPU time of the whole process
 * ({@code OperatingSystemMXBean.getProcessCpuTime}: also the client threads, GC and JIT).
 */
final class LoadRun {

    record Result(
            String name,
            long requests,
            double seconds,
            Map<Integer, Long> statuses,
            long serverCpuNanos,
            long clientCpuNanos,
            long processCpuNanos) {

        double throughput() {
            return requests / seconds;
        }

        double serverCpuMicrosPerRequest() {
            return serverCpuNanos / 1e3 / requests;
        }

        double processCpuMicrosPerRequest() {
            return processCpuNanos / 1e3 / requests;
        }

        double clientCpuMicrosPerRequest() {
            return clientCpuNanos / 1e3 / requests;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LoadRun() {}

    static Result run(
            String name,
            int port,
            String path,
            Supplier<String> authorization,
            int clients,
            Duration warmup,
            Duration measured)
            throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + path);
        // Tomcat names them http-nio-<port>-exec-1 …, or http-nio-<address>-<port>-… with server.address
        String serverThreads = "-" + port + "-";
        if (!warmup.isZero()) {
            load(uri, authorization, clients, warmup, new ConcurrentHashMap<>(), new AtomicLong());
        }
        long serverBefore = threadCpu(serverThreads);
        long processBefore = processCpu();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong clientCpu = new AtomicLong();
        long start = System.nanoTime();
        load(uri, authorization, clients, measured, statuses, clientCpu);
        double seconds = (System.nanoTime() - start) / 1e9;
        long serverCpu = threadCpu(serverThreads) - serverBefore;
        long processCpu = processCpu() - processBefore;
        Map<Integer, Long> counts = new TreeMap<>();
        statuses.forEach((status, n) -> counts.put(status, n.get()));
        long requests = counts.values().stream().mapToLong(Long::longValue).sum();
        return new Result(name, requests, seconds, counts, serverCpu, clientCpu.get(), processCpu);
    }

    private static void load(
            URI uri,
            Supplier<String> authorization,
            int clients,
            Duration duration,
            Map<Integer, AtomicLong> statuses,
            AtomicLong clientCpu)
            throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread client = new Thread(
                    () -> {
                        long cpuBefore = THREADS.getCurrentThreadCpuTime();
                        HttpClient http = HttpClient.newBuilder()
                                .version(HttpClient.Version.HTTP_1_1)
                                .build();
                        while (System.nanoTime() < end) {
                            HttpRequest.Builder request = HttpRequest.newBuilder(uri);
                            String header = authorization.get();
                            if (header != null) {
                                request.header("Authorization", header);
                            }
                            int status;
                            try {
                                status = http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                                        .statusCode();
                            } catch (Exception e) {
                                status = -1;
                            }
                            statuses.computeIfAbsent(status, s -> new AtomicLong())
                                    .incrementAndGet();
                        }
                        clientCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpuBefore);
                    },
                    "bench-client-" + i);
            client.start();
            threads.add(client);
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** CPU time of the live Tomcat threads ({@code http-nio-…}) whose name contains {@code port}. */
    private static long threadCpu(String port) {
        long total = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null
                    && info.getThreadName().startsWith("http-nio-")
                    && info.getThreadName().contains(port)) {
                long cpu = THREADS.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
