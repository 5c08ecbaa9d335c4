package io.fleetsaga.common.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaFuture;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * A broker admin client whose every call is bounded: created at its first use from Spring's {@link KafkaAdmin}
 * properties with the request and API timeouts set to the bound, and each call awaited for at most the bound. For
 * the services' read-only questions to the broker (end offsets, a group's committed offsets) that must never hang a
 * request or a scheduled job during an outage.
 */
public final class BoundedAdmin implements AutoCloseable {

    private final KafkaAdmin kafkaAdmin;
    private final int timeoutMillis;
    private volatile Admin admin;

    public BoundedAdmin(KafkaAdmin kafkaAdmin, Duration timeout) {
        this.kafkaAdmin = kafkaAdmin;
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
    }

    /** The bound, for the {@code timeoutMs} of a call's options. */
    public int timeoutMillis() {
        return timeoutMillis;
    }

    /** The client, created at the first call. */
    public Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> config = new HashMap<>(kafkaAdmin.getConfigurationProperties());
                    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
                    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis);
                    admin = Admin.create(config);
                }
                current = admin;
            }
        }
        return current;
    }

    /**
     * The call's result within the bound.
     *
     * @throws BrokerCallException when the call failed (its cause: the broker's error, e.g. {@code
     *     UnknownTopicOrPartitionException}), did not finish within the bound, or the thread was interrupted
     */
    public <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new BrokerCallException(e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerCallException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerCallException(e);
        }
    }

    @Override
    public void close() {
        Admin current = admin;
        if (current != null) {
            current.close(Duration.ofSeconds(5));
        }
    }

    /** A broker call failed or timed out; the cause says which. */
    public static final class BrokerCallException extends RuntimeException {

        BrokerCallException(Throwable cause) {
            super(String.valueOf(cause), cause);
        }
    }
}
