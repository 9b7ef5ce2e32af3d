/*
 * The container's user namespace: which host ids it gets, and writing them
 * into its uid_map and gid_map.
 *
 *   before the clone   userns_prepare: the maps (an unprivileged caller's
 *                      own uid and subordinate ids, a range picked for
 *                      `auto` under a lock, or the profile's), and every
 *                      refusal (user namespaces disabled, no root)
 *   after the clone    userns_write_maps, in the launcher, before the
 *                      child is released: directly as root, through the
 *                      setuid newuidmap and newgidmap for anyone else
 *   in the child       userns_become_root, then userns_check_user once the
 *                      profile's user is known
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "util/error.h"
#include "util/idmap.h"

struct userns {
    bool active; /* the container has a user namespace of its own */
    struct idmap map;
    bool deny_setgroups; /* a single mapping by a caller not root: setgroups is denied */
    bool helper;         /* newuidmap and newgidmap write the maps */
    /*
     * The launcher is not root: it, or newuidmap, writes the maps, which
     * needs the child's /proc/PID to be the caller's (the child stays
     * dumpable until then). Decided here, in the launcher: the child's own
     * geteuid() changes from 65534 to 0 the moment its uid_map is written.
     */
    bool by_caller;
    /*
     * Why only the caller's own id is mapped, and how to map more: part of
     * the message when the profile's user is not mapped. NULL: not that case.
     */
    char *single_why;
    /* Root's namespace over an overlay: the launcher sends id-mapped rootfs, layers and upper. */
    bool idmap_layers;
    size_t n_idmap_binds; /* root's namespace: binds that say idmap, whose sources it sends too */
    /*
     * Root's namespace over an upper directory: the upper, opened once and
     * checked closed to other users (userns_prepare); what is id-mapped is
     * that directory, whatever its path names by then. -1: none.
     */
    int upper_fd;
    char lease_owner[64]; /* auto: the lease's first line as this run last wrote it */
    char *lease; /* auto: the lease file of the range, removed by userns_release; else NULL */
};

/*
 * Why the kernel refused a clone(CLONE_NEWUSER) by a caller other than root:
 * one of the switches that turn user namespaces off, named with the command
 * that turns it back on (-1, e filled); 0 when none is set. Asked only once
 * a clone failed, so that no start reads them.
 */
int userns_why_refused(struct congo_error *e);

/* Decide the maps. 0, or -1 with e filled; u is then inactive. */
int userns_prepare(const struct run_plan *plan, struct userns *u, struct congo_error *e);

/* The container's first process owns the auto range from now on: a create outlives the launcher. */
void userns_lease_owner(struct userns *u, pid_t pid);
/* A created container keeps its lease when the launcher leaves: it is its first process's. */
void userns_keep_lease(struct userns *u);

/* Write pid's uid_map, setgroups and gid_map. 0, or -1 with e filled. */
int userns_write_maps(const struct userns *u, pid_t pid, struct congo_error *e);

/*
 * A detached clone of the mount of a host directory, id-mapped as the
 * container's user namespace (userns_fd) maps ids: the directory fd names
 * when fd >= 0 (path is then for messages), else path.
 */
int userns_idmapped_tree(const char *path, int fd, int userns_fd, struct congo_error *e);

/*
 * In the child, once its maps are written: become root of the namespace
 * (the launcher's uid was not mapped there, for root's containers). Runs
 * privileged in the child.
 */
int userns_become_root(const struct userns *u, struct congo_error *e);

/* The child's user namespace denies setgroups. In the child, before its root is assembled. */
bool userns_setgroups_denied(const struct userns *u);

/* The profile's user and group are mapped, or an error that says how to map them. */
int userns_check_user(const struct userns *u, uid_t uid, gid_t gid, const gid_t *groups,
                      size_t n_groups, struct congo_error *e);

/* The lease removed (an auto range is free again) and memory freed. */
void userns_release(struct userns *u);

