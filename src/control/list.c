/*
 * --list and --stats: what runs, and what it uses, read from the state
 * directory and from each container's cgroup (v1 or v2: whichever files
 * its directories hold).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/control-internal.h"
#include "control/control.h"
#include "util/util.h"

/* What a container uses now; -1 where its cgroup does not say. */
struct usage {
    int64_t memory, memory_peak, memory_max;
    int64_t pids, pids_max;
    int64_t cpu_us;
};

/* A number from dir/file: the first word, or the value of key in a keyed file. */
static int64_t read_num(const char *dir, const char *file, const char *key)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        return -1;
    /* One read: a control file holds a line or a few (cpu.stat); --list opens hundreds. */
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    char text[1024];
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    const char *p = text;
    if (key) {
        size_t len = strlen(key);
        for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
            if (strncmp(p, key, len) == 0 && p[len] == ' ')
                break;
        if (!p || !*p)
            return -1;
        p += len + 1;
    }
    if (strncmp(p, "max", 3) == 0)
        return INT64_MAX;
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (errno || end == p)
        return -1;
    /* v1 says "no limit" with the largest page-aligned number it can hold. */
    return v >= (1LL << 62) ? INT64_MAX : v;
}

/*
 * CPU time without a cpuacct cgroup (v1, when the run limits no CPU): every
 * process in the cgroup, with what the children it reaped used. A process
 * that ended was reaped by one still there (the container's init at last),
 * so nothing is counted twice or lost. Microseconds, or -1.
 */
static int64_t cpu_of_processes(const char *dir)
{
    _cleanup_free_ char *path = xasprintf("%s/cgroup.procs", dir);
    _cleanup_free_ char *procs = NULL;
    size_t len;
    if (read_file_max(path, 1 << 20, &procs, &len) < 0)
        return -1;
    long tick = sysconf(_SC_CLK_TCK);
    unsigned long long ticks = 0;
    for (char *p = procs; *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        p = end + strspn(end, "\n");
        /* utime, stime, cutime, cstime: fields 14 to 17 of its stat. */
        for (int f = 14; f <= 17; f++) {
            unsigned long long v;
            if (proc_stat_field("/proc", (pid_t)pid, f, &v, NULL) == 0)
                ticks += v;
        }
    }
    return tick > 0 ? (int64_t)(ticks * 1000000ULL / (unsigned long long)tick) : -1;
}

/*
 * What the container's cgroup says; all: everything --stats shows, else
 * only what --list does (memory and pids), with as few files opened as may
 * be: --list reads this for every container.
 */
static void usage_of(char *const *cgroups, bool all, struct usage *u)
{
    *u = (struct usage){-1, -1, -1, -1, -1, -1};
    if (!cgroups || !cgroups[0])
        return;
    /* v2: one directory holds everything. */
    u->memory = read_num(cgroups[0], "memory.current", NULL);
    if (u->memory >= 0 || !cgroups[1]) {
        u->pids = read_num(cgroups[0], "pids.current", NULL);
        if (all) {
            u->memory_peak = read_num(cgroups[0], "memory.peak", NULL);
            u->memory_max = read_num(cgroups[0], "memory.max", NULL);
            u->cpu_us = read_num(cgroups[0], "cpu.stat", "usage_usec");
            u->pids_max = read_num(cgroups[0], "pids.max", NULL);
        }
        if (u->memory >= 0)
            return;
    }
    /* v1: a directory per hierarchy, each with its own controller's files. */
    for (size_t i = 0; cgroups[i]; i++) {
        const char *d = cgroups[i];
        if (u->pids < 0 && (u->pids = read_num(d, "pids.current", NULL)) >= 0) {
            if (all)
                u->pids_max = read_num(d, "pids.max", NULL);
            continue;
        }
        if (u->memory < 0 && (u->memory = read_num(d, "memory.usage_in_bytes", NULL)) >= 0) {
            if (all) {
                u->memory_peak = read_num(d, "memory.max_usage_in_bytes", NULL);
                u->memory_max = read_num(d, "memory.limit_in_bytes", NULL);
            }
            continue;
        }
        if (all && u->cpu_us < 0) {
            int64_t ns = read_num(d, "cpuacct.usage", NULL);
            if (ns >= 0)
                u->cpu_us = ns / 1000;
        }
    }
    if (all && u->cpu_us < 0)
        u->cpu_us = cpu_of_processes(cgroups[0]);
}

static char *human_bytes(int64_t v)
{
    if (v < 0)
        return xstrdup("-");
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double d = (double)v;
    size_t u = 0;
    while (d >= 1024 && u + 1 < ARRAY_SIZE(units)) {
        d /= 1024;
        u++;
    }
    return u == 0 ? xasprintf("%lldB", (long long)v) : xasprintf("%.1f%s", d, units[u]);
}

