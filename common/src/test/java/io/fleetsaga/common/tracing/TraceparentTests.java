package io.fleetsaga.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceparentTests {

    static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void readsAndWritesAVersion00Header() {
        Traceparent parent = Traceparent.parse(VALID).orElseThrow();

        assertThat(parent.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(parent.spanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(parent.sampled()).isTrue();
        assertThat(parent.header()).isEqualTo(VALID);
        assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
                        .orElseThrow()
                        .sampled())
                .isFalse();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(
            strings = {
                "",
                "garbage",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"
            })
    void treatsAnythingElseAsNoTraceContext(String header) {
        assertThat(Traceparent.parse(header)).isEmpty();
    }

    @Test
    void padsA64BitTraceIdAndRejectsANoopTracersEmptyIds() {
        assertThat(Traceparent.of("a3ce929d0e0e4736", "00f067aa0ba902b7", true))
                .map(Traceparent::header)
                .contains("00-0000000000000000a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(Traceparent.of("", "", false)).isEmpty();
        assertThat(Traceparent.of(null, null, null)).isEmpty();
    }
}
