package io.fleetsaga.common.security;

/** The roles of the HTTP API. */
public final class Roles {

    /** Dispatchers: order commands, tasks. */
    public static final String DISPATCHER = "DISPATCHER";

    /** Operations: reconciliation, parked messages, stuck sagas. */
    public static final String OPS = "OPS";

    /** The other service, for internal endpoints (reconciliation digests). */
    public static final String SERVICE = "SERVICE";

    private Roles() {}
}
