package io.fleetsaga.common.security;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Bounds how many credentials a client (its remote address) may have verified and refused per window: the CPU that
 * failed logins can take, since each verification is a bcrypt check.
 *
 * <p>A client's window starts with its first counted attempt and lasts {@code window}. Before a verification the
 * caller {@linkplain #tryAcquire reserves} an attempt; a client with {@code limit} attempts counted in its current
 * window is refused (the caller answers 429) until the window ends. The reservation is {@linkplain #release released}
 * when the credential turned out right, and kept when it was refused — so only failures count, and the check and the
 * count are one atomic step: however many requests a client sends at once, at most {@code limit} of its failed
 * verifications run per window.
 *
 * <p>At most {@code trackedClients} clients are counted one by one; when that many have an open window, new clients
 * share a single window (so a flood from many addresses is bounded too, at the price of refusing new addresses
 * together while it lasts). A {@code limit} of 0 turns the limiter off. Thread-safe.
 */
final class FailedLoginLimiter {

    /** The client that new clients share when {@code trackedClients} clients are counted already. */
    static final String OVERFLOW = "*";

    private record Window(long startNanos, int attempts) {}

    private final int limit;
    private final long windowNanos;
    private final int trackedClients;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    FailedLoginLimiter(int limit, Duration window, int trackedClients) {
        this(limit, window, trackedClients, System::nanoTime);
    }

    FailedLoginLimiter(int limit, Duration window, int trackedClients, LongSupplier nanoTime) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.trackedClients = trackedClients;
        this.nanoTime = nanoTime;
    }

    /** The client an attempt of {@code address} counts against (the address, or {@link #OVERFLOW}). */
    String client(String address) {
        if (limit == 0 || windows.containsKey(address) || windows.size() < trackedClients) {
            return address;
        }
        purgeEnded();
        return windows.size() < trackedClients ? address : OVERFLOW;
    }

    /**
     * Reserves one attempt of {@code client}: {@link Duration#ZERO} when it may verify a credential now, otherwise
     * how long until its window ends (the {@code Retry-After}).
     */
    Duration tryAcquire(String client) {
        if (limit == 0) {
            return Duration.ZERO;
        }
        long now = nanoTime.getAsLong();
        long[] wait = {0};
        windows.compute(client, (key, current) -> {
            if (current == null || ended(current, now)) {
                return new Window(now, 1);
            }
            if (current.attempts() >= limit) {
                wait[0] = current.startNanos() + windowNanos - now;
                return current;
            }
            return new Window(current.startNanos(), current.attempts() + 1);
        });
        return Duration.ofNanos(wait[0]);
    }

    /** Gives back an attempt reserved by {@link #tryAcquire}: the credential was right, or nothing was verified. */
    void release(String client) {
        if (limit == 0) {
            return;
        }
        windows.computeIfPresent(
                client, (key, current) -> new Window(current.startNanos(), Math.max(0, current.attempts() - 1)));
    }

    /** Clients with an open window right now. */
    int trackedClients() {
        purgeEnded();
        return windows.size();
    }

    private void purgeEnded() {
        long now = nanoTime.getAsLong();
        for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Window> entry = it.next();
            if (ended(entry.getValue(), now)) {
                windows.remove(entry.getKey(), entry.getValue());
            }
        }
    }

    private boolean ended(Window window, long now) {
        return now - window.startNanos() >= windowNanos;
    }
}
