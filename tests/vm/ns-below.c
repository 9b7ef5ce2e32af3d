/*
 * ns-below PID: what lies beneath the root of PID's mount namespace, layer
 * by layer, as setns(2) finds it: enter the namespace, count the entries of
 * `/` and of `/bin` (-1: none there), detach `/`, and enter it again, until
 * `/` is the namespace's first mount, which cannot be detached. It changes
 * PID's mount namespace: for a container of the test's own, in the VM.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *de; (de = readdir(d));)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ns-below PID\n");
        return 2;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/ns/mnt", argv[1]);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0) {
        fprintf(stderr, "ns-below: %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (int layer = 0; layer < 8; layer++) {
        if (setns(ns, CLONE_NEWNS) < 0 || chdir("/") < 0) {
            fprintf(stderr, "ns-below: enter %s: %s\n", path, strerror(errno));
            return 1;
        }
        printf("layer %d: / %d, /bin %d\n", layer, entries("/"), entries("/bin"));
        if (umount2("/", MNT_DETACH) < 0)
            return 0;
    }
    return 0;
}
