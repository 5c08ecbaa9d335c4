package io.fleetsaga.order.order.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ETagsTests {

    @Test
    void theETagIsTheQuotedVersion() {
        assertThat(ETags.of(7)).isEqualTo("\"7\"");
    }

    @Test
    void readsTheExpectedVersionFromIfMatch() {
        assertThat(ETags.expectedVersion("\"7\"")).isEqualTo(7L);
        assertThat(ETags.expectedVersion(" \"0\" ")).isZero();
    }

    @Test
    void noPreconditionWithoutIfMatchOrWithAStar() {
        assertThat(ETags.expectedVersion(null)).isNull();
        assertThat(ETags.expectedVersion("")).isNull();
        assertThat(ETags.expectedVersion("*")).isNull();
    }

    @Test
    void whatIsNotOneOfOurStrongETagsNeverMatches() {
        assertThat(ETags.expectedVersion("W/\"7\"")).isEqualTo(ETags.UNMATCHABLE);
        assertThat(ETags.expectedVersion("7")).isEqualTo(ETags.UNMATCHABLE);
        assertThat(ETags.expectedVersion("\"seven\"")).isEqualTo(ETags.UNMATCHABLE);
        assertThat(ETags.expectedVersion("\"-1\"")).isEqualTo(ETags.UNMATCHABLE);
    }
}
