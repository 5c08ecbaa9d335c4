package io.fleetsaga.common.web;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's last word on an error no application code answered — a request it refuses before any servlet runs
 * (an invalid or too long request line or path, {@code %2F}, {@code %5C}, {@code %00}, a broken {@code %}
 * escape, headers too large): a problem of the contract instead of Tomcat's HTML page. Nothing of the request is
 * echoed ({@code instance} is left out: the path is the thing that was refused).
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    /** Serialises a problem as Spring MVC does (members flat, nulls left out), without the application's mapper. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class)
            .build();

    public ProblemErrorReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatusCode.valueOf(status),
                status == 400 || status == 414 || status == 431
                        ? "the request was refused before it reached the service: its request line, path or headers"
                                + " are malformed or too large"
                        : "the request was not completed");
        Problems.complete(problem, null);
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            byte[] body = JSON.writeValueAsBytes(problem);
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response cannot take a body: nothing more to say
        }
    }
}
