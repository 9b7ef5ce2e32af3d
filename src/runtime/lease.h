/*
 * Leases: a file per thing a running container holds (a range of user ids,
 * an address on a bridge, a pasta), in a directory of the state root,
 * whose first line names the holder as "PID STARTTIME". They are taken and
 * dropped under the directory's flock; one whose holder is dead is taken
 * over, so that a launcher killed with SIGKILL leaves nothing for good.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* "PID STARTTIME" of a process, the first line of its leases, into owner. */
void lease_owner(pid_t pid, char owner[64]);
/* Does the "PID STARTTIME" at the start of text name a live process? */
bool lease_owner_alive(const char *text);
/* dir, below the state root, made with what is missing above it, and locked; -1 with e filled. */
int lease_dir_lock(const char *dir, struct congo_error *e);
/* text as the lease at path, written whole (through a rename) or not at all. */
int lease_write(const char *path, const char *text, struct congo_error *e);
/* The text of lease name in dir (caller frees); NULL with errno set when it cannot be read. */
char *lease_read(const char *dir, const char *name);
