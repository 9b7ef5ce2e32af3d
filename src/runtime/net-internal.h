/*
 * Inside the network engine (net.c): the leases every mode keeps, and
 * pasta's part (net-pasta.c).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/net.h"
#include "util/error.h"

/* ---- leases (net-lease.c) ---- */

/* "PID STARTTIME" of a process, the first line of a lease, into owner. */
void owner_of(pid_t pid, char owner[64]);
/* Does the "PID STARTTIME" at the start of text name a live process? */
bool owner_alive(const char *text);
/* dir made (with the state root and STATE/net) and locked; -1 with e filled. */
int lock_dir(const char *dir, struct congo_error *e);
/* text as the lease at path, written whole or not at all. */
int write_lease(const char *path, const char *text, struct congo_error *e);
/* A lease's text (caller frees); NULL with errno set when it cannot be read. */
char *read_lease(int dirfd, const char *name);

/* ---- pasta (net-pasta.c) ---- */

/* Under the pasta directory's lock: the pasta of each launcher that died, stopped. */
void pasta_reclaim(int dirfd);
/* pasta started for n into netns (userns: -1, the host's); -1 with e filled. */
int pasta_start(struct net *n, int netns, int userns, struct congo_error *e);
/* SIGTERM, and SIGKILL if it has not gone within a second; waited for. */
void pasta_stop(int pidfd);
