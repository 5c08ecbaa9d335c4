package io.fleetsaga.infra;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A webhook receiver on 127.0.0.1 (a free port) that behaves as a well-built receiver should: it deduplicates
 * by {@code Idempotency-Key} and applies each key once. A {@link #script} decides per call whether the receiver
 * applies it, fails it, or applies it and answers too late (the caller times out and will send the same key
 * again — the lost-acknowledgement case of incident I-2). Everything is recorded for assertions.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** What the receiver does with one call. */
    public enum Answer {
        /** Apply (unless the key was applied before) and answer 200. */
        APPLY,
        /** Apply, then hold the answer until the next call with the same key arrives: the caller times out. */
        APPLY_AND_ANSWER_LATE,
        /** Answer 503 without applying. */
        FAIL,
        /** Answer 400 without applying: the receiver refuses this call, a retry cannot change that. */
        REJECT,
        /** Answer 307 to this same URL without applying (a webhook client must not follow redirects). */
        REDIRECT
    }

    /**
     * One call as received.
     *
     * @param key the {@code Idempotency-Key}
     * @param nth the number of this call for this key at the receiver, from 1
     */
    public record Call(String key, int nth, Map<String, List<String>> headers, String body) {

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** Upper bound of a late answer, should the caller never give up. */
    private static final long LATE_ANSWER_BOUND_SECONDS = 30;

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> callsPerKey = new ConcurrentHashMap<>();
    private final Map<String, String> applied = new ConcurrentHashMap<>();
    private final List<String> appliedInOrder = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> duplicatesPerKey = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> lateAnswers = new ConcurrentHashMap<>();
    private volatile Function<Call, Answer> script = call -> Answer.APPLY;

    private WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "webhook-receiver");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/hook", this::handle);
        server.start();
    }

    public static WebhookReceiver start() {
        return new WebhookReceiver();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** Replaces what the receiver does per call (default: apply everything). */
    public WebhookReceiver script(Function<Call, Answer> script) {
        this.script = script;
        return this;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String key) {
        return calls.stream().filter(c -> key.equals(c.key())).toList();
    }

    /** Body applied per key; a key is in here at most once. */
    public Map<String, String> applied() {
        return Map.copyOf(applied);
    }

    /** Keys in the order they were applied. */
    public List<String> appliedInOrder() {
        return List.copyOf(appliedInOrder);
    }

    /** Calls for {@code key} that came after it had been applied, and were answered 200 without applying again. */
    public int duplicates(String key) {
        AtomicInteger n = duplicatesPerKey.get(key);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (key == null || !"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            int nth = callsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            Call call = new Call(key, nth, Map.copyOf(exchange.getRequestHeaders()), body);
            calls.add(call);
            CountDownLatch previous = lateAnswers.remove(key);
            if (previous != null) {
                previous.countDown(); // the caller gave up on the held answer: let that thread go
            }
            switch (script.apply(call)) {
                case FAIL -> exchange.sendResponseHeaders(503, -1);
                case REJECT -> exchange.sendResponseHeaders(400, -1);
                case REDIRECT -> {
                    exchange.getResponseHeaders().add("Location", url().toString());
                    exchange.sendResponseHeaders(307, -1);
                }
                case APPLY -> {
                    apply(call);
                    exchange.sendResponseHeaders(200, -1);
                }
                case APPLY_AND_ANSWER_LATE -> {
                    apply(call);
                    CountDownLatch held = new CountDownLatch(1);
                    lateAnswers.put(key, held);
                    awaitQuietly(held);
                    exchange.sendResponseHeaders(200, -1); // usually to a closed connection
                }
            }
        } catch (IOException e) {
            // the caller closed the connection (it timed out): nothing to answer
        }
    }

    private void apply(Call call) {
        if (applied.putIfAbsent(call.key(), call.body()) == null) {
            appliedInOrder.add(call.key());
        } else {
            duplicatesPerKey
                    .computeIfAbsent(call.key(), k -> new AtomicInteger())
                    .incrementAndGet();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(LATE_ANSWER_BOUND_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        lateAnswers.values().forEach(CountDownLatch::countDown);
        server.stop(0);
        executor.shutdownNow();
    }
}
