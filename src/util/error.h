/*
 * Errors of the engine: a function that can fail returns a negative value
 * and fills a struct congo_error; callers add context by wrapping ("mount
 * overlay at `/`: ..."). The one error type from the engine to main(),
 * which alone prints. Errors of profiles and plans are located
 * diagnostics instead (src/profile/diag.h).
 */
#pragma once

#include <stdarg.h>

struct congo_error {
    int err;    /* errno, or 0 */
    char *msg;  /* full message, without the "congo-launch: " prefix */
    char *step; /* the container's set-up step that failed ("user", "exec"), or NULL */
};

/* Record a message; errnum != 0 appends ": strerror(errnum)". Returns -1. */
int error_set(struct congo_error *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message with context: "CONTEXT: old message". Returns -1. */
int error_wrap(struct congo_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Name the set-up step the error happened in. */
void error_set_step(struct congo_error *e, const char *step);
void error_clear(struct congo_error *e);
/*
 * Warnings, one after the other: from's message after to's ("A; B"), or
 * from itself when to has none. from is emptied.
 */
void error_append(struct congo_error *to, struct congo_error *from);
