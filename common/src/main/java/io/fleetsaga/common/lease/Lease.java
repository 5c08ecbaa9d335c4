package io.fleetsaga.common.lease;

/**
 * A lease held by {@code owner}.
 *
 * @param name the lease's name, e.g. {@code reconciliation}
 * @param owner the holder's token, unique per holder
 * @param fencingToken increases with every acquisition; a write carrying an older token is stale
 */
public record Lease(String name, String owner, long fencingToken) {}
