/*
 * congo-oci: congo as an OCI runtime, driven through runc's command line
 * by podman's conmon, containerd's shim or Slurm. The same binary as
 * congo-launch, chosen by its name.
 *
 *   create  load BUNDLE/config.json as a profile (src/oci/import.c), plan it,
 *           make the container up to its command's exec and leave it
 *           waiting there (runtime_run with a run_create); write the pid
 *           file, hand the terminal to the console socket, record it in the
 *           state directory; exit
 *   start   let the command exec: one byte into ROOT/ID/exec.fifo
 *   exec    a command in the running container: congo-launch --exec's join, its
 *           policy from the recorded profile with --process's process.json over it
 *   state, list, ps      read the state directory and the container's cgroup
 *   kill    a signal to the container's first process (--all: every one)
 *   delete  remove what is left: processes, cgroup, entry
 *   run     create and start, and unless --detach wait and delete
 *
 * Its containers are entries of the state directory of running
 * containers (src/state/), under --root, so congo-launch --list sees them
 * too.
 */
#pragma once

/* congo-oci's main(). */
int oci_main(int argc, char **argv);
