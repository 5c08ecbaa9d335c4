package io.fleetsaga.order.order;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The versions of an order a caller accepts (an {@code If-Match} precondition): a change applies only to an order at
 * one of them. Empty when the caller named nothing that can be a version — then no order matches.
 *
 * @param versions the accepted versions
 */
public record ExpectedVersion(Set<Long> versions) {

    public ExpectedVersion {
        versions = Set.copyOf(versions);
    }

    public static ExpectedVersion of(long version) {
        return new ExpectedVersion(Set.of(version));
    }

    public static ExpectedVersion anyOf(Collection<Long> versions) {
        return new ExpectedVersion(Set.copyOf(versions));
    }

    public boolean matches(long version) {
        return versions.contains(version);
    }

    /** {@code 3}, {@code one of 2, 3}, or {@code no version} — for messages. */
    public String describe() {
        if (versions.isEmpty()) {
            return "no version";
        }
        if (versions.size() == 1) {
            return String.valueOf(versions.iterator().next());
        }
        return "one of " + new TreeSet<>(versions).stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
