package io.fleetsaga.infra;

/** A running Kafka broker (or cluster) that auto-creates topics. */
public interface KafkaEndpoint {

    /** Value for {@code bootstrap.servers}, e.g. {@code 127.0.0.1:41234}. */
    String bootstrapServers();
}
