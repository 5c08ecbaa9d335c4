package io.fleetsaga.order.order.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetsaga.order.order.ExpectedVersion;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ETagsTests {

    @Test
    void theETagIsTheQuotedVersion() {
        assertThat(ETags.of(7)).isEqualTo("\"7\"");
    }

    @Test
    void readsTheExpectedVersionFromIfMatch() {
        assertThat(ETags.expectedVersion("\"7\"")).isEqualTo(ExpectedVersion.of(7));
        assertThat(ETags.expectedVersion(" \"0\" ")).isEqualTo(ExpectedVersion.of(0));
    }

    @Test
    void noPreconditionWithoutIfMatchOrWithAStar() {
        assertThat(ETags.expectedVersion(null)).isNull();
        assertThat(ETags.expectedVersion("*")).isNull();
        assertThat(ETags.expectedVersion(" * ")).isNull();
    }

    @Test
    void aListMatchesAnyOfItsTags() {
        ExpectedVersion expected = ETags.expectedVersion("\"3\", \"2\"");

        assertThat(expected.versions()).isEqualTo(Set.of(2L, 3L));
        assertThat(expected.matches(2)).isTrue();
        assertThat(expected.matches(4)).isFalse();
        // several header lines arrive joined by commas; empty list elements are allowed
        assertThat(ETags.expectedVersion("\"3\",,\"5\" ,\t\"9\"").versions()).isEqualTo(Set.of(3L, 5L, 9L));
    }

    @Test
    void weakTagsAndForeignTagsNeverMatchButAreNotErrors() {
        assertThat(ETags.expectedVersion("W/\"7\"").versions()).isEmpty();
        assertThat(ETags.expectedVersion("W/\"7\", \"8\"").versions()).containsExactly(8L);
        assertThat(ETags.expectedVersion("\"seven\"").versions()).isEmpty();
        assertThat(ETags.expectedVersion("\"-1\"").versions()).isEmpty();
        assertThat(ETags.expectedVersion("\"007\"").versions()).isEmpty();
        assertThat(ETags.expectedVersion("\"99999999999999999999\"").versions()).isEmpty();
        assertThat(ETags.expectedVersion("\"\"").versions()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", " ", "7", "\"7", "7\"", "\"7\" \"8\"", "\"7\"x", "*, \"7\"", "w/\"7\"", "W/7", "\"a b\"", ","
            })
    void aMalformedValueIsRefused(String ifMatch) {
        assertThatThrownBy(() -> ETags.expectedVersion(ifMatch))
                .isInstanceOf(MalformedIfMatchException.class)
                .hasMessageContaining("If-Match must be");
    }
}
