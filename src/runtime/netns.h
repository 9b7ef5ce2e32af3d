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

/*
 * The same, owned by the user namespace userns (an fd of the container's,
 * its maps written): a helper process joins that user namespace and makes
 * it there, since the launcher itself cannot enter one. -1 with e filled.
 */
int netns_make_in(int userns, struct congo_error *e);
