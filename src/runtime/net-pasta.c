/* pasta(1) for a container's network; see net-internal.h. */
#include "runtime/net-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>

#include "runtime/program.h"
#include "util/util.h"

/* SIGTERM, and SIGKILL if it has not gone within a second; waited for. */
void pasta_stop(int pidfd)
{
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
    if (poll(&pfd, 1, 1000) == 1)
        return;
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    poll(&pfd, 1, 1000);
}

void pasta_reclaim(int dirfd, const char *dir)
{
    _cleanup_close_ int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d)
        return;
    fd = -1;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || str_has_suffix(de->d_name, ".tmp") ||
            strspn(de->d_name, "0123456789") != strlen(de->d_name))
            continue;
        _cleanup_free_ char *text = lease_read(dir, de->d_name);
        if (!text || lease_owner_alive(text))
            continue;
        int pid = 0;
        unsigned long long start = 0;
        char *line = strchr(text, '\n');
        if (line && sscanf(line + 1, "pasta %d %llu", &pid, &start) == 2) {
            int pfd = pidfd_of(pid, start);
            if (pfd >= 0) {
                pasta_stop(pfd);
                close(pfd);
            }
        }
        unlinkat(dirfd, de->d_name, 0);
    }
    closedir(d);
}

/* "-t 8080:80 -u 5353:53 ..." as pasta(1) takes them: [ADDRESS/]PORT:PORT. */
static void pasta_ports(const struct plan_network *p, char ***argv)
{
    static const char *const kinds[] = {"-t", "-u", "-T", "-U"};
    bool any[2] = {false, false};
    for (size_t i = 0; i < p->n_ports; i++) {
        const struct port_map *pm = &p->ports[i];
        char a[16];
        strv_push(argv, xstrdup(pm->udp ? "-u" : "-t"));
        if (pm->host_addr)
            strv_push(argv, xasprintf("%s/%u:%u", ipv4_format(pm->host_addr, a), pm->host_port,
                                      pm->container_port));
        else
            strv_push(argv, xasprintf("%u:%u", pm->host_port, pm->container_port));
        any[pm->udp] = true;
    }
    /* Nothing forwarded but what the profile publishes: pasta's default is `auto`. */
    for (size_t k = 0; k < 4; k++) {
        if (k < 2 && any[k])
            continue;
        strv_push(argv, xstrdup(kinds[k]));
        strv_push(argv, xstrdup("none"));
    }
}

/*
 * What pasta said, but its notes on syslog, on dropping root, and on IPv6
 * when the host has none: ": LINE; LINE", or "" when nothing is left.
 */
static char *pasta_why(char *out)
{
    static const char *const noise[] = {"Failed to send", "Don't run as root",
                                        "No external routable interface for IPv6",
                                        "No routable interface for IPv6"};
    static char why[1024];
    size_t len = 0;
    why[0] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        bool skip = false;
        for (size_t i = 0; i < ARRAY_SIZE(noise); i++)
            skip |= strncmp(line, noise[i], strlen(noise[i])) == 0;
        if (!skip && len < sizeof(why) - 1)
            len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s", len ? "; " : ": ", line);
    }
    return why;
}

/*
 * pasta joins the container's user and network namespaces, configures
 * them from the host's (addresses, routes), and goes to the background;
 * the process started here returns once that is done. Its pid file names
 * the daemon, which the lease records and net_release stops.
 */
int pasta_start(struct net *n, int netns, int userns, struct congo_error *e)
{
    _cleanup_free_ char *pasta = program_find("pasta", "/usr/bin:/bin");
    if (!pasta)
        return error_set(e, 0,
                         "network: pasta needs pasta(1), which is not installed (apt-get install "
                         "passt)");
    _cleanup_free_ char *pidfile = xasprintf("%s.pid", n->lease);
    _cleanup_free_ char *ns = xasprintf("/proc/self/fd/%d", netns);
    char **argv = NULL;
    strv_push(&argv, xstrdup(pasta));
    strv_push(&argv, xstrdup("--config-net"));
    strv_push(&argv, xstrdup("--quiet"));
    strv_push(&argv, xstrdup("--pid"));
    strv_push(&argv, xstrdup(pidfile));
    pasta_ports(n->plan, &argv);
    if (n->plan->dns) {
        for (size_t i = 0; n->plan->dns[i]; i++) {
            strv_push(&argv, xstrdup("--dns"));
            strv_push(&argv, xstrdup(n->plan->dns[i]));
        }
    }
    if (userns >= 0) {
        strv_push(&argv, xstrdup("--userns"));
        strv_push(&argv, xasprintf("/proc/self/fd/%d", userns));
    }
    /* Started by root, pasta turns itself into nobody, who may join neither namespace. */
    if (geteuid() == 0) {
        strv_push(&argv, xstrdup("--runas"));
        strv_push(&argv, xstrdup("0"));
    }
    strv_push(&argv, xstrdup("--netns"));
    strv_push(&argv, xstrdup(ns));
    int keep[] = {netns, userns};
    char out[1024];
    int status =
        program_run((const char *const *)argv, NULL, keep, userns >= 0 ? 2 : 1, out, sizeof(out));
    int err = errno;
    strv_free(argv);
    if (status < 0)
        return error_set(e, err, "run pasta");
    _cleanup_free_ char *pidtext = NULL;
    size_t len;
    int daemon = 0;
    if (read_file_max(pidfile, 64, &pidtext, &len) == 0)
        daemon = atoi(pidtext);
    unlink(pidfile);
    if (status != 0 || daemon <= 0)
        return error_set(e, 0, "network: pasta failed%s", pasta_why(out));
    char owner[64];
    lease_owner(daemon, owner);
    n->pasta_pidfd = pidfd_of(daemon, strtoull(strchr(owner, ' ') + 1, NULL, 10));
    _cleanup_free_ char *text = xasprintf("%s\npasta %s\n", n->owner, owner);
    return lease_write(n->lease, text, e);
}
