package io.fleetsaga.common.web;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * All {@link ProblemMapping}s of the application: the answer to an exception is the mapping of its class or of its
 * nearest superclass that has one. Two mappings for the same class are a configuration error.
 */
public final class ProblemCatalog {

    private final Map<Class<?>, ProblemMapping<?>> mappings = new HashMap<>();

    public ProblemCatalog(List<ProblemMapping<?>> mappings) {
        for (ProblemMapping<?> mapping : mappings) {
            ProblemMapping<?> earlier = this.mappings.putIfAbsent(mapping.exceptionType(), mapping);
            if (earlier != null) {
                throw new IllegalStateException(
                        "two problem mappings for " + mapping.exceptionType().getName());
            }
        }
    }

    /** The answer to {@code exception}, if a feature declared one for its class or a superclass. */
    public Optional<ResponseEntity<ProblemDetail>> answer(Throwable exception) {
        for (Class<?> type = exception.getClass(); type != null; type = type.getSuperclass()) {
            ProblemMapping<?> mapping = mappings.get(type);
            if (mapping != null) {
                return Optional.of(apply(mapping, exception));
            }
        }
        return Optional.empty();
    }

    /** The problem reported for {@code exception}, if a feature declared one (the body of {@link #answer}). */
    public Optional<ProblemDetail> problem(Throwable exception) {
        return answer(exception).map(ResponseEntity::getBody);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> ResponseEntity<ProblemDetail> apply(ProblemMapping<E> mapping, Throwable e) {
        return mapping.toResponse((E) e);
    }
}
