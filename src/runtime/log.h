/*
 * A detached container's output. The command's stdout and stderr are a
 * pipe the launcher drains into DIR/log; when that passes LOG_MAX bytes it
 * becomes DIR/log.1 (replacing the one before) and a new DIR/log starts,
 * so a container's output never takes more than 2 x LOG_MAX of the state
 * directory, and the last LOG_MAX bytes at least are always there.
 */
#pragma once

#include <stddef.h>

#include "util/error.h"

#define LOG_MAX (1024 * 1024)
#define LOG_FILE "log"
#define LOG_FILE_OLD "log.1"

struct log {
    int dir_fd;
    int fd;
    size_t size;
};

int log_open(struct log *l, const char *dir, struct congo_error *e);
/* Append; a write the disk refuses is dropped (the container must not stall on its log). */
void log_write(struct log *l, const char *buf, size_t n);
void log_close(struct log *l);
