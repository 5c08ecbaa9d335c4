package io.fleetsaga.common.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The roles of a JWT: the values {@code DISPATCHER}, {@code OPS}, {@code SERVICE} of one claim (a JSON array, or a
 * string of values separated by spaces or commas) become {@code ROLE_DISPATCHER} … — the same authorities as the
 * HTTP Basic users', so the same rules apply. Other values are ignored; a token without the claim has no role (it
 * may read what is open, and is answered 403 elsewhere). The principal's name is the subject ({@code sub}: the
 * client id for a client-credentials token).
 */
final class JwtRoles implements Converter<Jwt, AbstractAuthenticationToken> {

    private static final List<String> KNOWN = List.of(Roles.DISPATCHER, Roles.OPS, Roles.SERVICE);

    private final String claim;

    JwtRoles(String claim) {
        this.claim = claim;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        Set<GrantedAuthority> authorities = new LinkedHashSet<>();
        for (String value : values(jwt.getClaims().get(claim))) {
            if (KNOWN.contains(value)) {
                authorities.add(new SimpleGrantedAuthority("ROLE_" + value));
            }
        }
        return new JwtAuthenticationToken(jwt, authorities, jwt.getSubject());
    }

    private static List<String> values(Object claim) {
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        if (claim instanceof String value) {
            return List.of(value.trim().split("[\\s,]+"));
        }
        return List.of();
    }
}
