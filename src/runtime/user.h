/*
 * Who the command runs as and with what environment: resolved in the
 * assembled root's own /etc/passwd and /etc/group, read as files, never
 * through NSS (the host's users mean nothing in the container).
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "util/error.h"

struct user_ids {
    uid_t uid;
    gid_t gid;
    gid_t *groups; /* supplementary groups, from /etc/group memberships of the user name */
    size_t n_groups;
    bool exact; /* user_drop_memberships: groups are the profile's alone, its own gid too */
    char *name; /* NULL for an unknown numeric uid */
    char *home; /* from passwd, else "/" */
};

/*
 * spec is the profile's `user` (NULL: root): NAME, UID, NAME:GROUP, UID:GID,
 * NAME:GID or UID:GROUP. rootfd is a directory fd of the container's root;
 * etc/passwd and etc/group are opened below it without leaving it
 * (openat2 RESOLVE_IN_ROOT). A name that is not there is an error naming the
 * file; an unknown numeric UID is allowed (HOME=/, group = the UID's number
 * unless one is given, no supplementary groups).
 */
int user_resolve(int rootfd, const char *spec, struct user_ids *u, struct congo_error *e);
/*
 * initgroups: false: u has no supplementary groups but those user_add_groups
 * then adds, its own gid included when listed: an OCI config's
 * additionalGids are all its process gets, as runc's setgroups makes them.
 */
void user_drop_memberships(struct user_ids *u);
/*
 * The profile's `groups` added to u's supplementary groups: a gid as it
 * is, a name looked up in the container's etc/group below rootfd (an
 * unknown one is an error naming it).
 */
int user_add_groups(int rootfd, char *const *groups, struct user_ids *u, struct congo_error *e);
void user_ids_free(struct user_ids *u);

/*
 * The command's environment: the plan's, with HOME from the resolved user's
 * passwd entry (else /) unless the profile set HOME. NULL-terminated.
 */
char **user_env(const struct run_plan *plan, const char *home);
