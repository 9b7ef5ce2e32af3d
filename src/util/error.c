#include "error.h"

#include <string.h>

#include "util.h"

int error_set(struct congo_error *e, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    free(e->msg);
    e->err = errnum;
    e->msg = errnum ? xasprintf("%s: %s", msg, strerror(errnum)) : steal_pointer(&msg);
    return -1;
}

int error_wrap(struct congo_error *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *ctx = xvasprintf(fmt, ap);
    va_end(ap);
    char *msg = xasprintf("%s: %s", ctx, e->msg ? e->msg : "unknown error");
    free(e->msg);
    e->msg = msg;
    return -1;
}

void error_set_step(struct congo_error *e, const char *step)
{
    free(e->step);
    e->step = step ? xstrdup(step) : NULL;
}

void error_clear(struct congo_error *e)
{
    free(e->msg);
    free(e->step);
    e->msg = NULL;
    e->step = NULL;
    e->err = 0;
}

void error_append(struct congo_error *to, struct congo_error *from)
{
    if (!from->msg)
        return;
    if (!to->msg) {
        *to = *from;
        *from = (struct congo_error){0};
        return;
    }
    char *both = xasprintf("%s; %s", to->msg, from->msg);
    free(to->msg);
    to->msg = both;
    error_clear(from);
}
