/*
 * The launcher while its container runs: it relays the terminal, forwards
 * signals, gives a command told to stop its stop_timeout before SIGKILL,
 * reads the child's log lines and failure, and reaps it.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "runtime/terminal.h"
#include "util/error.h"

/* The signals forwarded to the container's first process. */
extern const int supervise_forwarded[];
extern const size_t supervise_n_forwarded;

struct supervise_in {
    pid_t pid;               /* the child */
    int sync_fd;             /* the launcher's end of the sync socket */
    int sigfd;               /* a signalfd of SIGCHLD and the forwarded signals */
    int64_t stop_timeout_ms; /* from the first stop signal to SIGKILL */
    FILE *verbose;           /* -v: the child's log lines go here */
    int out_fd;              /* the read end of the command's stdout and stderr, or -1 */
    struct log *log;         /* where out_fd goes */
    void (*started)(void *arg); /* the command was exec'd; NULL for none */
    void *arg;
};

struct supervise_out {
    int wait_status;          /* as waitpid gives it */
    bool child_failed;        /* the child reported its failure: status and error say what */
    int status;               /* the status it asked the launcher to return */
    struct congo_error error; /* its failure */
    struct congo_error warning; /* stop_timeout ran out, or poll failed */
};

/* Until the child is reaped. t is the caller's terminal, relayed when the child sends its own. */
void supervise(const struct supervise_in *in, struct terminal *t, struct supervise_out *out);
