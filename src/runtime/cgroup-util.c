/*
 * The leaves of the cgroup module, shared by cgroup.c, cgroup-v1.c and
 * cgroup-v2.c: paths, reading and writing control files, making, killing
 * and removing directories, and the names of runs' cgroups. Nothing here
 * knows which kind of hierarchy it works on.
 */
#include "runtime/cgroup-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

/* Control files are small; memory.stat, the largest we might read, is a few KiB. */
#define CGROUP_FILE_MAX (1024 * 1024)

/* Killing and removing poll with this step, for about a second in all. */
#define POLL_STEP_MS 10
#define POLL_ROUNDS (CGROUP_REMOVE_BUDGET_MS / POLL_STEP_MS)

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- the kernel's cgroupfs --------------------------------------------- */

static int kernel_mkdir(const char *path)
{
    return mkdir(path, 0755) < 0 ? -errno : 0;
}

static int kernel_rmdir(const char *path)
{
    return rmdir(path) < 0 ? -errno : 0;
}

static int kernel_read(const char *path, char **out)
{
    size_t len;
    return read_file_max(path, CGROUP_FILE_MAX, out, &len);
}

const struct cgroup_fs cgroup_kernel_fs = {
    .mkdir = kernel_mkdir,
    .rmdir = kernel_rmdir,
    .read = kernel_read,
};

/* ---- small path and list helpers ---------------------------------------- */

char *cgroup_path_join(const char *dir, const char *rel)
{
    while (*rel == '/')
        rel++;
    if (!*rel)
        return xstrdup(dir);
    size_t n = strlen(dir);
    while (n > 0 && dir[n - 1] == '/')
        n--;
    return xasprintf("%.*s/%s", (int)n, dir, rel);
}

bool cgroup_list_has(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " ,\n");
        if (len == n && memcmp(p, word, n) == 0)
            return true;
        p += len;
        p += strspn(p, " ,\n");
    }
    return false;
}

/* ---- leaf readers and writers ------------------------------------------- */

int cgroup_read(const struct cgroup_fs *fs, const char *dir, const char *file, char **out)
{
    _cleanup_free_ char *path = cgroup_path_join(dir, file);
    return fs->read(path, out);
}

bool cgroup_file_exists(const char *dir, const char *file)
{
    _cleanup_free_ char *path = cgroup_path_join(dir, file);
    return access(path, F_OK) == 0;
}

int cgroup_write(const char *dir, const char *file, const char *value, struct congo_error *e)
{
    _cleanup_free_ char *path = cgroup_path_join(dir, file);
    /* No O_CREAT: a misspelt control file fails here, in a test's plain directories too. */
    _cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return error_set(e, errno, "write `%s` to `%s`", value, path);
    /* A cgroup file takes one value per write(2): never split it. */
    size_t len = strlen(value);
    ssize_t w;
    while ((w = write(fd, value, len)) < 0 && errno == EINTR)
        ;
    if (w < 0)
        return error_set(e, errno, "write `%s` to `%s`", value, path);
    if ((size_t)w != len)
        return error_set(e, EIO, "write `%s` to `%s`: short write", value, path);
    return 0;
}

int cgroup_read_keyed(const struct cgroup_fs *fs, const char *dir, const char *file,
                      const char *key, uint64_t *value)
{
    _cleanup_free_ char *text = NULL;
    int r = cgroup_read(fs, dir, file, &text);
    if (r < 0)
        return r;
    size_t n = strlen(key);
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, key, n) == 0 && line[n] == ' ') {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(line + n + 1, &end, 10);
            if (errno || end == line + n + 1)
                return -EINVAL;
            *value = v;
            return 0;
        }
        line = next;
    }
    return -ENOENT;
}

/* ---- the list of limit writes ------------------------------------------- */

