/* Scope-bound resources: every owning local carries one of these. */
#pragma once

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p) { free(*(void **)p); }
static inline void cleanup_closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}
static inline void cleanup_fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}
static inline void cleanup_closedirp(DIR **d)
{
    if (*d)
        closedir(*d);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_close_ _cleanup_(cleanup_closep)
#define _cleanup_fclose_ _cleanup_(cleanup_fclosep)
#define _cleanup_closedir_ _cleanup_(cleanup_closedirp)

/* Hand ownership on: the local's cleanup then sees NULL / -1. */
#define steal_pointer(pp)                                                      \
    ({                                                                         \
        __typeof__(*(pp)) _p = *(pp);                                          \
        *(pp) = NULL;                                                          \
        _p;                                                                    \
    })

static inline int take_fd(int *fd)
{
    int r = *fd;
    *fd = -1;
    return r;
}
