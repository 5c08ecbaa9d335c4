package io.fleetsaga.common.security;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;

/**
 * Bearer-token authentication, when the application has one (today: JWTs, {@link JwtBearerTokens}). An interface
 * without OAuth2 types so that the security configuration loads without the resource-server classes.
 */
interface BearerTokens {

    /** Adds bearer-token authentication to {@code http}; false when the application configured none. */
    boolean configure(HttpSecurity http, ProblemResponses problems) throws Exception;
}
