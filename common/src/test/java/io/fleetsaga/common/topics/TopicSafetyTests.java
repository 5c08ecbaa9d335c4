package io.fleetsaga.common.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicSafetyTests {

    @Test
    void aReplicationFactorBelowMinInsyncReplicasIsUnsafe() {
        assertThat(TopicSafety.of(1, 2)).isEqualTo(TopicSafety.UNSAFE);
        assertThat(TopicSafety.of(2, 3)).isEqualTo(TopicSafety.UNSAFE);
    }

    @Test
    void aReplicationFactorEqualToMinInsyncReplicasAboveOneIsFragile() {
        assertThat(TopicSafety.of(2, 2)).isEqualTo(TopicSafety.FRAGILE);
        assertThat(TopicSafety.of(3, 3)).isEqualTo(TopicSafety.FRAGILE);
    }

    @Test
    void oneSpareReplicaOrASingleBrokerSetupIsSafe() {
        assertThat(TopicSafety.of(3, 2)).isEqualTo(TopicSafety.SAFE);
        assertThat(TopicSafety.of(2, 1)).isEqualTo(TopicSafety.SAFE);
        assertThat(TopicSafety.of(1, 1)).isEqualTo(TopicSafety.SAFE);
    }

    @Test
    void settingsRefuseMinInsyncReplicasAboveTheReplicationFactor() {
        assertThatThrownBy(() -> new KafkaTopicSettings(3, (short) 1, 2, true))
                .hasMessageContaining("min-insync-replicas (2) must not exceed")
                .hasMessageContaining("replication-factor (1)");
        assertThatThrownBy(() -> new KafkaTopicSettings(0, (short) 3, 2, true))
                .hasMessageContaining("partitions must be at least 1");
    }

    @Test
    void declaresProducedTopicsAndDeadLetterTopicsOfConsumedOnes() {
        OwnedTopics owned = OwnedTopics.producing("fleet.order.events").withDeadLettersOf("fleet.assignment.events");

        TopicDeclarations declarations = new TopicDeclarations(
                owned, new KafkaTopicSettings(3, (short) 3, 2, true), ".DLT", Duration.ofDays(30));

        assertThat(declarations.topics())
                .extracting(NewTopic::name)
                .containsExactly("fleet.assignment.events.DLT", "fleet.order.events");
        assertThat(declarations.topics()).allSatisfy(topic -> {
            assertThat(topic.numPartitions()).isEqualTo(3);
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
        });
        assertThat(declarations.topics().get(0).configs())
                .isEqualTo(Map.of("min.insync.replicas", "2", "retention.ms", "2592000000"));
        assertThat(declarations.topics().get(1).configs()).isEqualTo(Map.of("min.insync.replicas", "2"));
        assertThat(owned.names(".DLT")).containsExactly("fleet.assignment.events.DLT", "fleet.order.events");
    }
}
