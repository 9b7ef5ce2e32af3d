/*
 * The container's network namespace. Today: a new one with `lo` up (the
 * profile's `namespaces.net`), made by the launcher while the child
 * assembles its root; the networks to come are set up here too.
 */
#pragma once

#include "util/error.h"

/*
 * A new network namespace with `lo` up, as an fd; the launcher stays in
 * its own. -1 with e filled.
 */
int netns_make(struct congo_error *e);

/* Bring `lo` up in the network namespace the caller is in. 0, or -1 with e filled. */
int netns_loopback_up(struct congo_error *e);
