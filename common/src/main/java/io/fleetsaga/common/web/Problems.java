package io.fleetsaga.common.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.ObjectMapper;

/**
 * The HTTP error contract of both services: every error is an RFC 9457 problem ({@code application/problem+json})
 * whose {@code type} is a stable URN {@code urn:fleet-saga:problem:<name>} — an identifier clients switch on, not a
 * link — and whose {@code instance} is the request's path (a relative URI reference). A problem without a more
 * specific type gets the generic type of its status ({@link #typeName(int)}).
 *
 * <p>Features declare their own problems once, with {@link ProblemMapping}; framework and container errors are
 * answered by the kit ({@code ProblemAdvice}, {@code ProblemErrorController}, the security handlers). The
 * catalogue of names is in docs/api-errors.md.
 */
public final class Problems {

    /** Prefix of every problem type. */
    public static final String PREFIX = "urn:fleet-saga:problem:";

    /** Longest request path echoed in {@code instance}; longer (or unparseable) paths are left out. */
    static final int MAX_INSTANCE_LENGTH = 512;

    /** The generic problem names by status; a status not listed is {@code http-<status>}. */
    private static final Map<Integer, String> GENERIC = Map.ofEntries(
            Map.entry(400, "invalid-request"),
            Map.entry(401, "authentication-required"),
            Map.entry(403, "forbidden"),
            Map.entry(404, "not-found"),
            Map.entry(405, "method-not-allowed"),
            Map.entry(406, "not-acceptable"),
            Map.entry(409, "conflict"),
            Map.entry(412, "precondition-failed"),
            Map.entry(413, "content-too-large"),
            Map.entry(414, "uri-too-long"),
            Map.entry(415, "unsupported-media-type"),
            Map.entry(422, "unprocessable-content"),
            Map.entry(428, "precondition-required"),
            Map.entry(429, "too-many-requests"),
            Map.entry(431, "request-header-fields-too-large"),
            Map.entry(500, "internal-error"),
            Map.entry(501, "not-implemented"),
            Map.entry(503, "service-unavailable"));

    private Problems() {}

    /** {@code urn:fleet-saga:problem:<name>}. */
    public static URI type(String name) {
        if (name == null || !name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("a problem name is lower-case words joined by '-': " + name);
        }
        return URI.create(PREFIX + name);
    }

    /** The generic problem name of an HTTP status. */
    public static String typeName(int status) {
        return GENERIC.getOrDefault(status, "http-" + status);
    }

    /** A problem of the given type, title and detail. */
    public static ProblemDetail of(HttpStatusCode status, String name, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(name));
        problem.setTitle(title);
        return problem;
    }

    /** A problem of the generic type of its status, titled with the status's reason phrase. */
    public static ProblemDetail of(HttpStatusCode status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        complete(problem, null);
        return problem;
    }

    /**
     * Fills what a problem of this contract always has: a URN {@code type} (the generic one of its status when it
     * has none or {@code about:blank}), a title, and — when known and short — the request path as {@code instance}.
     */
    public static ProblemDetail complete(ProblemDetail problem, HttpServletRequest request) {
        if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
            problem.setType(type(typeName(problem.getStatus())));
        }
        if (problem.getTitle() == null) {
            HttpStatus known = HttpStatus.resolve(problem.getStatus());
            problem.setTitle(known != null ? known.getReasonPhrase() : "HTTP " + problem.getStatus());
        }
        if (problem.getInstance() == null && request != null) {
            problem.setInstance(instance(request.getRequestURI()));
        }
        return problem;
    }

    /**
     * The request path as a relative URI reference, or {@code null} when it is too long or not a valid URI (a
     * rejected request's path is not echoed back raw).
     */
    static URI instance(String path) {
        if (path == null || path.isEmpty() || path.length() > MAX_INSTANCE_LENGTH) {
            return null;
        }
        try {
            URI uri = new URI(path);
            return uri.getScheme() == null && uri.getRawAuthority() == null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Writes a problem as the whole response (for filters and handlers outside Spring MVC); does nothing when the
     * response is already committed.
     */
    public static void write(
            HttpServletRequest request, HttpServletResponse response, ProblemDetail problem, ObjectMapper mapper)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        complete(problem, request);
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        mapper.writeValue(response.getOutputStream(), problem);
    }
}
