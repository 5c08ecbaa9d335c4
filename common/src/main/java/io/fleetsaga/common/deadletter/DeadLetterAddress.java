package io.fleetsaga.common.deadletter;

/** Where a dead letter is: its dead-letter topic, partition and offset. */
public record DeadLetterAddress(String topic, int partition, long offset) {

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
