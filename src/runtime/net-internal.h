/*
 * Inside the network engine (net.c): pasta's part (net-pasta.c).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/lease.h"
#include "runtime/net.h"
#include "util/error.h"

/* ---- pasta (net-pasta.c) ---- */

/* Under the pasta directory's lock: the pasta of each launcher that died, stopped. */
void pasta_reclaim(int dirfd, const char *dir);
/* pasta started for n into netns (userns: -1, the host's); -1 with e filled. */
int pasta_start(struct net *n, int netns, int userns, struct congo_error *e);
/* SIGTERM, and SIGKILL if it has not gone within a second; waited for. */
void pasta_stop(int pidfd);
