package io.fleetsaga.common.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that happen outside Spring MVC — the servlet container's own ({@code sendError} from a filter, a path
 * the container refuses, a failure in a filter) — reach the container's error page, {@code /error}: here they are
 * answered as a problem of the contract, whatever the client accepts, instead of Spring Boot's default JSON or
 * an HTML page. A failure's internals (exception, message, stack trace) are logged, never sent.
 */
@Hidden // the container's error page, not an operation of the API
@RestController
@RequestMapping("${server.error.path:${error.path:/error}}")
class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping(produces = {MediaType.APPLICATION_PROBLEM_JSON_VALUE, MediaType.APPLICATION_JSON_VALUE, "*/*"})
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        HttpStatusCode status = status(request);
        Object failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (failure instanceof Throwable t) {
            log.error(
                    "request {} {} failed outside the controllers",
                    request.getMethod(),
                    request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI),
                    t);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail(status));
        Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        URI instance = Problems.instance(path instanceof String s ? s : null);
        if (instance != null) {
            problem.setInstance(instance);
        }
        Problems.complete(problem, null);
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static HttpStatusCode status(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (code instanceof Integer value && value >= 400 && value < 600) {
            return HttpStatusCode.valueOf(value);
        }
        return HttpStatus.INTERNAL_SERVER_ERROR;
    }

    private static String detail(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "the request is malformed (its path, a header or its body) and was refused";
            case 404 -> "there is nothing at this path";
            case 405 -> "this method is not allowed on this path";
            case 413 -> "the request body is too large";
            case 414 -> "the request path is too long";
            case 431 -> "the request headers are too large";
            case 500 -> "the request failed unexpectedly; it is safe to retry";
            default -> {
                HttpStatus known = HttpStatus.resolve(status.value());
                yield known != null ? known.getReasonPhrase() : "HTTP " + status.value();
            }
        };
    }
}
