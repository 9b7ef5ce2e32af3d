/*
 * A seccomp file named by the `seccomp` key: a deny-list, one rule a line.
 *
 *   # comment
 *   @default              the default deny-list
 *   kexec_load            deny with EPERM
 *   ptrace ENOSYS         deny with that errno
 *   ioctl TIOCSTI         deny ioctl with that request (compared on the low 32 bits)
 *   !mount                take back the rules of the lines above for a call
 *   !ioctl TIOCSTI        ... or for one ioctl request
 *
 * Unknown syscalls, errnos and ioctl names are errors located at FILE:LINE.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"

struct seccomp_rule {
    int syscall; /* libseccomp's number for this architecture */
    int err;     /* errno returned, EPERM unless given */
    bool has_arg;
    uint64_t arg1; /* ioctl: the request (low 32 bits); clone: a CLONE_NEW* flag, denied when set */
};

/* A rule a `!` line took back, and that line: what --print-plan shows besides the rules. */
struct seccomp_removal {
    struct seccomp_rule rule;
    int line;
};

struct seccomp_rules {
    struct seccomp_rule *v;
    size_t n;
    /* What `!` lines took back and no later line denied again, in file order. */
    struct seccomp_removal *removed;
    size_t n_removed;
};

/* The default deny-list, built in. */
void seccomp_rules_default(struct seccomp_rules *r);
/* Read a seccomp file; every error goes to d, located in that file. Returns -1 on errors. */
int seccomp_rules_read(const char *path, struct seccomp_rules *r, struct diags *d);
void seccomp_rules_free(struct seccomp_rules *r);
/* A deep copy into dst, which is overwritten. */
void seccomp_rules_copy(struct seccomp_rules *dst, const struct seccomp_rules *src);
/* The names a seccomp file writes (EPERM, TIOCSTI, CLONE_NEWUSER), or NULL for a number. */
const char *seccomp_errno_name(int err);
const char *seccomp_ioctl_name(uint64_t request);
const char *seccomp_clone_flag_name(uint64_t flag);
/* Same rules, same errnos, same take-backs, in the same order. */
bool seccomp_rules_equal(const struct seccomp_rules *a, const struct seccomp_rules *b);
