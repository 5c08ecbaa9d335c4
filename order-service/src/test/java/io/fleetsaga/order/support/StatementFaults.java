package io.fleetsaga.order.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Faults injected at the JDBC boundary of the <em>real</em> database, chosen by the thread that issues a statement
 * and its SQL: a statement can be made to fail the way a dropped connection does, or a thread can be frozen at its
 * next statement the way a stopped process (SIGSTOP, a long GC pause) is, until the test thaws it. Everything else
 * reaches the database unchanged. Install it with {@link #installedIn} as a bean post-processor of the test's
 * context; the service's own code paths are exercised as they are.
 */
public final class StatementFaults {

    /** One statement about to be prepared: the thread preparing it and its SQL (empty for a plain Statement). */
    public record Call(String thread, String sql) {

        public boolean by(String threadName) {
            return thread.equals(threadName);
        }

        /** Whether the SQL contains every one of {@code parts}, ignoring case. */
        public boolean sqlContains(String... parts) {
            String lower = sql.toLowerCase(Locale.ROOT);
            for (String part : parts) {
                if (!lower.contains(part.toLowerCase(Locale.ROOT))) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final Duration LONGEST_FREEZE = Duration.ofMinutes(2);

    private final AtomicInteger failures = new AtomicInteger();
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();
    private final Object thawing = new Object();
    private volatile Predicate<Call> failing = call -> false;
    private volatile Predicate<Call> freezeTrigger = call -> false;
    private volatile Set<String> freezing = Set.of();
    private volatile boolean triggered;

    /** Every statement matching {@code which} fails with an {@link SQLTransientConnectionException}. */
    public void fail(Predicate<Call> which) {
        this.failing = which;
    }

    /** How many statements failed because of {@link #fail}. */
    public int failures() {
        return failures.get();
    }

    /**
     * Once a statement matching {@code trigger} is about to be prepared, each of {@code threads} freezes at its next
     * statement (the triggering one included) until {@link #thaw}ed.
     */
    public void freeze(Predicate<Call> trigger, Set<String> threads) {
        synchronized (thawing) {
            this.freezing = Set.copyOf(threads);
            this.freezeTrigger = trigger;
            this.triggered = false;
        }
    }

    /** Whether {@code thread} is frozen right now, before its statement reached the database. */
    public boolean isFrozen(String thread) {
        return frozen.contains(thread);
    }

    /** Lets {@code thread} go on; it is not frozen again. */
    public void thaw(String thread) {
        synchronized (thawing) {
            Set<String> still = new java.util.HashSet<>(freezing);
            still.remove(thread);
            freezing = Set.copyOf(still);
            thawing.notifyAll();
        }
    }

    /** Removes every fault and thaws every thread. */
    public void reset() {
        failing = call -> false;
        synchronized (thawing) {
            freezeTrigger = call -> false;
            freezing = Set.of();
            triggered = false;
            thawing.notifyAll();
        }
    }

    /** A post-processor that wraps the context's {@link DataSource} with these faults. */
    public static BeanPostProcessor installedIn(StatementFaults faults) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof DataSource dataSource ? faults.wrap(dataSource) : bean;
            }
        };
    }

    DataSource wrap(DataSource target) {
        return new DelegatingDataSource(target) {
            @Override
            public Connection getConnection() throws SQLException {
                return faulty(super.getConnection());
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return faulty(super.getConnection(username, password));
            }
        };
    }

    private Connection faulty(Connection connection) {
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            if (name.startsWith("prepare") || name.equals("createStatement")) {
                String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : "";
                before(new Call(Thread.currentThread().getName(), sql));
            }
            try {
                return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(
                StatementFaults.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    private void before(Call call) throws SQLException {
        if (failing.test(call)) {
            failures.incrementAndGet();
            throw new SQLTransientConnectionException(
                    "injected fault: the connection broke before '" + call.sql() + "'", "08S01");
        }
        synchronized (thawing) {
            if (!triggered && freezeTrigger.test(call)) {
                triggered = true;
            }
            if (!triggered || !freezing.contains(call.thread())) {
                return;
            }
            frozen.add(call.thread());
            long deadline = System.nanoTime() + LONGEST_FREEZE.toNanos();
            try {
                while (triggered && freezing.contains(call.thread())) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SQLTransientConnectionException("injected freeze was never thawed", "08S01");
                    }
                    thawing.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLTransientConnectionException("interrupted while frozen", "08S01", e);
            } finally {
                frozen.remove(call.thread());
            }
        }
    }
}
