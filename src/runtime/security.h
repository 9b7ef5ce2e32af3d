/*
 * What a container that runs as root inside may not do: the capabilities
 * it keeps, a seccomp filter, resource limits and no_new_privileges.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile/profile.h"
#include "util/error.h"

/* The capabilities docker keeps by default, as a bit mask (bit N = capability N). */
extern const uint64_t security_default_caps;

/* The effective kept set: (default | add) & ~drop, limited to what the kernel knows. */
uint64_t security_kept_caps(const struct profile *p);

struct security_plan;
struct sock_filter;

/*
 * The default filter compiled to BPF, as the build does once (it never
 * changes for one build): tools/gen-default-filter writes it into a header
 * that main() hands over with security_use_prebuilt_default, sparing every
 * start libseccomp's compile. The run-time compile stays for other arches.
 */
int security_default_filter(struct sock_filter **insns, unsigned short *len,
                            struct congo_error *e);
void security_use_prebuilt_default(const struct sock_filter *insns, unsigned short len,
                                   uint32_t arch);

/*
 * Built in the parent, before clone: the seccomp filter (p->seccomp: NULL
 * or "default" for the default deny-list, "unconfined" for none, else the
 * rules of the seccomp file p->seccomp names, read again here), resource
 * limits and the capability sets. Errors name the key.
 */
int security_plan_new(const struct profile *p, struct security_plan **plan,
                      struct congo_error *e);
void security_plan_free(struct security_plan *plan);

/*
 * In the child, as root, after the root is assembled and before the user
 * switch: rlimits, the bounding set reduced to the kept set, ambient and
 * inheritable sets cleared, and (when no_new_privileges is false, which
 * needs CAP_SYS_ADMIN for it) the seccomp filter. Runs privileged.
 */
int security_apply_before_user(const struct security_plan *plan, struct congo_error *e);

/*
 * In the child, right after setgroups/setgid/setuid: for uid 0 the
 * effective and permitted sets become the kept set (a user switch to
 * another uid leaves none), no_new_privileges, and the seccomp filter when
 * it was not loaded before. The last step before exec.
 */
int security_apply_after_user(const struct security_plan *plan, uid_t uid,
                              struct congo_error *e);
