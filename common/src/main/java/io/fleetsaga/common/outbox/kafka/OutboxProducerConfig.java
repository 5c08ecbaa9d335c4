package io.fleetsaga.common.outbox.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Producer settings the outbox relay depends on, applied over whatever the application configured:
 * idempotent producer, {@code acks=all}, bounded blocking and delivery time (incident I-4: a broker
 * outage must make sends fail fast and be retried later, never hang).
 */
public final class OutboxProducerConfig {

    private OutboxProducerConfig() {}

    /**
     * @param base the application's producer properties (bootstrap servers, security, client id …)
     * @param maxBlock bound of {@code send()} blocking on metadata or a full buffer
     * @param deliveryTimeout bound of the time from send to acknowledgement or failure
     */
    public static Map<String, Object> enforce(Map<String, Object> base, Duration maxBlock, Duration deliveryTimeout) {
        Map<String, Object> props = new HashMap<>(base);
        // the outbox is the transaction; a Kafka transaction would only add latency and failure modes
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) maxBlock.toMillis());
        int delivery = (int) deliveryTimeout.toMillis();
        int linger = Integer.parseInt(String.valueOf(props.getOrDefault(ProducerConfig.LINGER_MS_CONFIG, 5)));
        props.put(ProducerConfig.LINGER_MS_CONFIG, linger);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, delivery - linger - 1));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return props;
    }
}
