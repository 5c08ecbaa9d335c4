package io.fleetsaga.common.security;

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
 */
@ConfigurationProperties("fleetsaga.security")
public record SecuritySettings(@DefaultValue List<User> users) {

    /**
     * @param name user name
     * @param password encoded password with its encoder prefix
     * @param roles {@code DISPATCHER}, {@code OPS} and/or {@code SERVICE}
     */
    public record User(
            String name, String password, @DefaultValue List<String> roles) {}
}
