package io.fleetsaga.common.security;

import io.fleetsaga.common.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.ObjectMapper;

/** 401 and 403 as problems of the contract ({@link Problems}), like every other error of the API. */
final class ProblemResponses {

    private final ObjectMapper mapper;

    ProblemResponses(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    AuthenticationEntryPoint unauthorized() {
        return (request, response, e) -> {
            response.setHeader("WWW-Authenticate", "Basic realm=\"fleet-saga\"");
            write(
                    request,
                    response,
                    HttpStatus.UNAUTHORIZED,
                    "Authentication required",
                    "Send HTTP Basic credentials.");
        };
    }

    AccessDeniedHandler forbidden() {
        return (request, response, e) -> write(
                request,
                response,
                HttpStatus.FORBIDDEN,
                "Forbidden",
                "Your role does not allow " + request.getMethod() + " " + request.getRequestURI() + ".");
    }

    private void write(
            HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title, String detail)
            throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        Problems.write(request, response, problem, mapper);
    }
}
