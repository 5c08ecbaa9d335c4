package io.fleetsaga.common.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.ObjectMapper;

/**
 * No request body above {@code fleetsaga.http.max-body-size} is read: a declared {@code Content-Length} above it is
 * answered {@code 413 content-too-large} before anything runs; a body without a length (chunked) that grows past
 * it fails the read with {@link BodyTooLargeException}, answered 413 the same way. The API's largest legitimate
 * body — a batch of 500 status changes — is far below the default (1 MiB).
 */
final class BodySizeLimit extends OncePerRequestFilter {

    private final long maxBytes;
    private final ObjectMapper mapper;

    BodySizeLimit(long maxBytes, ObjectMapper mapper) {
        this.maxBytes = maxBytes;
        this.mapper = mapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            Problems.write(request, response, problem(), mapper);
            return;
        }
        // a declared length was checked above; only a body without one (chunked) is counted while it is read
        HttpServletRequest limited =
                request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null ? request : new Limited(request, maxBytes);
        try {
            chain.doFilter(limited, response);
        } catch (ServletException | IOException | RuntimeException e) {
            if (!causedByLimit(e) || response.isCommitted()) {
                throw e;
            }
            response.reset();
            Problems.write(request, response, problem(), mapper);
        }
    }

    private org.springframework.http.ProblemDetail problem() {
        return Problems.of(
                HttpStatus.CONTENT_TOO_LARGE,
                "content-too-large",
                "Request too large",
                "a request body may have at most " + maxBytes + " bytes");
    }

    static boolean causedByLimit(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BodyTooLargeException) {
                return true;
            }
        }
        return false;
    }

    /** The body grew past the limit while being read. */
    static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long max) {
            super("request body above " + max + " bytes");
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {

        private final long max;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long max) {
            super(request);
            this.max = max;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = in.read(buffer, offset, length);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws IOException {
                        read += n;
                        if (read > max) {
                            throw new BodyTooLargeException(max);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
