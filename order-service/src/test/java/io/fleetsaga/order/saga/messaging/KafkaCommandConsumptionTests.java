package io.fleetsaga.order.saga.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.order.saga.messaging.KafkaCommandConsumption.Positions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the consumer group has passed a command, from the offsets the broker reports (no broker needed). */
class KafkaCommandConsumptionTests {

    @Test
    void aGroupAtTheEndOfEveryPartitionPassedEverythingWithoutAskingByTime() {
        Positions positions = new Positions(Map.of(0, 10L, 1, 7L), Map.of(0, 10L, 1, 7L));

        assertThat(positions.lagging()).isEmpty();
        assertThat(positions.passed(Map.of())).isTrue();
    }

    @Test
    void aLaggingPartitionPassedTheTimeWhenItsCommittedOffsetReachedTheFirstLaterRecord() {
        Positions positions = new Positions(Map.of(0, 10L, 1, 5L), Map.of(0, 10L, 1, 9L));

        assertThat(positions.lagging()).containsExactly(1);
        assertThat(positions.passed(Map.of(1, 5L)))
                .as("records from offset 5 on are later")
                .isTrue();
        assertThat(positions.passed(Map.of(1, 6L)))
                .as("record 5 is not later and not consumed")
                .isFalse();
    }

    @Test
    void noRecordThatLateMeansTheGroupMustReachTheEnd() {
        Positions positions = new Positions(Map.of(0, 8L), Map.of(0, 9L));

        assertThat(positions.passed(Map.of(0, -1L))).isFalse();
        assertThat(new Positions(Map.of(0, 9L, 1, 3L), Map.of(0, 9L, 1, 4L)).passed(Map.of(1, -1L)))
                .isFalse();
    }

    @Test
    void aPartitionWithoutCommittedOffsetCountsAsConsumedUpToTheStart() {
        Positions positions = new Positions(Map.of(0, 4L), Map.of(0, 4L, 1, 3L, 2, 0L));

        assertThat(positions.lagging()).containsExactly(1);
        assertThat(positions.passed(Map.of(1, 0L)))
                .as("nothing on partition 1 before the time")
                .isTrue();
        assertThat(positions.passed(Map.of(1, 2L))).isFalse();
    }
}
