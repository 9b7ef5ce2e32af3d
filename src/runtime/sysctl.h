/*
 * The container's kernel parameters (the profile's `sysctl`), written into
 * the namespaces that isolate them.
 */
#pragma once

#include "plan/plan.h"
#include "util/error.h"

/*
 * Write each of the plan's kernel parameters through the proc file system
 * mounted at proc/ below rootfd, the container's root being assembled:
 * /proc/sys speaks for the namespaces of the process that writes, which
 * must be the container's by then, and must still be writable. Runs
 * privileged in the child. -1 with e naming the parameter.
 */
int sysctl_write(int rootfd, const struct run_plan *plan, struct congo_error *e);
