package io.fleetsaga.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.jwt.Jwt;

/** The roles of a JWT: known values of one claim, as a list or a string; nothing else. */
class JwtRolesTests {

    @Test
    void knownRolesOfAListBecomeRoleAuthorities() {
        AbstractAuthenticationToken token =
                new JwtRoles("roles").convert(jwt("roles", List.of("OPS", "ADMIN", "SERVICE")));

        assertThat(token.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_OPS", "ROLE_SERVICE");
        assertThat(token.getName()).isEqualTo("client-1");
    }

    @Test
    void aStringClaimIsSplitAtSpacesAndCommas() {
        AbstractAuthenticationToken token = new JwtRoles("scp").convert(jwt("scp", "DISPATCHER, OPS  read"));

        assertThat(token.getAuthorities()).extracting(Object::toString).containsExactly("ROLE_DISPATCHER", "ROLE_OPS");
    }

    @Test
    void aTokenWithoutTheClaimHasNoRole() {
        assertThat(new JwtRoles("roles").convert(jwt("other", List.of("OPS"))).getAuthorities())
                .isEmpty();
    }

    @Test
    void rolesAreCaseSensitiveAndNeverPrefixedTwice() {
        assertThat(new JwtRoles("roles")
                        .convert(jwt("roles", List.of("ops", "ROLE_OPS")))
                        .getAuthorities())
                .isEmpty();
    }

    private static Jwt jwt(String claim, Object value) {
        return Jwt.withTokenValue("t")
                .header("alg", "RS256")
                .subject("client-1")
                .claim(claim, value)
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(60))
                .build();
    }
}
