package io.fleetsaga.common.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Users of the HTTP API ({@code fleetsaga.security.*}). Passwords are stored encoded, with the encoder's
 * id as prefix ({@code {bcrypt}$2a$10$…}); {@code {noop}} plain text is accepted but logged as unsafe and
 * belongs in tests and the local profile only. No users are configured by default: then every API call is
 * answered 401.
 *
 * @param users the users, each with its roles
 * @param basic how HTTP Basic credentials are verified: the cache of verified credentials and the bound on failed
 *     logins
 * @param jwt how a JWT bearer token's roles are read (only when the application configures a JWT decoder, e.g.
 *     {@code spring.security.oauth2.resourceserver.jwt.issuer-uri})
 */
@ConfigurationProperties("fleetsaga.security")
public record SecuritySettings(
        @DefaultValue List<User> users,
        @DefaultValue Basic basic,
        @DefaultValue Jwt jwt) {

    /**
     * @param name user name
     * @param password encoded password with its encoder prefix
     * @param roles {@code DISPATCHER}, {@code OPS} and/or {@code SERVICE}
     */
    public record User(
            String name, String password, @DefaultValue List<String> roles) {}

    /**
     * HTTP Basic verification ({@code fleetsaga.security.basic.*}).
     *
     * @param cacheTtl how long a verified credential is accepted without verifying its password again; also how long
     *     a changed password or a removed user may still be accepted. {@code 0} verifies every request (bcrypt each
     *     time)
     * @param failureCacheTtl how long a refused credential (wrong password, unknown user) is refused again without
     *     verifying it; {@code 0} verifies every attempt
     * @param cacheSize most credentials (verified and refused together) kept; the least useful go first
     * @param failuresPerClient refused credentials a client (remote address) may send per {@code failureWindow}
     *     before any credential of it that needs verifying is answered 429; {@code 0} = no limit
     * @param failureWindow the window of {@code failuresPerClient}, started by the client's first failure
     * @param trackedClients most clients whose failures are counted one by one; beyond that, new clients share one
     *     count (a flood from many addresses is still bounded)
     */
    public record Basic(
            @DefaultValue("60s") Duration cacheTtl,
            @DefaultValue("60s") Duration failureCacheTtl,
            @DefaultValue("10000") int cacheSize,
            @DefaultValue("10") int failuresPerClient,
            @DefaultValue("1m") Duration failureWindow,
            @DefaultValue("10000") int trackedClients) {

        public Basic {
            requireNotNegative("cache-ttl", cacheTtl);
            requireNotNegative("failure-cache-ttl", failureCacheTtl);
            if (cacheSize < 1) {
                throw new IllegalArgumentException("fleetsaga.security.basic.cache-size must be at least 1");
            }
            if (failuresPerClient < 0) {
                throw new IllegalArgumentException("fleetsaga.security.basic.failures-per-client must not be negative");
            }
            if (failuresPerClient > 0
                    && (failureWindow == null || failureWindow.isZero() || failureWindow.isNegative())) {
                throw new IllegalArgumentException("fleetsaga.security.basic.failure-window must be positive");
            }
            if (trackedClients < 1) {
                throw new IllegalArgumentException("fleetsaga.security.basic.tracked-clients must be at least 1");
            }
        }

        private static void requireNotNegative(String name, Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("fleetsaga.security.basic." + name + " must not be negative");
            }
        }
    }

    /**
     * JWT bearer tokens ({@code fleetsaga.security.jwt.*}).
     *
     * @param rolesClaim the claim holding the roles ({@code DISPATCHER}, {@code OPS}, {@code SERVICE}), a list or a
     *     space-separated string; other values are ignored
     */
    public record Jwt(@DefaultValue("roles") String rolesClaim) {

        public Jwt {
            if (rolesClaim == null || rolesClaim.isBlank()) {
                throw new IllegalArgumentException("fleetsaga.security.jwt.roles-claim must not be blank");
            }
        }
    }
}
