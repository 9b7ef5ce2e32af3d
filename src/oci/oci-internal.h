/* What congo-oci's commands share: errors, the state directory, the pid file, the console. */
#pragma once

#include <jansson.h>
#include <sys/types.h>

#include "oci/cli.h"
#include "profile/diag.h"
#include "state/state.h"

/* The reason on stderr and in --log (where the engine looks for it); returns 1. */
int oci_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The runtime-spec version of state and spec. */
#define SPEC_VERSION "1.0.2"

/* o printed as indented JSON on stdout, and released; 1 when it is no valid JSON. */
int oci_print_json(json_t *o);
/* congo-oci features and spec (spec.c). */
int oci_features(void);
int oci_spec(const struct oci_args *a);
/* A warning, to stderr and the log: the command goes on. */
void oci_warn(const char *msg);
/* The fds after stdio an engine passes on (--preserve-fds, LISTEN_FDS), each open; -1: said why. */
int oci_passed_fds(const struct oci_args *a);
/* A profile's diagnostics, as the user reads them, to stderr and the log; returns 1. */
int oci_fail_diags(const struct diags *d);

/* --root, or /run/congo-oci. */
const char *oci_root_of(const struct oci_args *a);
/* The container's status, from its process and its exec fifo. */
enum state_status oci_status_of(const struct state_entry *s);
/* The entry of a->id: 0, or 1 with "does not exist" (the words engines look for). */
int oci_find(const struct oci_args *a, struct state_entry *s);

/* A file written whole or not at all: the pid file an engine reads as soon as it exists. */
int oci_write_pid_file(const char *path, pid_t pid);
/* A terminal's master to the engine's console socket: one SCM_RIGHTS message, as runc sends. */
int oci_send_console(const char *socket_path, int master);

/* exec: a command in a running container. */
int oci_exec(const struct oci_args *a);
