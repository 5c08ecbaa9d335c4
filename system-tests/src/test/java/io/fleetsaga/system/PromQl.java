package io.fleetsaga.system;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The metric names a PromQL expression selects, for checking a dashboard's or an alert rule's queries against a
 * scrape. A tokenizer, not a parser: it skips string literals, label matchers ({@code {…}}), ranges and subqueries
 * ({@code […]}), numbers and durations, the label lists of {@code by}/{@code without}/{@code on}/{@code ignoring}/
 * {@code group_left}/{@code group_right}, keywords and Grafana variables ({@code $__rate_interval}); every other
 * identifier is a metric name. An identifier followed by {@code (} must be a PromQL function or aggregation —
 * anything else (a typo such as {@code rat(}) is rejected rather than silently taken for a metric.
 */
final class PromQl {

    /** Keywords, never metric names, whether the modifier comes first ({@code sum by (job) (x)}) or last. */
    private static final Set<String> AGGREGATIONS = Set.of(
            "sum",
            "min",
            "max",
            "avg",
            "group",
            "stddev",
            "stdvar",
            "count",
            "count_values",
            "bottomk",
            "topk",
            "quantile",
            "limitk",
            "limit_ratio");

    private static final Set<String> FUNCTIONS = Set.of(
            "abs",
            "absent",
            "absent_over_time",
            "ceil",
            "changes",
            "clamp",
            "clamp_max",
            "clamp_min",
            "day_of_month",
            "day_of_week",
            "day_of_year",
            "days_in_month",
            "delta",
            "deriv",
            "double_exponential_smoothing",
            "exp",
            "floor",
            "histogram_avg",
            "histogram_count",
            "histogram_fraction",
            "histogram_quantile",
            "histogram_stddev",
            "histogram_stdvar",
            "histogram_sum",
            "holt_winters",
            "hour",
            "idelta",
            "increase",
            "info",
            "irate",
            "label_join",
            "label_replace",
            "ln",
            "log2",
            "log10",
            "minute",
            "month",
            "predict_linear",
            "rate",
            "resets",
            "round",
            "scalar",
            "sgn",
            "sort",
            "sort_desc",
            "sort_by_label",
            "sort_by_label_desc",
            "sqrt",
            "time",
            "timestamp",
            "vector",
            "year",
            "avg_over_time",
            "min_over_time",
            "max_over_time",
            "sum_over_time",
            "count_over_time",
            "quantile_over_time",
            "stddev_over_time",
            "stdvar_over_time",
            "last_over_time",
            "present_over_time",
            "mad_over_time",
            "acos",
            "acosh",
            "asin",
            "asinh",
            "atan",
            "atanh",
            "cos",
            "cosh",
            "sin",
            "sinh",
            "tan",
            "tanh",
            "deg",
            "rad",
            "pi",
            // @ start() / @ end()
            "start",
            "end");

    /** Followed by a parenthesised list of label names, not by an expression. */
    private static final Set<String> LABEL_LIST_KEYWORDS =
            Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "atan2", "inf", "nan");

    private PromQl() {}

    /**
     * The metric names {@code expr} selects, in order of appearance.
     *
     * @throws IllegalArgumentException on an unknown function, an unbalanced bracket or an unterminated string
     */
    static Set<String> metricNames(String expr) {
        Set<String> names = new LinkedHashSet<>();
        int depth = 0;
        int i = 0;
        int n = expr.length();
        while (i < n) {
            char c = expr.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') { // comment to the end of the line
                while (i < n && expr.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
            } else if (c == '{') {
                i = skipBracket(expr, i, '{', '}');
            } else if (c == '[') {
                i = skipBracket(expr, i, '[', ']');
            } else if (c == '$') { // a Grafana variable: $var, ${var}, $__rate_interval
                i++;
                if (i < n && expr.charAt(i) == '{') {
                    i = skipBracket(expr, i, '{', '}');
                } else {
                    while (i < n && isIdentifierPart(expr.charAt(i))) {
                        i++;
                    }
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
                // a number, a duration (5m, 1h30m) or a hex literal
                while (i < n && (isIdentifierPart(expr.charAt(i)) || expr.charAt(i) == '.')) {
                    char d = expr.charAt(i);
                    i++;
                    if ((d == 'e' || d == 'E') && i < n && (expr.charAt(i) == '+' || expr.charAt(i) == '-')) {
                        i++;
                    }
                }
            } else if (isIdentifierStart(c)) {
                int start = i;
                while (i < n && isIdentifierPart(expr.charAt(i))) {
                    i++;
                }
                String word = expr.substring(start, i);
                String lower = word.toLowerCase(Locale.ROOT);
                int next = skipWhitespace(expr, i);
                boolean call = next < n && expr.charAt(next) == '(';
                if (LABEL_LIST_KEYWORDS.contains(lower)) {
                    if (call) {
                        i = skipBracket(expr, next, '(', ')');
                    }
                } else if (AGGREGATIONS.contains(lower)) {
                    // an aggregation: its parentheses follow, here or after by/without (…)
                } else if (call) {
                    if (!FUNCTIONS.contains(word) && !KEYWORDS.contains(lower)) {
                        throw new IllegalArgumentException("unknown PromQL function '" + word + "' in: " + expr);
                    }
                } else if (!KEYWORDS.contains(lower)) {
                    names.add(word);
                }
            } else if (c == '(') {
                depth++;
                i++;
            } else if (c == ')') {
                if (--depth < 0) {
                    throw new IllegalArgumentException("unbalanced ')' at " + i + " in: " + expr);
                }
                i++;
            } else if (c == '}' || c == ']') {
                throw new IllegalArgumentException("unbalanced '" + c + "' at " + i + " in: " + expr);
            } else {
                i++; // operators, commas, parentheses, @
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unclosed '(' in: " + expr);
        }
        return names;
    }

    private static int skipWhitespace(String expr, int i) {
        while (i < expr.length() && Character.isWhitespace(expr.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index after the bracket opened at {@code open}, skipping strings and nested brackets of the same kind. */
    private static int skipBracket(String expr, int open, char opening, char closing) {
        int depth = 0;
        int i = open;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(expr, i);
                continue;
            }
            if (c == opening) {
                depth++;
            } else if (c == closing && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unclosed '" + opening + "' at " + open + " in: " + expr);
    }

    private static int skipString(String expr, int open) {
        char quote = expr.charAt(open);
        int i = open + 1;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
                continue;
            }
            if (c == quote) {
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unterminated string at " + open + " in: " + expr);
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9');
    }
}
