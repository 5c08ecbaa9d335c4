package io.fleetsaga.common.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

/**
 * The one error handling of both services' controllers: every exception a request ends in becomes a problem of
 * the contract ({@link Problems}). In this order of precedence: a feature's own {@link ProblemMapping} of the
 * exception; the framework's errors (invalid or unreadable body, ill-typed parameter, unknown path, method, media
 * type, too large — each a {@code 4xx} with a URN type, a 400 naming each offending field in {@code errors}); a
 * busy row ({@code 503}, {@code Retry-After: 1}, nothing changed); anything else a {@code 500 internal-error}
 * without internals (logged with its stack trace). A database that does not answer is answered before this, by
 * {@code DatabaseUnavailableAdvice}.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    private final ProblemCatalog catalog;

    ProblemAdvice(ProblemCatalog catalog) {
        this.catalog = catalog;
    }

    /** A feature's declared problem, a busy row, or an unexpected failure. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> anything(Exception e, NativeWebRequest request) {
        ResponseEntity<ProblemDetail> answer = catalog.answer(e).orElseGet(() -> unmapped(e));
        if (answer.getBody() != null) {
            Problems.complete(answer.getBody(), request.getNativeRequest(HttpServletRequest.class));
        }
        return answer;
    }

    private static ResponseEntity<ProblemDetail> unmapped(Exception e) {
        if (e instanceof TransientDataAccessException || e instanceof PessimisticLockingFailureException) {
            log.info("request refused, a row it needs is busy: {}", e.toString());
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, "1")
                    .body(Problems.of(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "busy",
                            "Busy",
                            "a row this request needs is busy (lock wait or deadlock); nothing was changed, please"
                                    + " retry"));
        }
        log.error("unexpected failure of an API request", e);
        return ResponseEntity.internalServerError()
                .body(Problems.of(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "internal-error",
                        "Internal error",
                        "the request failed unexpectedly; it is safe to retry (with the same Idempotency-Key where"
                                + " the call takes one)"));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = new ArrayList<>();
        e.getBindingResult()
                .getFieldErrors()
                .forEach(error -> errors.add(new FieldProblem(error.getField(), error.getDefaultMessage())));
        e.getBindingResult()
                .getGlobalErrors()
                .forEach(error -> errors.add(new FieldProblem(error.getObjectName(), error.getDefaultMessage())));
        return invalid(e, errors, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new FieldProblem(parameterName(result, error), error.getDefaultMessage())))
                .toList();
        return invalid(e, errors, headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String name = e.getPropertyName() != null ? e.getPropertyName() : "parameter";
        return invalid(
                e, List.of(new FieldProblem(name, "must be " + expected(e.getRequiredType()))), headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(
            MissingServletRequestParameterException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return invalid(e, List.of(new FieldProblem(e.getParameterName(), "is required")), headers, request);
    }

    @Override
    protected ResponseEntity<Object> handleServletRequestBindingException(
            org.springframework.web.bind.ServletRequestBindingException e,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        if (e instanceof MissingRequestHeaderException missing) {
            return invalid(e, List.of(new FieldProblem(missing.getHeaderName(), "is required")), headers, request);
        }
        return super.handleServletRequestBindingException(e, headers, status, request);
    }

    /** Strict JSON: what was wrong with the body, and where, without echoing it. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (BodySizeLimit.causedByLimit(e)) {
            ProblemDetail problem = Problems.of(
                    HttpStatus.CONTENT_TOO_LARGE,
                    "content-too-large",
                    "Request too large",
                    "the request body is too large");
            return handleExceptionInternal(e, problem, headers, HttpStatus.CONTENT_TOO_LARGE, request);
        }
        Throwable cause = e.getCause();
        if (cause instanceof PropertyBindingException unknown) {
            String field = path(unknown);
            List<String> known = unknown.getKnownPropertyIds() == null
                    ? List.of()
                    : unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .sorted()
                            .toList();
            return invalid(
                    e,
                    List.of(new FieldProblem(
                            field, "is not a field of this request" + (known.isEmpty() ? "" : "; known: " + known))),
                    headers,
                    request);
        }
        if (cause instanceof MismatchedInputException mismatch
                && !mismatch.getPath().isEmpty()) {
            return invalid(
                    e,
                    List.of(new FieldProblem(path(mismatch), "must be " + expected(mismatch.getTargetType()))),
                    headers,
                    request);
        }
        if (cause instanceof DatabindException mapping && !mapping.getPath().isEmpty()) {
            return invalid(
                    e,
                    List.of(new FieldProblem(path(mapping), "cannot be read: " + reason(mapping))),
                    headers,
                    request);
        }
        String detail;
        if (cause instanceof MismatchedInputException mismatch
                && mismatch.getOriginalMessage() != null
                && mismatch.getOriginalMessage().startsWith("Trailing token")) {
            detail = "the body must be exactly one JSON value; more content follows it";
        } else if (cause instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            detail = "the body must be " + expected(mismatch.getTargetType());
        } else if (cause instanceof StreamReadException malformed) {
            detail = "the body is not valid JSON"
                    + (malformed.getLocation() != null
                            ? " (line " + malformed.getLocation().getLineNr() + ", column "
                                    + malformed.getLocation().getColumnNr() + ")"
                            : "");
        } else if (cause instanceof JacksonException) {
            detail = "the body cannot be read as this request";
        } else {
            detail = "a JSON body is required";
        }
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
        problem.setProperty("errors", List.of());
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    @Override
    protected ResponseEntity<Object> handleNoResourceFoundException(
            NoResourceFoundException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return notFound(e, headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleNoHandlerFoundException(
            NoHandlerFoundException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return notFound(e, headers, status, request);
    }

    private ResponseEntity<Object> notFound(
            Exception e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem =
                Problems.of(HttpStatus.NOT_FOUND, "not-found", "Not found", "there is nothing at this path");
        return handleExceptionInternal(e, problem, headers, status, request);
    }

    /** Every framework answer leaves here: its problem gets the contract's type, title and instance. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            Problems.complete(problem, ((NativeWebRequest) request).getNativeRequest(HttpServletRequest.class));
        }
        return response;
    }

    private ResponseEntity<Object> invalid(
            Exception e, List<FieldProblem> errors, HttpHeaders headers, WebRequest request) {
        List<FieldProblem> sorted = errors.stream()
                .sorted(Comparator.comparing(FieldProblem::field))
                .toList();
        String detail = sorted.isEmpty()
                ? "the request is invalid"
                : sorted.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
        problem.setProperty("errors", sorted);
        return handleExceptionInternal(e, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    private static String parameterName(ParameterValidationResult result, MessageSourceResolvable error) {
        if (error instanceof FieldError field) {
            return field.getField();
        }
        String name = result.getMethodParameter().getParameterName();
        return name == null ? "parameter " + result.getMethodParameter().getParameterIndex() : name;
    }

    /** {@code items[2].orderId}. */
    private static String path(DatabindException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    /** What a JSON value of {@code type} looks like, for a human. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type.isEnum()) {
            return "one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> ((Enum<?>) c).name())
                            .collect(Collectors.joining(", "));
        }
        if (type == String.class || CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (type == int.class
                || type == Integer.class
                || type == long.class
                || type == Long.class
                || type == short.class
                || type == Short.class
                || type == java.math.BigInteger.class) {
            return "an integer";
        }
        if (type == double.class
                || type == Double.class
                || type == float.class
                || type == Float.class
                || type == java.math.BigDecimal.class
                || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "a date-time (ISO 8601, e.g. 2026-12-01T10:15:30Z)";
        }
        if (type == java.time.Duration.class) {
            return "a duration (ISO 8601, e.g. PT30S)";
        }
        if (type == java.util.UUID.class) {
            return "a UUID";
        }
        return "an object (" + type.getSimpleName().toLowerCase(Locale.ROOT) + ")";
    }

    private static String reason(DatabindException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return "invalid value";
        }
        int cut = message.indexOf('\n');
        String first = cut < 0 ? message : message.substring(0, cut);
        return first.length() > 200 ? first.substring(0, 200) : first;
    }
}
