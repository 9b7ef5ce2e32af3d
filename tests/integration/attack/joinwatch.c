/*
 * joinwatch MARKER SECONDS: from inside a container, look at every process
 * that appears in /proc, as fast as possible, for SECONDS: its environment,
 * its cwd, root and exe, and every fd. A process `congo-launch --exec`
 * joins the container with must show nothing of the host before it has
 * exec'd (runc's CVE-2016-9962): the caller puts MARKER in its environment,
 * its working directory's path and the name of a file it holds open. Prints
 * `LEAK WHAT PID TEXT` and exits 1 at the first sight of MARKER, else
 * `clean N` (how many processes it looked at) and exits 0.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *marker;
static long seen;

static void leak(const char *what, const char *pid, const char *text)
{
    printf("LEAK %s %s %s\n", what, pid, text);
    fflush(stdout);
    exit(1);
}

static void check_link(const char *pid, const char *path)
{
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    if (n <= 0)
        return;
    buf[n] = '\0';
    if (strstr(buf, marker))
        leak(path, pid, buf);
}

static void look(const char *pid)
{
    char path[256], buf[65536];
    snprintf(path, sizeof(path), "/proc/%s/environ", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\0')
                buf[i] = '\n';
        if (n > 0) {
            buf[n] = '\0';
            if (strstr(buf, marker))
                leak("environ", pid, "");
        }
    }
    static const char *const links[] = {"cwd", "root", "exe"};
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        snprintf(path, sizeof(path), "/proc/%s/%s", pid, links[i]);
        check_link(pid, path);
    }
    snprintf(path, sizeof(path), "/proc/%s/fd", pid);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        char fdpath[300];
        snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
        check_link(pid, fdpath);
    }
    if (d)
        closedir(d);
    seen++;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    marker = argv[1];
    time_t end = time(NULL) + atol(argv[2]);
    char self[32];
    snprintf(self, sizeof(self), "%d", (int)getpid());
    while (time(NULL) < end) {
        DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d)))
            if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && strcmp(de->d_name, self) != 0)
                look(de->d_name);
        if (d)
            closedir(d);
    }
    printf("clean %ld\n", seen);
    return 0;
}
