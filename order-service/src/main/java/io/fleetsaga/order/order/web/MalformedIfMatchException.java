package io.fleetsaga.order.order.web;

/** An {@code If-Match} value that is neither {@code *} nor a list of entity tags: the request is refused (400). */
class MalformedIfMatchException extends RuntimeException {

    MalformedIfMatchException(String value) {
        super("If-Match must be * or a list of entity tags such as \"3\" (the ETag as received), not "
                + (value.length() > 64 ? value.substring(0, 64) + "…" : value));
    }
}
