/*
 * The container's root: an overlay of layers over rootfs with a writable
 * upper, then the plan's mounts in order, then pivot_root. Runs in the
 * child, in its own mount namespace.
 */
#pragma once

#include <stdbool.h>

#include "plan/plan.h"
#include "runtime/cgroup.h"
#include "util/error.h"

/*
 * Checks the parent makes before anything is mounted: rootfs and the layers
 * are directories, the upper is one that can hold diff/ and work/ (made
 * here when missing), and every bind source exists.
 */
int rootfs_preflight(const struct run_plan *plan, struct congo_error *e);

/* The host's root as the child sees it between its two pivots: under the scratch root. */
#define ROOTFS_HOST_ROOT "/oldroot"
/* And the container's root, assembled there until the last pivot. */
#define ROOTFS_NEW_ROOT "/newroot"

/*
 * A host path as the child sees it between its two pivots: below
 * ROOTFS_HOST_ROOT, with symlinks on the way resolved as the host resolves
 * them. Caller frees.
 */
char *rootfs_host_path(const char *path);

struct rootfs_steps {
    void (*done)(void *arg, const char *step); /* called after each step, for -v */
    /*
     * Called once, just before /sys is mounted: the only mount that depends
     * on the network namespace (sysfs shows the devices of its mounter's),
     * and the one that binds the container's cgroup. The caller joins both
     * no later than now, and may write below rootfd, the new root, whose
     * /proc is mounted and still writable. NULL, or returns -1 with e
     * filled.
     */
    int (*before_sys)(void *arg, int rootfd, struct congo_error *e);
    /*
     * Optional: every mount made, before a root written directly is made
     * read-only and the pivot into it (the create_container hooks).
     */
    int (*before_pivot)(void *arg, int rootfd, struct congo_error *e);
    void *arg;
    /*
     * A container with a user namespace of root's making: detached mounts
     * id-mapped by the launcher (userns_idmapped_tree), used in place of
     * the host paths: first n_idmapped_layers of rootfs, each layer bottom
     * to top and the upper directory when there is one (or none of them),
     * then the source of each bind that says idmap, in the plan's order.
     */
    const int *idmapped;
    size_t n_idmapped, n_idmapped_layers;
    /*
     * An engine's --no-pivot, for a root pivot_root cannot leave (the
     * initial ramfs): the host's mounts are detached and the roots moved
     * over / and chrooted into. The root's own file system stays beneath.
     */
    bool no_pivot;
};

/*
 * In the child, as root, in a new mount namespace: assemble the root and
 * pivot into it. On return the process's root and working directory are the
 * container's `/`, and nothing of the host's mount tree is reachable.
 * cg (may be NULL) is bind-mounted read-only at /sys/fs/cgroup so the
 * container sees its own limits.
 */
int rootfs_setup(const struct run_plan *plan, const struct cgroup_host *h, const struct cgroup *cg,
                 const struct rootfs_steps *steps, struct congo_error *e);

/*
 * In the child, before the pivot: text as a read-only file bound at target
 * (absolute) in the root rootfd refers to. The root's own file stays below
 * it; where it is missing or a symbolic link, a file is made in its place
 * in the overlay's upper, unless fixed names why the root takes none (a
 * read-only root, one written directly): then it is an error. For
 * /etc/resolv.conf and /etc/hosts. -1 with e filled.
 */
int rootfs_bind_text(int rootfd, const char *target, const char *text, const char *fixed,
                     struct congo_error *e);

/*
 * A directory inside the root rootfd refers to, made when missing and
 * create is set, resolved without leaving the root and without following
 * magic links (/proc/self/fd/N, CVE-2024-21626). An O_PATH fd, or -1.
 */
int rootfs_open_dir(int rootfd, const char *path, bool create, struct congo_error *e);

/*
 * The working directory, in the root the process is in (after pivot_root
 * or setns), made when missing unless readonly. An O_PATH fd, or -1.
 */
int rootfs_open_workdir(const char *path, bool readonly, struct congo_error *e);
