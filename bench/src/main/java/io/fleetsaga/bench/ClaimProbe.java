package io.fleetsaga.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Watches the relay's claim query without knowing it: a {@link DataSource} wrapper that recognises the locking read
 * of the kit's {@code JdbcOutboxStore.claim} ({@code … FOR UPDATE SKIP LOCKED}) by its text, keeps the SQL and its
 * parameters as the code under test sent them (so {@code EXPLAIN} explains whatever the built code runs), and times
 * each execution. Every other statement passes through untouched.
 */
final class ClaimProbe {

    private final DataSource target;
    private final Histogram claimMicros = new ConcurrentHistogram(3);
    private final AtomicLong lastClaimStartNanos = new AtomicLong();
    private volatile String sql;
    private volatile List<Object> parameters = List.of();

    ClaimProbe(DataSource target) {
        this.target = target;
    }

    /** The data source to give the outbox store and its transaction manager (the same instance to both). */
    DataSource dataSource() {
        return (DataSource) Proxy.newProxyInstance(
                DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    return result instanceof Connection connection ? connection(connection) : result;
                });
    }

    /** The claim's SQL as last executed, or {@code null} before the first claim. */
    String sql() {
        return sql;
    }

    /** The parameters of the last claim, by position. */
    List<Object> parameters() {
        return parameters;
    }

    /** Execution time of each claim query (the locking read), µs. */
    Histogram claimMicros() {
        return claimMicros;
    }

    /** {@link System#nanoTime()} when the last claim query started. */
    long lastClaimStartNanos() {
        return lastClaimStartNanos.get();
    }

    void reset() {
        claimMicros.reset();
    }

    private Connection connection(Connection connection) {
        return (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    Object result = invoke(connection, method, args);
                    if (method.getName().equals("prepareStatement")
                            && args != null
                            && args[0] instanceof String text
                            && text.contains("SKIP LOCKED")) {
                        return claimStatement((PreparedStatement) result, text);
                    }
                    return result;
                });
    }

    private PreparedStatement claimStatement(PreparedStatement statement, String text) {
        Map<Integer, Object> bound = new TreeMap<>();
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer index) {
                bound.put(index, args[1]);
            }
            if (!name.equals("executeQuery")) {
                return invoke(statement, method, args);
            }
            long started = System.nanoTime();
            lastClaimStartNanos.set(started);
            try {
                return invoke(statement, method, args);
            } finally {
                claimMicros.recordValue(Math.max(1, (System.nanoTime() - started) / 1000));
                sql = text;
                parameters = List.copyOf(bound.values());
            }
        };
        return (PreparedStatement) Proxy.newProxyInstance(
                PreparedStatement.class.getClassLoader(), new Class<?>[] {PreparedStatement.class}, handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