void cgroup_writes_add(struct cgroup_writes *w, const char *dir, const char *file, const char *key,
                       const char *absent, const char *fmt, ...)
{
    if (w->n < w->max) {
        struct cgroup_write *o = &w->out[w->n];
        *o = (struct cgroup_write){.dir = dir, .file = file, .key = key, .absent = absent};
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(o->value, sizeof(o->value), fmt, ap);
        va_end(ap);
    }
    w->n++;
}

void cgroup_writes_pids(struct cgroup_writes *w, const char *dir, int64_t pids)
{
    if (pids == LIMIT_UNLIMITED)
        cgroup_writes_add(w, dir, "pids.max", "limits.pids", NULL, "max");
    else
        cgroup_writes_add(w, dir, "pids.max", "limits.pids", NULL, "%lld", (long long)pids);
}

/* ---- making and removing directories ------------------------------------ */

int cgroup_mkdir(const struct cgroup_fs *fs, const char *path, struct congo_error *e)
{
    int err = -fs->mkdir(path);
    if (err) {
        if (err == EACCES || err == EPERM)
            return error_set(e, err, "create cgroup `%s` (are you root?)", path);
        if (err == EROFS)
            return error_set(e, err,
                             "create cgroup `%s` (the cgroup file system is mounted "
                             "read-only here)",
                             path);
        return error_set(e, err, "create cgroup `%s`", path);
    }
    return 0;
}

/* An existing directory is fine here (another run may make the same parent at the same time). */
static int mkdir_if_missing(const struct cgroup_fs *fs, const char *path, struct congo_error *e)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return error_set(e, ENOTDIR, "create cgroup `%s`", path);
        return 0;
    }
    if (cgroup_mkdir(fs, path, e) == 0)
        return 0;
    if (e->err != EEXIST)
        return -1;
    error_clear(e);
    return 0;
}

int cgroup_mkdir_parents(const struct cgroup_fs *fs, const char *root, const char *rel,
                         struct congo_error *e)
{
    _cleanup_free_ char *path = cgroup_path_join(root, rel);
    size_t skip = strlen(root);
    if (strlen(path) <= skip)
        return 0; /* rel is the root itself */
    for (char *p = path + skip + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir_if_missing(fs, path, e);
        *p = '/';
        if (r < 0)
            return -1;
    }
    return mkdir_if_missing(fs, path, e);
}

/* One round: SIGKILL what dir and its sub-cgroups list. Returns how many were listed. */
static int kill_round(const struct cgroup_fs *fs, const char *dir, struct congo_error *e)
{
    _cleanup_free_ char *procs = NULL;
    int r = cgroup_read(fs, dir, "cgroup.procs", &procs);
    if (r == -ENOENT)
        return 0; /* already gone */
    if (r < 0)
        return error_set(e, -r, "read `%s/cgroup.procs`", dir);
    int seen = 0;
    pid_t self = getpid();
    for (char *p = procs; *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        p = end + strspn(end, " \n");
        /*
         * 0 stands for a process outside our pid namespace, which we cannot
         * name; and a mistaken attach must never make the launcher kill itself.
         */
        if (pid <= 0 || pid == self)
            continue;
        seen++;
        if (kill((pid_t)pid, SIGKILL) < 0 && errno != ESRCH)
            return error_set(e, errno, "kill process %ld of cgroup `%s`", pid, dir);
    }
    _cleanup_closedir_ DIR *d = opendir(dir);
    if (!d)
        return seen;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        _cleanup_free_ char *sub = cgroup_path_join(dir, de->d_name);
        int n = kill_round(fs, sub, e);
        if (n < 0)
            return n;
        seen += n;
    }
    return seen;
}

int cgroup_kill_all(const struct cgroup_fs *fs, const char *dir, struct congo_error *e)
{
    for (int round = 0; round < POLL_ROUNDS; round++) {
        int n = kill_round(fs, dir, e);
        if (n <= 0)
            return n;
        /* A process listed may still be exiting, or a child forked before the kill may appear. */
        sleep_ms(POLL_STEP_MS);
    }
    return error_set(e, 0, "cgroup `%s` still has processes after a second of SIGKILL", dir);
}

