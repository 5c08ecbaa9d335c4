package io.fleetsaga.order.reconciliation;

import java.util.Comparator;

/**
 * The order of order ids in both databases' {@code ORDER BY} ({@code utf8mb4_bin}: by Unicode code point), which
 * a merge of two sorted pages must follow. {@link String#compareTo} compares UTF-16 units and disagrees for
 * characters outside the Basic Multilingual Plane.
 */
final class KeyOrder {

    static final Comparator<String> CODE_POINTS = KeyOrder::compare;

    private KeyOrder() {}

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
