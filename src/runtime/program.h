/*
 * The host programs congo runs for its networks (nft, iptables, pasta):
 * started clean, waited for, their words kept for the message.
 */
#pragma once

#include <stddef.h>

/*
 * Run argv (argv[0] an absolute path) with input on its stdin (NULL:
 * nothing, an empty pipe) and its stdout and stderr together into out (NUL-terminated,
 * cut to size). The child gets the default signal mask and dispositions
 * (the launcher blocks the ones it waits for) and no fd of the launcher's
 * but 0-2 and the n_keep of keep, at their numbers. Its exit status, 128+N
 * for a signal, or -1 with errno set.
 */
int program_run(const char *const *argv, const char *input, const int *keep, size_t n_keep,
                char *out, size_t size);
