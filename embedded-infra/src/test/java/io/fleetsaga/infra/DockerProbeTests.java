package io.fleetsaga.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DockerProbeTests {

    @Test
    void probeAnswersWithinItsTimeout() {
        long start = System.nanoTime();

        boolean available = TestcontainersInfrastructure.dockerAvailable(Duration.ofSeconds(5));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        assertThat(available).isIn(true, false);
    }
}
