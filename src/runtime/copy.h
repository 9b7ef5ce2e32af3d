/*
 * A directory's contents copied into another: what a tmpfs with tmpcopyup
 * starts with (runc's and crun's option; podman's --read-only asks for it).
 */
#pragma once

#include "util/error.h"

/*
 * Everything below the directory `from` into the directory `to` (both
 * readable directory fds): directories, regular files, symlinks (as they
 * are, never followed), fifos and device nodes, each with its owner, mode
 * and times; `to` takes from's mode and owner. Runs privileged in the child,
 * on the container's own files: nothing is resolved by path. -1 with e
 * naming the file.
 */
int copy_tree(int from, int to, struct congo_error *e);
