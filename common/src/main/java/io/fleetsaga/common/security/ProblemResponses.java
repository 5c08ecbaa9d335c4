package io.fleetsaga.common.security;

import io.fleetsaga.common.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.ObjectMapper;

/** 401, 403 and 429 (too many failed logins) as problems of the contract ({@link Problems}), like every other error of the API. */
final class ProblemResponses {

    /** The problem type of a 429 for too many wrong credentials. */
    static final URI TOO_MANY_FAILED_LOGINS = Problems.type("too-many-failed-logins");

    static final String BASIC_CHALLENGE = "Basic realm=\"fleet-saga\"";
    static final String BEARER_CHALLENGE = "Bearer realm=\"fleet-saga\"";

    private final ObjectMapper mapper;

    ProblemResponses(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * 401 with a {@code WWW-Authenticate} challenge for Basic (and Bearer when {@code bearer}), or 429 with
     * {@code Retry-After} when the client sent too many wrong credentials.
     */
    AuthenticationEntryPoint unauthorized(boolean bearer) {
        return (request, response, e) -> {
            if (e instanceof TooManyFailedLoginsException limited) {
                tooManyFailedLogins(request, response, limited);
                return;
            }
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, BASIC_CHALLENGE);
            if (bearer) {
                response.addHeader(HttpHeaders.WWW_AUTHENTICATE, BEARER_CHALLENGE);
            }
            write(
                    request,
                    response,
                    HttpStatus.UNAUTHORIZED,
                    null,
                    "Authentication required",
                    bearer ? "Send HTTP Basic credentials or a bearer token." : "Send HTTP Basic credentials.");
        };
    }

    /** 401 for a bearer token that was refused, with the RFC 6750 challenge {@code challenge}. */
    void invalidToken(HttpServletRequest request, HttpServletResponse response, String challenge) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        write(
                request,
                response,
                HttpStatus.UNAUTHORIZED,
                null,
                "Authentication required",
                "The bearer token is not valid (malformed, expired, not signed by the configured issuer or not for"
                        + " it).");
    }

    private void tooManyFailedLogins(
            HttpServletRequest request, HttpServletResponse response, TooManyFailedLoginsException e)
            throws IOException {
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        write(
                request,
                response,
                HttpStatus.TOO_MANY_REQUESTS,
                TOO_MANY_FAILED_LOGINS,
                "Too many failed logins",
                "Too many wrong credentials from this client; try again in " + e.retryAfterSeconds() + " s.");
    }

    AccessDeniedHandler forbidden() {
        return (request, response, e) -> write(
                request,
                response,
                HttpStatus.FORBIDDEN,
                null,
                "Forbidden",
                "Your role does not allow " + request.getMethod() + " " + request.getRequestURI() + ".");
    }

    private void write(
            HttpServletRequest request,
            HttpServletResponse response,
            HttpStatus status,
            URI type,
            String title,
            String detail)
            throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        if (type != null) {
            problem.setType(type);
        }
        problem.setTitle(title);
        Problems.write(request, response, problem, mapper);
    }
}
