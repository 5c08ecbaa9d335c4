package io.fleetsaga.common.web;

import java.util.function.Function;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * How one exception of a feature is answered over HTTP: declared once by the feature (a bean in its {@code web}
 * package), used by the kit's {@code ProblemAdvice} for a whole request and by anyone who reports the same
 * failure inside a larger answer (e.g. an item of a batch) through {@link ProblemCatalog}. The exception itself
 * stays free of HTTP; the mapping is the one place that gives it a status, a problem type and headers.
 *
 * @param <E> the exception (and its subclasses, unless a subclass has its own mapping)
 */
public interface ProblemMapping<E extends Throwable> {

    Class<E> exceptionType();

    /** The answer: status, headers (e.g. {@code Retry-After}, {@code ETag}) and the problem as body. */
    ResponseEntity<ProblemDetail> toResponse(E exception);

    /** A mapping by a function. */
    static <E extends Throwable> ProblemMapping<E> of(
            Class<E> type, Function<? super E, ResponseEntity<ProblemDetail>> response) {
        return new ProblemMapping<>() {
            @Override
            public Class<E> exceptionType() {
                return type;
            }

            @Override
            public ResponseEntity<ProblemDetail> toResponse(E exception) {
                return response.apply(exception);
            }
        };
    }

    /** The common case: a status, a problem name and title; the exception's message is the detail. */
    static <E extends Throwable> ProblemMapping<E> of(Class<E> type, HttpStatusCode status, String name, String title) {
        return of(type, e -> ResponseEntity.status(status).body(Problems.of(status, name, title, e.getMessage())));
    }
}
