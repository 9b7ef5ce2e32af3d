/*
 * congo-oci's command line: runc's, as engines (podman's conmon,
 * containerd's shim, Slurm) call it.
 *
 *   congo-oci [--root DIR] [--log FILE] [--log-format text|json] [--debug]
 *             [--systemd-cgroup] [--rootless true|false|auto] COMMAND [OPTIONS] ARGS...
 *
 * Options take `--flag value` and `--flag=value`, one dash or two, and may
 * follow the positional words, as runc's command line does.
 */
#pragma once

#include <stdbool.h>

#include "util/error.h"

enum oci_command {
    OCI_NONE,
    OCI_CREATE,
    OCI_START,
    OCI_EXEC,
    OCI_RUN,
    OCI_STATE,
    OCI_KILL,
    OCI_DELETE,
    OCI_PS,
    OCI_LIST,
    OCI_FEATURES,
    OCI_SPEC,
    OCI_VERSION,
    OCI_HELP,
};

struct oci_args {
    /* Global. */
    const char *root; /* the state directory; /run/congo-oci unless given */
    const char *log;  /* where errors go besides stderr, for the engine to read */
    bool log_json;    /* one {"level": ..., "msg": ..., "time": ...} object a line */
    bool debug;
    bool systemd_cgroup;
    const char *cgroup_manager; /* --cgroup-manager: cgroupfs (the only one) or systemd */
    const char *rootless;       /* --rootless true|false|auto: checked, then nothing (see cli.c) */

    enum oci_command command;
    const char *command_name; /* as written, for messages */
    const char *id;

    /* create, run */
    const char *bundle; /* the current directory unless given */
    const char *pid_file;
    const char *console_socket;
    bool no_pivot;
    bool no_new_keyring;
    int preserve_fds;
    bool detach; /* run, exec */
    /* exec */
    const char *process;     /* an OCI process object (process.json): the command and its policy */
    const char *const *exec_argv; /* the command after the id, NULL-terminated; empty with --process */
    bool tty;
    char **env;         /* --env NAME=value, each added to the container's command's */
    const char *cwd;
    const char *user;   /* UID[:GID] */
    char **caps;        /* --cap CAP_NAME, each added */
    char **additional_gids; /* -g GID, each: the supplementary groups, exactly */
    bool no_new_privs;
    /* kill */
    const char *signal; /* SIGTERM unless given */
    bool all;
    /* delete */
    bool force;
    /* ps, list */
    const char *format; /* table (the default) or json */
    bool quiet;
    /* spec */
    bool spec_rootless; /* a config for a user other than root, as runc spec --rootless */
};

/*
 * Parse argv (argv[0] is the program). 0; or -1 with e saying what is wrong
 * (a usage error: the caller exits 2 for it, runc's status for a usage error
 * is 1 with its help; congo says what is wrong and exits 2). On errors the
 * global options read before the one at fault (--log, --log-format) stay in
 * a, so that the error can go to the engine's log.
 */
int oci_parse(int argc, char **argv, struct oci_args *a, struct congo_error *e);
void oci_args_free(struct oci_args *a);

/* Is the container id one runc accepts: ^[\w+\-.]+$, 1024 at most? */
bool oci_valid_id(const char *id);
