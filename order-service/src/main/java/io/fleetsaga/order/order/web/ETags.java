package io.fleetsaga.order.order.web;

import io.fleetsaga.order.order.ExpectedVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code ETag} = {@code "<version>"} of an order (a strong tag); {@code If-Match} read back into the versions it
 * accepts, per RFC 9110 (13.1.1):
 *
 * <ul>
 *   <li>absent, or {@code *}: no precondition (the order exists, or the change answers 404);
 *   <li>a list of entity tags ({@code "3", "4"}, also over several header lines): the change applies when the
 *       order's current tag is one of them;
 *   <li>{@code If-Match} compares strongly: a weak tag ({@code W/"3"}) never matches — it is accepted
 *       syntactically and ignored, so a list of weak tags only fails with 412; a tag that is not a version of
 *       ours ({@code "abc"}, {@code "007"}) never matches either;
 *   <li>anything else — a bare {@code 3}, an unclosed quote, {@code *} inside a list — is malformed: 400
 *       ({@link MalformedIfMatchException}), never 412.
 * </ul>
 */
final class ETags {

    /** The only form of our tags' content: a version without sign or leading zeros. */
    private static final Pattern VERSION = Pattern.compile("0|[1-9][0-9]{0,17}");

    /** Longest {@code If-Match} value read; a longer one is malformed (no order needs 100 tags). */
    private static final int MAX_TAGS = 100;

    private ETags() {}

    static String of(long version) {
        return "\"" + version + "\"";
    }

    /**
     * The versions an {@code If-Match} header accepts, or {@code null} when it sets no precondition (absent, or
     * {@code *}).
     *
     * @throws MalformedIfMatchException when the value is not {@code *} nor a list of entity tags
     */
    static ExpectedVersion expectedVersion(String ifMatch) {
        if (ifMatch == null) {
            return null;
        }
        String value = ifMatch.strip();
        if (value.equals("*")) {
            return null;
        }
        List<Long> versions = new ArrayList<>();
        int tags = 0;
        int at = 0;
        int length = value.length();
        while (at < length) {
            // list syntax: empty elements and optional whitespace around commas are allowed
            char c = value.charAt(at);
            if (c == ',' || c == ' ' || c == '\t') {
                at++;
                continue;
            }
            boolean weak = value.startsWith("W/", at);
            int open = weak ? at + 2 : at;
            if (open >= length || value.charAt(open) != '"') {
                throw new MalformedIfMatchException(ifMatch);
            }
            int close = value.indexOf('"', open + 1);
            if (close < 0) {
                throw new MalformedIfMatchException(ifMatch);
            }
            String opaque = value.substring(open + 1, close);
            for (int i = 0; i < opaque.length(); i++) {
                char e = opaque.charAt(i);
                if (e < 0x21 || e == 0x7f) {
                    throw new MalformedIfMatchException(ifMatch);
                }
            }
            if (++tags > MAX_TAGS) {
                throw new MalformedIfMatchException(ifMatch);
            }
            if (!weak && VERSION.matcher(opaque).matches()) {
                versions.add(Long.parseLong(opaque));
            }
            at = close + 1;
            // after a tag: only whitespace up to a comma, or the end
            while (at < length && (value.charAt(at) == ' ' || value.charAt(at) == '\t')) {
                at++;
            }
            if (at < length && value.charAt(at) != ',') {
                throw new MalformedIfMatchException(ifMatch);
            }
        }
        if (tags == 0) {
            throw new MalformedIfMatchException(ifMatch);
        }
        return ExpectedVersion.anyOf(versions);
    }
}
