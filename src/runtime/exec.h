/* The last steps of a container's process: exec, and the minimal init. */
#pragma once

#include <sys/types.h>

#include "util/error.h"

/*
 * execve argv[0], looked up in the PATH of envp when it has no `/` (the
 * container's PATH, searched in the container's root, like execvpe but never
 * the launcher's PATH). Returns only on failure: 127 when no such program
 * exists, 126 when one exists but cannot be executed (EACCES, ENOEXEC, a
 * directory), with e saying which path and why.
 */
int exec_command(char *const argv[], char *const envp[], struct congo_error *e);

/*
 * The program exec_command would run first, found without running
 * anything: argv[0] when it holds a `/`, else the first executable regular
 * file of that name on the PATH of envp. NULL when there is none
 * (exec_command then says why). Caller frees.
 */
char *exec_find(char *const argv[], char *const envp[]);

/*
 * Whether argv[0] is surely not a program exec_command could run: 0 when
 * it may be, else exec_command's status (127: no such file, on the PATH
 * either; 126: a directory, or not executable) with e saying why. Only
 * looks, like exec_find. For a container created now and started later,
 * whose launcher is gone when the exec fails.
 */
int exec_check(char *const argv[], char *const envp[], struct congo_error *e);

/*
 * The container's PID 1 when `init: true`: starts a process that runs
 * start(arg), which must exec the command at once or return an exit status
 * (the process shares the init's memory until then, and the init waits for
 * that moment: it neither forwards nor reaps before). It then forwards SIGTERM, SIGINT, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to the command, reaps every zombie that is reparented to
 * it, and returns when the command has exited: its exit status, or 128+N when a signal N killed it.
 * close_after_start is an fd the init itself must not keep (the sync socket: the parent learns of a
 * successful exec when the last copy closes); -1 for none. started(arg), when not NULL, runs in the
 * init once the command's process has exec'd: the init's own last set-up; when it fails, the init
 * kills the command and returns 125.
 */
int init_run(int (*start)(void *arg), int (*started)(void *arg), void *arg, int close_after_start);
