package io.fleetsaga.common.security;

/** What an HTTP Basic login came to, and whether it cost a password (bcrypt) check. */
enum LoginResult {
    /** Right credential, answered from the cache (or from a concurrent request's check): no password check. */
    CACHED,
    /** Right credential, checked now. */
    VERIFIED,
    /** Wrong password or unknown user, answered from the failure cache: no password check. */
    REFUSED_CACHED,
    /** Wrong password or unknown user, checked now (counts against the client's failure limit). */
    REFUSED,
    /** Not checked: the client had too many failures (429). */
    LIMITED
}