int cgroup_remove(const struct cgroup_fs *fs, const char *dir, long *budget_ms,
                  struct congo_error *e)
{
    /* A container may have made cgroups of its own below ours: those go first. */
    {
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d && errno == ENOENT)
            return 0;
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                strcmp(de->d_name, "..") == 0)
                continue;
            _cleanup_free_ char *sub = cgroup_path_join(dir, de->d_name);
            if (cgroup_remove(fs, sub, budget_ms, e) < 0)
                return -1;
        }
    }
    for (;;) {
        int r = fs->rmdir(dir);
        if (r == 0 || r == -ENOENT)
            return 0;
        /* EBUSY: killed processes have not all left yet; they do within milliseconds. */
        if (r != -EBUSY || *budget_ms <= 0)
            return error_set(e, -r, "remove cgroup `%s`", dir);
        sleep_ms(POLL_STEP_MS);
        *budget_ms -= POLL_STEP_MS;
    }
}

/* ---- the request's parent and controllers ------------------------------- */

int cgroup_missing_controller(const char *key, const char *controller, struct congo_error *e)
{
    if (!key)
        return error_set(e, 0,
                         "congo needs the %s cgroup controller to find and kill every process "
                         "of a container, and this host does not have it",
                         controller);
    return error_set(e, 0, "%s needs the %s cgroup controller, which this host does not have", key,
                     controller);
}

char *cgroup_parent_rel(const struct cgroup_request *req, const char *own, struct congo_error *e)
{
    const char *s = req->parent ? req->parent : own;
    struct strbuf sb = {0};
    for (const char *c = s; *c;) {
        c += strspn(c, "/");
        size_t len = strcspn(c, "/");
        if (!len)
            break;
        if (len == 2 && c[0] == '.' && c[1] == '.') {
            strbuf_free(&sb);
            error_set(e, 0, "cgroup_parent: `%s` leaves the hierarchy's root", s);
            return NULL;
        }
        if (!(len == 1 && c[0] == '.')) {
            strbuf_putc(&sb, '/');
            strbuf_add(&sb, c, len);
        }
        c += len;
    }
    if (!sb.len)
        strbuf_putc(&sb, '/');
    return strbuf_steal(&sb);
}

/* ---- the names of runs' cgroups ----------------------------------------- */

char *cgroup_name(const struct cgroup_request *req, pid_t launcher, unsigned long long starttime)
{
    /* cgroup_path: exactly the cgroup asked for. */
    if (req->exact)
        return xstrdup(req->exact);
    if (launcher <= 0 || starttime == 0)
        return NULL;
    return xasprintf("congo-%s-%d-%llu", req->name ? req->name : "congo", (int)launcher, starttime);
}

static bool digits_n(const char *s, size_t n)
{
    if (!n || n > 20)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool cgroup_parse_name(const char *name, pid_t *pid, unsigned long long *starttime)
{
    /* NAME may contain '-': read PID and STARTTIME from the end. */
    if (strncmp(name, "congo-", 6) != 0)
        return false;
    const char *body = name + 6;
    const char *last = strrchr(body, '-');
    if (!last || last == body)
        return false;
    const char *prev = last - 1;
    while (prev > body && *prev != '-')
        prev--;
    if (prev == body) /* no NAME before PID */
        return false;
    if (!digits_n(last + 1, strlen(last + 1)) || !digits_n(prev + 1, (size_t)(last - prev - 1)))
        return false;
    char *end;
    errno = 0;
    long long pv = strtoll(prev + 1, &end, 10);
    if (errno || pv <= 0 || pv > INT32_MAX)
        return false;
    unsigned long long st = strtoull(last + 1, &end, 10);
    if (errno || st == 0)
        return false;
    *pid = (pid_t)pv;
    *starttime = st;
    return true;
}