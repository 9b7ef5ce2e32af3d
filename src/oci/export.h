/*
 * A profile as an OCI runtime bundle (runtime-spec 1.0.2: config.md,
 * config-linux.md), for runc and the engines that drive it:
 *
 *   struct run_plan -> oci_print         -> config.json           (--print --format oci)
 *   struct run_plan -> oci_bundle_write  -> DIR/config.json, DIR/rootfs   (--bundle DIR)
 *
 * config.json is written from the plan: the mounts in the plan's order, its
 * environment, capability sets, rlimits, cgroup request, namespaces and
 * seccomp rules. The profile is read only for what the plan does not keep:
 * where each value was set, so that a refusal names FILE:LINE and key.
 *
 * What OCI cannot say is never dropped in silence: when running the bundle
 * would break one of congo's promises the export is refused (an error at
 * the key, exit status 1); where the difference is harmless and documented
 * in congo-launch(1), a note says so on stderr.
 */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"
#include "profile/diag.h"
#include "profile/profile.h"
#include "util/error.h"

/* The root a config.json describes. */
struct oci_root {
    const char *path; /* root.path: an absolute host path, or "rootfs" inside the bundle */
    int fd;           /* that root, as the container sees it before any mount */
    const char *bundle; /* the bundle's directory (a realpath), or NULL */
};

/*
 * config.json for plan, whose root is root (the container's users are looked
 * up there, as the engine looks them up at run time). Refusals and notes go
 * to d; returns the text, or NULL when d got an error.
 */
char *oci_config(const struct profile *p, const struct run_plan *plan, const struct oci_root *root,
                 struct diags *d);

/* network bridge and pasta are congo's to set up, which config.json cannot say: -1 with an error. */
int oci_check_network(const struct profile *p, struct diags *d);

/*
 * --print --format oci: config.json with root.path the profile's rootfs
 * itself, which only a read-only root without layers allows (runc writes
 * into root.path directly), or `upper: none`, where congo writes into it
 * too. Returns the text, or NULL when d got an error.
 */
char *oci_print(const struct profile *p, const struct run_plan *plan, struct diags *d);

/*
 * --bundle DIR: DIR (missing, or empty) gets config.json and rootfs, the
 * assembled root: rootfs with the layers (and an upper directory's diff/)
 * applied in order, overlay's whiteouts and opaque directories honoured,
 * so that the container's writes reach only the bundle's copy. A read-only
 * root without layers and without file systems mounted below it, and the
 * rootfs of `upper: none`, are named in place instead. Needs root. Refusals go to d, failures of the host to
 * e; either way -1, with nothing left in DIR. An INT, TERM, HUP or QUIT
 * pending (the caller blocks them) stops it the same way.
 */
int oci_bundle_write(const struct profile *p, const struct run_plan *plan, const char *dir,
                     struct diags *d, struct congo_error *e);

/*
 * A file system mounted below path (a realpath), which runc would bind into
 * the container with a root it names in place; NULL when there is none.
 */
char *oci_mounted_below(const char *path);
