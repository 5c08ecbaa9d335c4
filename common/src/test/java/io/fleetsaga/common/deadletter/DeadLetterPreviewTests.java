package io.fleetsaga.common.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The first bytes of a dead letter are shown as text only when they are printable UTF-8. */
class DeadLetterPreviewTests {

    @Test
    void printableUtf8IsText() {
        assertThat(DeadLetterOperations.utf8Prefix(
                        "{\"orderId\":\"o-1\",\n\t\"städt\":\"Zürich\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("{\"orderId\":\"o-1\",\n\t\"städt\":\"Zürich\"}");
    }

    @Test
    void aCharacterCutByThePreviewIsDropped() {
        byte[] bytes = "ab€".getBytes(StandardCharsets.UTF_8); // € is three bytes
        assertThat(DeadLetterOperations.utf8Prefix(Arrays.copyOf(bytes, 4))).isEqualTo("ab");
        assertThat(DeadLetterOperations.utf8Prefix(Arrays.copyOf(bytes, 3))).isEqualTo("ab");
        assertThat(DeadLetterOperations.utf8Prefix(bytes)).isEqualTo("ab€");
    }

    @Test
    void invalidUtf8OrControlCharactersAreNotText() {
        assertThat(DeadLetterOperations.utf8Prefix(new byte[] {(byte) 0xF0, (byte) 0xF1, (byte) 0xF2, 'a', 'b'}))
                .isNull();
        assertThat(DeadLetterOperations.utf8Prefix(new byte[] {'a', (byte) 0xC3}))
                .isEqualTo("a");
        assertThat(DeadLetterOperations.utf8Prefix(new byte[] {'a', (byte) 0x80, 'b'}))
                .isNull();
        assertThat(DeadLetterOperations.utf8Prefix("a\u0000b".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(DeadLetterOperations.utf8Prefix("a\u001b[31mred".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(DeadLetterOperations.utf8Prefix(new byte[0])).isEmpty();
    }
}
