package io.fleetsaga.order.order.web;

/** {@code ETag} = {@code "<version>"} of an order; {@code If-Match} read back into an expected version. */
final class ETags {

    /** A version no order has: an {@code If-Match} that names no version can never match. */
    static final long UNMATCHABLE = -1;

    private ETags() {}

    static String of(long version) {
        return "\"" + version + "\"";
    }

    /**
     * The version an {@code If-Match} header expects: {@code null} when absent or {@code *} (any current
     * order), {@link #UNMATCHABLE} when it names something that is not one of our (strong) ETags.
     */
    static Long expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*")) {
            return null;
        }
        // If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches
        String tag = ifMatch.strip();
        if (tag.length() < 2 || !tag.startsWith("\"") || !tag.endsWith("\"")) {
            return UNMATCHABLE;
        }
        try {
            long version = Long.parseLong(tag.substring(1, tag.length() - 1));
            return version < 0 ? UNMATCHABLE : version;
        } catch (NumberFormatException e) {
            return UNMATCHABLE;
        }
    }
}
