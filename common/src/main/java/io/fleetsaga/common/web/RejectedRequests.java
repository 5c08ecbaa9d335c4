package io.fleetsaga.common.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.databind.ObjectMapper;

/**
 * A request Spring Security's firewall refuses (an encoded slash, backslash, NUL or dot segment, a {@code ;}
 * path parameter, {@code //}, a non-printable character) is answered {@code 400 invalid-request} as a problem —
 * without echoing the refused path — instead of an exception that ends on the container's error page.
 */
final class RejectedRequests implements RequestRejectedHandler {

    private static final Logger log = LoggerFactory.getLogger(RejectedRequests.class);

    private final ObjectMapper mapper;

    RejectedRequests(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        log.debug("request refused by the firewall: {}", e.getMessage());
        var problem = Problems.of(
                HttpStatus.BAD_REQUEST,
                "invalid-request",
                "Invalid request",
                "the request path is not allowed: encoded '/', '\\\\', '%' or NUL, '.' segments, ';' parameters,"
                        + " '//' and control characters are refused");
        problem.setProperty("errors", java.util.List.of());
        Problems.write(request, response, problem, mapper);
    }
}
