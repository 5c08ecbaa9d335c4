package io.fleetsaga.common.web;

/**
 * One invalid field (or parameter, or header) of a request and what is wrong with it: an element of the {@code
 * errors} member of a {@code 400 invalid-request} problem.
 *
 * @param field the field's path in the body ({@code items[2].orderId}), or the parameter's or header's name
 * @param message what is wrong, for a human
 */
public record FieldProblem(String field, String message) {}
