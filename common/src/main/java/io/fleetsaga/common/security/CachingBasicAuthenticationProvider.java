package io.fleetsaga.common.security;

import io.fleetsaga.common.security.CredentialCache.Key;
import io.fleetsaga.common.security.CredentialCache.Outcome;
import io.fleetsaga.common.security.CredentialCache.Refused;
import io.fleetsaga.common.security.CredentialCache.Verification;
import io.fleetsaga.common.security.CredentialCache.Verified;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Verifies HTTP Basic credentials with the {@code delegate} (Spring Security's {@code DaoAuthenticationProvider}: a
 * bcrypt check) at most once per {@link CredentialCache TTL} and bounds the verifications that failed logins cause:
 *
 * <ol>
 *   <li>a credential verified within the cache TTL is accepted as it was then, without a password check;
 *   <li>a credential refused within the failure TTL is refused again (401) without a password check;
 *   <li>otherwise the client (remote address) must be under its {@link FailedLoginLimiter failure limit}, or the
 *       request is answered 429 without a password check;
 *   <li>then the delegate verifies it, once for all concurrent requests with the same credential.
 * </ol>
 *
 * <p>Unknown users: the delegate checks a dummy bcrypt hash for them on purpose, so that an unknown user costs as long
 * as a wrong password and user names cannot be found by timing. That stays, and so does the equality: an unknown user
 * and a wrong password are cached, counted and limited alike, so the bcrypt work they cause is the limiter's bound.
 *
 * <p>Consequence of the cache: a changed password or a removed user takes effect within the cache TTL (the old
 * credential keeps working until its entry expires); a new user or password within the failure TTL when it had been
 * tried before.
 */
final class CachingBasicAuthenticationProvider implements AuthenticationProvider {

    private static final String BAD_CREDENTIALS = "Bad credentials";
    private static final String UNKNOWN_CLIENT = "unknown";

    private final AuthenticationProvider delegate;
    private final CredentialCache cache;
    private final FailedLoginLimiter limiter;
    private final Consumer<LoginResult> listener;

    CachingBasicAuthenticationProvider(
            AuthenticationProvider delegate, CredentialCache cache, FailedLoginLimiter limiter) {
        this(delegate, cache, limiter, result -> {});
    }

    /** @param listener told the result of every Basic login (e.g. {@link LoginMetrics}) */
    CachingBasicAuthenticationProvider(
            AuthenticationProvider delegate,
            CredentialCache cache,
            FailedLoginLimiter limiter,
            Consumer<LoginResult> listener) {
        this.delegate = delegate;
        this.cache = cache;
        this.limiter = limiter;
        this.listener = listener;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        if (!(authentication.getCredentials() instanceof String password)) {
            throw new BadCredentialsException(BAD_CREDENTIALS);
        }
        Verification verification;
        if (cache.enabled()) {
            Key key = cache.key(authentication.getName(), password);
            Outcome known = cache.known(key);
            verification = known != null
                    ? new Verification(known, false)
                    : verifyWithinLimit(authentication, () -> cache.verify(key, () -> verify(authentication)));
        } else {
            // both TTLs zero: every request verifies its own credential (the behaviour before the cache)
            verification = verifyWithinLimit(authentication, () -> new Verification(verify(authentication), true));
        }
        boolean verified = verification.outcome() instanceof Verified;
        listener.accept(
                verification.verifiedHere()
                        ? (verified ? LoginResult.VERIFIED : LoginResult.REFUSED)
                        : (verified ? LoginResult.CACHED : LoginResult.REFUSED_CACHED));
        if (verification.outcome() instanceof Verified success) {
            // the principal and roles as verified, with this request's details (remote address)
            Authentication known = success.authentication();
            UsernamePasswordAuthenticationToken result = UsernamePasswordAuthenticationToken.authenticated(
                    known.getPrincipal(), null, known.getAuthorities());
            result.setDetails(authentication.getDetails());
            return result;
        }
        throw new BadCredentialsException(BAD_CREDENTIALS);
    }

    private Verification verifyWithinLimit(Authentication authentication, Supplier<Verification> verifications) {
        String client = limiter.client(clientOf(authentication));
        Duration wait = limiter.tryAcquire(client);
        if (!wait.isZero()) {
            listener.accept(LoginResult.LIMITED);
            throw new TooManyFailedLoginsException(wait);
        }
        boolean counted = false;
        try {
            Verification verification = verifications.get();
            counted = verification.verifiedHere() && verification.outcome() instanceof Refused;
            return verification;
        } finally {
            if (!counted) {
                limiter.release(client);
            }
        }
    }

    /** A refusal is an outcome (cached, counted); any other failure (e.g. a locked account) is thrown, not cached. */
    private Outcome verify(Authentication authentication) {
        Authentication result;
        try {
            result = delegate.authenticate(authentication);
        } catch (BadCredentialsException e) {
            return CredentialCache.refused();
        }
        if (result == null) {
            return CredentialCache.refused();
        }
        // the cached principal must not carry the password (nor its hash)
        if (result instanceof UsernamePasswordAuthenticationToken token) {
            token.eraseCredentials();
        }
        return new Verified(result);
    }

    private static String clientOf(Authentication authentication) {
        if (authentication.getDetails() instanceof WebAuthenticationDetails details
                && details.getRemoteAddress() != null) {
            return details.getRemoteAddress();
        }
        return UNKNOWN_CLIENT;
    }
}
