package io.fleetsaga.infra;

/** A Kafka endpoint at a fixed address (external broker or container). */
record StaticKafkaEndpoint(String bootstrapServers) implements KafkaEndpoint {}
