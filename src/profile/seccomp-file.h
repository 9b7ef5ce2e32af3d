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

struct seccomp_rules {
    struct seccomp_rule *v;
    size_t n;
};

/* The default deny-list, built in. */
void seccomp_rules_default(struct seccomp_rules *r);
/* Read a seccomp file; every error goes to d, located in that file. Returns -1 on errors. */
int seccomp_rules_read(const char *path, struct seccomp_rules *r, struct diags *d);
void seccomp_rules_free(struct seccomp_rules *r);
