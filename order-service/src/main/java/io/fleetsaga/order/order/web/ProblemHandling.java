package io.fleetsaga.order.order.web;

import io.fleetsaga.order.order.IllegalTransitionException;
import io.fleetsaga.order.order.OrderConflictException;
import io.fleetsaga.order.order.OrderExistsException;
import io.fleetsaga.order.order.OrderNotFoundException;
import io.fleetsaga.order.order.OrderVersionMismatchException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * RFC 9457 problem details for every error of the API: the domain's failures, validation (listing each
 * invalid field in {@code errors}), framework errors (unreadable body, wrong method, unknown path) and — as
 * a generic 500 without internals — anything unexpected.
 */
@RestControllerAdvice
class ProblemHandling extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandling.class);

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(OrderNotFoundException e) {
        return respond(Problems.notFound(e));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> exists(OrderExistsException e) {
        return respond(Problems.exists(e));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> illegalTransition(IllegalTransitionException e) {
        return respond(Problems.illegalTransition(e));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> versionMismatch(OrderVersionMismatchException e) {
        return ResponseEntity.status(HttpStatus.PRECONDITION_FAILED)
                .eTag(ETags.of(e.currentVersion()))
                .body(Problems.versionMismatch(e));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> concurrentModification(OrderConflictException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(Problems.concurrentModification(e));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure of an API request", e);
        return respond(Problems.unexpected());
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = e.getBindingResult().getFieldErrors().stream()
                .map(FieldProblem::of)
                .toList();
        List<FieldProblem> global = e.getBindingResult().getGlobalErrors().stream()
                .map(error -> new FieldProblem(error.getObjectName(), error.getDefaultMessage()))
                .toList();
        return invalid(concat(errors, global), headers);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<FieldProblem> errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new FieldProblem(parameterName(result, error), error.getDefaultMessage())))
                .toList();
        return invalid(errors, headers);
    }

    private static String parameterName(ParameterValidationResult result, MessageSourceResolvable error) {
        if (error instanceof FieldError field) {
            return field.getField();
        }
        String name = result.getMethodParameter().getParameterName();
        return name == null ? "parameter " + result.getMethodParameter().getParameterIndex() : name;
    }

    private ResponseEntity<Object> invalid(List<FieldProblem> errors, HttpHeaders headers) {
        String detail = errors.isEmpty()
                ? "the request is invalid"
                : errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        ProblemDetail problem = Problems.invalid(detail);
        problem.setProperty("errors", errors);
        return ResponseEntity.badRequest().headers(headers).body(problem);
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    /** One invalid field (or parameter) and what is wrong with it. */
    record FieldProblem(String field, String message) {
        static FieldProblem of(FieldError error) {
            return new FieldProblem(error.getField(), error.getDefaultMessage());
        }
    }
}
