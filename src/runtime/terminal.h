/*
 * The command's own terminal. When the caller's stdin is a terminal, the
 * command gets a pseudo-terminal from the container's devpts instance (so
 * `tty` inside names it), whose master the launcher relays to the caller's
 * terminal, kept raw meanwhile, with the window size in step. The command
 * never holds the caller's terminal itself.
 */
#pragma once

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>

#include "util/error.h"

/* The caller's side. */
struct terminal {
    bool wanted; /* stdin is a terminal */
    int master;  /* from the child; -1 until it arrives */
    bool raw;
    struct termios saved;
    struct winsize winsize;
};

/* Is stdin a terminal? Then note its size and make it raw until terminal_close. */
void terminal_prepare(struct terminal *t);
/* The caller's terminal as it was; the master closed. */
void terminal_close(struct terminal *t);
/* Copy what one read of from gives to to. false at the end of from. */
bool terminal_copy(int from, int to);

/*
 * In the child, after the root is assembled and before the user switch:
 * open a pseudo-terminal in the container's /dev/ptmx, make it the
 * controlling terminal and fds 0-2, give it to uid, and send the master to
 * the launcher over sock. Runs privileged.
 */
int terminal_open_in_child(int sock, const struct winsize *ws, uid_t uid, struct congo_error *e);