static char *human_duration(int64_t s)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        return xasprintf("%llds", (long long)s);
    if (s < 3600)
        return xasprintf("%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    if (s < 86400)
        return xasprintf("%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    return xasprintf("%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

static char *rfc3339(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[64];
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return xstrdup(buf);
}

static json_t *json_num_or_null(int64_t v)
{
    return v < 0 || v == INT64_MAX ? json_null() : json_integer((json_int_t)v);
}

static json_t *entry_json(const struct state_entry *s, const struct usage *u, int64_t now)
{
    _cleanup_free_ char *created = rfc3339(s->created);
    json_t *o = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:b, s:o}", "id", s->id, "name", s->name,
        "pid", (json_int_t)s->pid, "status", state_status_name(state_status_now(s)), "created",
        created, "profile", s->profile, "uptime", (json_int_t)(now - s->created), "memory",
        json_num_or_null(u->memory), "pids", json_num_or_null(u->pids), "detached", s->detached,
        "annotations", state_annotations_json(s->annotations));
    /* An engine's container, through congo-oci: its bundle says where it came from. */
    if (o && s->oci) {
        json_object_set_new(o, "oci", json_true());
        json_object_set_new(o, "bundle", json_string(s->bundle ? s->bundle : ""));
    }
    return o;
}

static int print_json(json_t *v)
{
    char *text = json_dumps(v, JSON_INDENT(2));
    json_decref(v);
    if (!text)
        return 1;
    puts(text);
    free(text);
    return 0;
}

int control_list(bool json)
{
    struct state_entry *v, *ov;
    size_t n, on;
    struct congo_error e = {0};
    if (state_list(state_root(), &v, &n, &e) < 0) {
        fprintf(stderr, "congo-launch: %s\n", e.msg);
        error_clear(&e);
        return CONTROL_NOT_FOUND;
    }
    /* And the engines' containers, congo-oci's. */
    if (state_list(state_oci_root(), &ov, &on, &e) < 0) {
        fprintf(stderr, "congo-launch: %s\n", e.msg);
        error_clear(&e);
        state_list_free(v, n);
        return CONTROL_NOT_FOUND;
    }
    if (on) {
        v = xrealloc(v, (n + on) * sizeof(*v));
        memcpy(v + n, ov, on * sizeof(*v));
        n += on;
    }
    free(ov);
    int64_t now = (int64_t)time(NULL);
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        printf("%-12s  %-16s %8s  %-8s %8s %10s %6s  %s\n", "ID", "NAME", "PID", "STATUS",
               "UPTIME", "MEMORY", "PIDS", "PROFILE");
    for (size_t i = 0; i < n; i++) {
        struct usage u;
        usage_of(v[i].cgroups, false, &u);
        if (json) {
            json_array_append_new(arr, entry_json(&v[i], &u, now));
            continue;
        }
        _cleanup_free_ char *up = human_duration(now - v[i].created);
        _cleanup_free_ char *mem = human_bytes(u.memory);
        _cleanup_free_ char *pids = u.pids < 0 ? xstrdup("-") : xasprintf("%lld", (long long)u.pids);
        printf("%-12s  %-16s %8d  %-8s %8s %10s %6s  %s\n", v[i].id, v[i].name, (int)v[i].pid,
               state_status_name(state_status_now(&v[i])), up, mem, pids, v[i].profile);
    }
    state_list_free(v, n);
    return json ? print_json(arr) : 0;
}

int control_find(const char *ref, struct state_entry *s, bool oci_too)
{
    struct congo_error e = {0};
    if (state_find(state_root(), ref, s, &e) == 0)
        return 0;
    struct congo_error oe = {0};
    if (state_find(state_oci_root(), ref, s, &oe) == 0) {
        error_clear(&e);
        if (oci_too)
            return 0;
        fprintf(stderr,
                "congo-launch: container `%s` runs under an OCI engine (congo-oci): stop it and "
                "read its output through that engine (podman stop, podman logs)\n",
                s->id);
        state_entry_free(s);
        return CONTROL_NOT_FOUND;
    }
    error_clear(&oe);
    fprintf(stderr, "congo-launch: %s\n", e.msg);
    error_clear(&e);
    return CONTROL_NOT_FOUND;
}

int control_stats(const char *ref, bool json)
{
    struct state_entry s;
    int r = control_find(ref, &s, true);
    if (r)
        return r;
    struct usage u;
    usage_of(s.cgroups, true, &u);
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", s.id, "name",
                              s.name, "memory", json_num_or_null(u.memory), "memory_peak",
                              json_num_or_null(u.memory_peak), "memory_limit",
                              json_num_or_null(u.memory_max), "cpu_usec",
                              json_num_or_null(u.cpu_us), "pids", json_num_or_null(u.pids),
                              "pids_limit", json_num_or_null(u.pids_max));
        state_entry_free(&s);
        return print_json(o);
    }
    _cleanup_free_ char *mem = human_bytes(u.memory);
    _cleanup_free_ char *peak = human_bytes(u.memory_peak);
    _cleanup_free_ char *limit =
        u.memory_max == INT64_MAX ? xstrdup("unlimited") : human_bytes(u.memory_max);
    printf("id:      %s\nname:    %s\n", s.id, s.name);
    printf("memory:  %s (peak %s, limit %s)\n", mem, peak, limit);
    if (u.cpu_us >= 0)
        printf("cpu:     %lld.%06llds\n", (long long)(u.cpu_us / 1000000),
               (long long)(u.cpu_us % 1000000));
    else
        printf("cpu:     -\n");
    if (u.pids < 0)
        printf("pids:    - (no cgroup)\n");
    else if (u.pids_max == INT64_MAX || u.pids_max < 0)
        printf("pids:    %lld (limit unlimited)\n", (long long)u.pids);
    else
        printf("pids:    %lld (limit %lld)\n", (long long)u.pids, (long long)u.pids_max);
    state_entry_free(&s);
    return 0;
}
