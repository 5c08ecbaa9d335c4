package io.fleetsaga.order.order.web;

import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** RFC 9457 problem details for every framework-level error (validation, unreadable body, wrong method). */
@RestControllerAdvice
class ProblemHandling extends ResponseEntityExceptionHandler {}
