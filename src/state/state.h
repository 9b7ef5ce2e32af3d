/*
 * Running containers, as files: one directory per container under the
 * state directory (/run/congo for root), flock'ed by the container's
 * launcher for as long as it lives (whoever takes the lock may clean the
 * entry up), holding
 *
 *   state.json    what --list shows and the commands on a container read,
 *                 rewritten atomically (a temporary file renamed over it)
 *   profile.yaml  the effective profile the container was started from,
 *                 for --exec, which runs its command under the same policy
 *   seccomp.bpf   and the seccomp filter its command runs under, as loaded
 *   seccomp.flags and the flags it is loaded with, when there are any
 *   log, log.1    a detached container's output (runtime/log.c)
 *
 * An entry goes with its container. One whose launcher died (SIGKILL, a
 * crash) is recognised, as stale cgroups are, by the launcher's pid and
 * start time, and by its lock being free; the next command that reads the
 * directory removes it, so it is never taken for a live one after the pid
 * is reused.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

#define STATE_ID_LEN 12 /* hex digits */

enum state_status {
    STATE_CREATING, /* the launcher is setting the container up */
    STATE_RUNNING,  /* its command has been exec'd */
    STATE_CREATED,  /* OCI: made, its command waiting for `start` */
    STATE_STOPPED,  /* OCI: its command ended; the entry waits for `delete` */
};

struct state_entry {
    char *dir;     /* ROOT/ID */
    char *id;      /* STATE_ID_LEN hex digits */
    char *name;    /* the profile's name: many containers may share one */
    char *profile; /* the profile it was started from, as an absolute path, or "run ..." */
    pid_t launcher;
    unsigned long long launcher_start; /* field 22 of /proc/PID/stat */
    pid_t pid;                         /* the container's first process; 0 while creating */
    unsigned long long pid_start;
    char **cgroups;  /* the container's cgroup directories, NULL-terminated */
    int64_t created; /* seconds since the epoch */
    enum state_status status;
    bool detached;
    int64_t stop_timeout_ms; /* the profile's, for --stop */
    char **annotations;      /* the profile's, KEY=value each, for --list; may be NULL */
    /*
     * An OCI runtime's container (congo-oci): no launcher stays with it, so
     * the entry goes with `delete`, not with the launcher; its id is the
     * engine's. bundle: the bundle's directory.
     */
    bool oci;
    char *bundle;
    /* Its root was moved over `/`, not pivoted into (--no-pivot): --exec enters it by its root. */
    bool no_pivot;
    int lock_fd; /* the launcher's hold on ROOT/ID, flock'ed; -1 elsewhere */
};

/* $CONGO_STATE_DIR when set, else /run/congo; not root: $XDG_RUNTIME_DIR/congo or /tmp/congo-UID. */
const char *state_root(void);
/*
 * congo-oci's default --root, where engines' containers live: $CONGO_OCI_ROOT
 * when set, else STATE_OCI_ROOT (not root: $XDG_RUNTIME_DIR/congo-oci or
 * /tmp/congo-oci-UID). congo-launch --list, --stats, --exec and
 * --kill look there too.
 */
#define STATE_OCI_ROOT "/run/congo-oci"
const char *state_oci_root(void);
/* An OCI container's exec fifo, in its entry while it is created and not started. */
#define STATE_EXEC_FIFO "exec.fifo"
/* A byte in it: the created container's start got past its start_container hooks. */
#define STATE_STARTED_FIFO "started.fifo"
const char *state_status_name(enum state_status s);
/*
 * The status as it stands: an OCI container's from its first process and
 * its exec fifo (no launcher stays to write it down), anyone else's as
 * saved.
 */
enum state_status state_status_now(const struct state_entry *s);

/*
 * A new entry for the calling launcher, with what's name, profile,
 * detached, stop_timeout_ms, annotations, oci and bundle: what->id when it has one (an
 * entry of that id already there is EEXIST), else a fresh id, ROOT/ID made (ROOT too, mode
 * 0700), locked by s->lock_fd, state.json written. On
 * failure nothing is left and e says which path and why.
 */
int state_create(const char *root, const struct state_entry *what, struct state_entry *s,
                 struct congo_error *e);
/* Write s to ROOT/ID/state.json atomically. */
int state_save(const struct state_entry *s, struct congo_error *e);
/*
 * A file in the entry's directory (profile.yaml, seccomp.bpf), written
 * once, not atomically: before the state.json that tells readers to look
 * for it.
 */
int state_save_file(const struct state_entry *s, const char *name, const void *data, size_t len,
                    struct congo_error *e);
/* Remove the entry's directory and release its lock; s is freed. */
void state_remove(struct state_entry *s);
void state_entry_free(struct state_entry *s);

/*
 * Every live entry under root, oldest first; stale ones are removed on the
 * way. A root that does not exist holds none.
 */
int state_list(const char *root, struct state_entry **v, size_t *n, struct congo_error *e);
void state_list_free(struct state_entry *v, size_t n);

/*
 * The live container ref names: its id, a prefix of one id (at least 3
 * digits), or its name. 0; -1 when there is none (e says so); -2 when the
 * reference is ambiguous (e lists the candidates, one a line).
 */
int state_find(const char *root, const char *ref, struct state_entry *s, struct congo_error *e);

/* The entry ROOT/ID, OCI's or not, as it is: stale or not. 0; -1 (e) when there is none. */
int state_get(const char *root, const char *id, struct state_entry *s, struct congo_error *e);

/* Is the entry's launcher the process that made it, and alive? */
bool state_launcher_alive(const struct state_entry *s);

/* KEY=value annotations as a JSON object (jansson's json_t), for state.json and --list. */
struct json_t;
struct json_t *state_annotations_json(char *const *annotations);
