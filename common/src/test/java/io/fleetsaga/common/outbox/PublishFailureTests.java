package io.fleetsaga.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetsaga.common.outbox.PublishFailure.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.MalformedInputException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DatabindException;

/** The rules every transport shares: what is the transport's fault, what is not recognised. */
class PublishFailureTests {

    @Test
    void theRelaysOwnTimeoutAnInterruptionAndIoFailuresAreTheTransports() {
        assertThat(PublishFailure.classify(new TimeoutException("no acknowledgement")))
                .isEqualTo(PublishFailure.transport("TimeoutException"));
        assertThat(PublishFailure.classify(new InterruptedException()).kind()).isEqualTo(Kind.TRANSPORT);
        assertThat(PublishFailure.classify(new CompletionException(new ConnectException("refused"))))
                .isEqualTo(PublishFailure.transport("ConnectException"));
        assertThat(PublishFailure.classify(new HttpTimeoutException("request timed out"))
                        .kind())
                .isEqualTo(Kind.TRANSPORT);
        assertThat(PublishFailure.classify(new IOException("connection reset")).kind())
                .isEqualTo(Kind.TRANSPORT);
    }

    @Test
    void contentThatCannotBeSerialisedIsTheRecords() {
        RuntimeException encoding = new IllegalStateException(
                "cannot encode envelope",
                DatabindException.from((tools.jackson.core.JsonGenerator) null, "no serializer for class X"));

        assertThat(PublishFailure.classify(encoding))
                .isEqualTo(PublishFailure.record("not serialisable: DatabindException"));
        assertThat(PublishFailure.classify(new MalformedInputException(3)).kind())
                .isEqualTo(Kind.RECORD);
    }

    @Test
    void anExceptionThatKnowsWhoseFaultItIsIsBelievedAlsoWhenWrapped() {
        class Refused extends RuntimeException implements PublishFailure.Classified {
            @Override
            public PublishFailure publishFailure() {
                return PublishFailure.record("HTTP 422");
            }
        }

        assertThat(PublishFailure.classify(new ExecutionException(new Refused())))
                .isEqualTo(PublishFailure.record("HTTP 422"));
    }

    @Test
    void anythingElseIsUnknownAndNamedAfterTheOutermostExceptionThatIsNoMereWrapper() {
        assertThat(PublishFailure.classify(new ExecutionException(new IllegalStateException("boom"))))
                .isEqualTo(PublishFailure.unknown("IllegalStateException"));
        assertThat(PublishFailure.classify(new RuntimeException("bare")))
                .isEqualTo(PublishFailure.unknown("RuntimeException"));
    }

    @Test
    void aCauseChainWithACycleEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        assertThat(PublishFailure.causes(b)).containsExactly(b, a);
        assertThat(PublishFailure.classify(b).kind()).isEqualTo(Kind.UNKNOWN);
    }

    @Test
    void theReasonIsShortAndNeverBlank() {
        assertThat(PublishFailure.record(" ").reason()).isEqualTo("RECORD");
        assertThat(PublishFailure.transport("x".repeat(300)).reason()).hasSize(100);
    }
}
