/*
 * The state directory; see state.h.
 *
 * An entry is made as ROOT/ID, then opened and flock'ed: the launcher holds
 * the lock on the directory itself for as long as it lives, and a
 * directory whose lock can be taken has no launcher. state.json is written
 * only once the lock is held, so a cleaner that finds a state.json and a
 * free lock, and the launcher it names dead, may remove the entry. One
 * without a state.json is being made (the launcher is between its mkdir
 * and its flock) or was left by a launcher that died there: it is left
 * alone until it is a minute old. state.json is replaced by rename, so it
 * is read whole or not at all; readers skip an entry without one.
 */
#include "state/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#define STATE_FILE "state.json"
/* Annotations take up to 256 KiB (the profile's limit), escaped as JSON. */
#define STATE_FILE_MAX (2 * 1024 * 1024)
#define DEFAULT_ROOT "/run/congo"

static const char *const status_names[] = {
    [STATE_CREATING] = "creating",
    [STATE_RUNNING] = "running",
    [STATE_CREATED] = "created",
    [STATE_STOPPED] = "stopped",
};

const char *state_status_name(enum state_status s)
{
    return (size_t)s < ARRAY_SIZE(status_names) ? status_names[s] : "unknown";
}

/*
 * Anyone but root keeps its containers where its login session keeps its
 * runtime files, as podman and runc do: $XDG_RUNTIME_DIR/NAME, or
 * /tmp/NAME-UID without one (check_root refuses it if someone else made it
 * first).
 */
static const char *own_root(const char *env, const char *root_default, const char *name,
                            char *buf, size_t size)
{
    const char *dir = getenv(env);
    if (dir && *dir)
        return dir;
    if (geteuid() == 0)
        return root_default;
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && xdg[0] == '/')
        snprintf(buf, size, "%s/%s", xdg, name);
    else
        snprintf(buf, size, "/tmp/%s-%u", name, (unsigned)geteuid());
    return buf;
}

const char *state_root(void)
{
    static char buf[PATH_MAX];
    return own_root("CONGO_STATE_DIR", DEFAULT_ROOT, "congo", buf, sizeof(buf));
}

const char *state_oci_root(void)
{
    static char buf[PATH_MAX];
    return own_root("CONGO_OCI_ROOT", STATE_OCI_ROOT, "congo-oci", buf, sizeof(buf));
}

enum state_status state_status_now(const struct state_entry *s)
{
    if (!s->oci)
        return s->status;
    if (s->pid <= 0)
        return STATE_CREATING;
    unsigned long long start = 0;
    char st = 0;
    if (proc_stat_field("/proc", s->pid, 22, &start, &st) < 0 || start != s->pid_start ||
        st == 'Z' || st == 'X')
        return STATE_STOPPED;
    _cleanup_free_ char *fifo = xasprintf("%s/" STATE_EXEC_FIFO, s->dir);
    return access(fifo, F_OK) == 0 ? STATE_CREATED : STATE_RUNNING;
}

void state_entry_free(struct state_entry *s)
{
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->dir);
    free(s->id);
    free(s->name);
    free(s->profile);
    free(s->bundle);
    strv_free(s->cgroups);
    strv_free(s->annotations);
    memset(s, 0, sizeof(*s));
    s->lock_fd = -1;
}

static void clear(struct state_entry *s)
{
    memset(s, 0, sizeof(*s));
    s->lock_fd = -1;
}

/* ---- files ---- */

/*
 * The root must be ours and written by us alone: an entry tells --exec
 * which process to join and with what profile, and a cleaner removes what
 * is in it. One that someone else could write (a CONGO_STATE_DIR under
 * /tmp, a symlink) is refused rather than trusted.
 */
static int check_root(const char *root, struct congo_error *e)
{
    struct stat st;
    if (lstat(root, &st) < 0)
        return error_set(e, errno, "state directory `%s`", root);
    if (!S_ISDIR(st.st_mode))
        return error_set(e, ENOTDIR, "state directory `%s`%s", root,
                         S_ISLNK(st.st_mode) ? " is a symlink" : "");
    if (st.st_uid != geteuid() || (st.st_mode & 022))
        return error_set(e, 0,
                         "state directory `%s` is owned by uid %u with mode %04o; it must be "
                         "this user's (uid %u) and writable by no one else",
                         root, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
                         (unsigned)geteuid());
    return 0;
}

/* The root, made when missing: 0700, since entries name processes and profiles. */
static int make_root(const char *root, struct congo_error *e)
{
    if (mkdir(root, 0700) == 0 || errno == EEXIST)
        return check_root(root, e);
    if (errno != ENOENT)
        return error_set(e, errno, "make the state directory `%s`", root);
    /* A parent is missing (CONGO_STATE_DIR deep in a fresh tree): make it, then retry. */
    _cleanup_free_ char *parent = xstrdup(root);
    char *slash = strrchr(parent, '/');
    if (!slash || slash == parent)
        return error_set(e, ENOENT, "make the state directory `%s`", root);
    *slash = '\0';
    if (mkdir(parent, 0755) < 0 && errno != EEXIST)
        return error_set(e, errno, "make the state directory `%s`", root);
    if (mkdir(root, 0700) < 0 && errno != EEXIST)
        return error_set(e, errno, "make the state directory `%s`", root);
    return check_root(root, e);
}

/* All of data to fd; -1 with errno set on failure (EIO for a write of nothing). */
static int write_all(int fd, const void *data, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, (const char *)data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Write dir/name atomically: a temporary file in dir, renamed over it. */
static int write_atomic(const char *dir, const char *name, const void *data, size_t len,
                        struct congo_error *e)
{
    _cleanup_free_ char *tmp = xasprintf("%s/.%s.XXXXXX", dir, name);
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return error_set(e, errno, "write `%s`", path);
    int err = write_all(fd, data, len) < 0 ? errno : 0;
    if ((close(fd) < 0 && !err) || (!err && rename(tmp, path) < 0))
        err = errno;
    if (err) {
        unlink(tmp);
        return error_set(e, err, "write `%s`", path);
    }
    return 0;
}

/* Remove a directory of plain files (an entry holds nothing else). */
static void remove_dir(const char *dir)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            unlinkat(dirfd(d), de->d_name, 0);
    rmdir(dir);
}

/* ---- state.json ---- */

/* s, with a `?` for every byte of it that is not UTF-8: JSON text is UTF-8 (a path need not be). */
static char *utf8_or_marks(const char *s)
{
    size_t len = strlen(s);
    struct strbuf sb = {0};
    for (size_t off = 0; off < len;) {
        size_t ok = off + utf8_check(s + off, len - off);
        strbuf_add(&sb, s + off, ok - off);
        if (ok < len)
            strbuf_putc(&sb, '?');
        off = ok + 1;
    }
    return strbuf_steal(&sb);
}

json_t *state_annotations_json(char *const *annotations)
{
    json_t *o = json_object();
    for (size_t i = 0; annotations && annotations[i]; i++) {
        const char *eq = strchr(annotations[i], '=');
        if (!eq)
            continue;
        _cleanup_free_ char *raw = xstrndup(annotations[i], (size_t)(eq - annotations[i]));
        _cleanup_free_ char *key = utf8_or_marks(raw);
        _cleanup_free_ char *value = utf8_or_marks(eq + 1);
        json_object_set_new(o, key, json_string(value));
    }
    return o;
}

static char *to_json(const struct state_entry *s)
{
    json_t *cgroups = json_array();
    for (size_t i = 0; s->cgroups && s->cgroups[i]; i++)
        json_array_append_new(cgroups, json_string(s->cgroups[i]));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:I, s:b, s:I, s:o}", "id",
                          s->id, "name", s->name, "status", state_status_name(s->status),
                          "profile", s->profile, "launcher_pid", (json_int_t)s->launcher,
                          "launcher_start", (json_int_t)s->launcher_start, "pid",
                          (json_int_t)s->pid, "pid_start", (json_int_t)s->pid_start, "cgroups",
                          cgroups, "created", (json_int_t)s->created, "detached", s->detached,
                          "stop_timeout_ms", (json_int_t)s->stop_timeout_ms, "annotations",
                          state_annotations_json(s->annotations));
    if (o && s->no_pivot)
        json_object_set_new(o, "no_pivot", json_true());
    if (o && s->oci) {
        json_object_set_new(o, "oci", json_true());
        json_object_set_new(o, "bundle", json_string(s->bundle ? s->bundle : ""));
    }
    char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    json_decref(o);
    return text;
}

int state_save(const struct state_entry *s, struct congo_error *e)
{
    _cleanup_free_ char *text = to_json(s);
    if (!text)
        return error_set(e, 0, "write the state of container `%s`: not valid JSON text", s->id);
    _cleanup_free_ char *line = xasprintf("%s\n", text);
    return write_atomic(s->dir, STATE_FILE, line, strlen(line), e);
}

int state_save_file(const struct state_entry *s, const char *name, const void *data, size_t len,
                    struct congo_error *e)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", s->dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_set(e, errno, "write `%s`", path);
    int err = write_all(fd, data, len) < 0 ? errno : 0;
    if (close(fd) < 0 && !err)
        err = errno;
    if (err) {
        unlink(path);
        return error_set(e, err, "write `%s`", path);
    }
    return 0;
}

static const char *json_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static long long json_num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* Read ROOT/ID/state.json into s; -1 when it is missing or not congo's. */
static int load(const char *dir, const char *id, struct state_entry *s, struct congo_error *e)
{
    clear(s);
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, STATE_FILE);
    _cleanup_free_ char *text = NULL;
    size_t len;
    int r = read_file_max(path, STATE_FILE_MAX, &text, &len);
    if (r < 0)
        return error_set(e, -r, "read `%s`", path);
    json_error_t jerr;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return error_set(e, 0, "`%s` is not a container's state: %s", path,
                         o ? "not an object" : jerr.text);
    }
    const char *sid = json_str(o, "id"), *name = json_str(o, "name"), *st = json_str(o, "status");
    const char *profile = json_str(o, "profile");
    long long launcher = json_num(o, "launcher_pid"), pid = json_num(o, "pid");
    json_t *cgroups = json_object_get(o, "cgroups");
    if (!sid || strcmp(sid, id) != 0 || !name || !st || !profile || launcher <= 0 ||
        launcher > INT32_MAX || pid < 0 || pid > INT32_MAX || !json_is_array(cgroups)) {
        json_decref(o);
        return error_set(e, 0, "`%s` is not a container's state", path);
    }
    s->dir = xstrdup(dir);
    s->id = xstrdup(sid);
    s->name = xstrdup(name);
    s->profile = xstrdup(profile);
    s->launcher = (pid_t)launcher;
    s->launcher_start = (unsigned long long)json_num(o, "launcher_start");
    s->pid = (pid_t)pid;
    s->pid_start = (unsigned long long)json_num(o, "pid_start");
    s->created = json_num(o, "created");
    s->detached = json_is_true(json_object_get(o, "detached"));
    s->stop_timeout_ms = json_num(o, "stop_timeout_ms");
    s->oci = json_is_true(json_object_get(o, "oci"));
    s->no_pivot = json_is_true(json_object_get(o, "no_pivot"));
    const char *bundle = json_str(o, "bundle");
    s->bundle = bundle ? xstrdup(bundle) : NULL;
    for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
        if (strcmp(st, status_names[i]) == 0)
            s->status = (enum state_status)i;
    size_t i;
    json_t *c;
    json_array_foreach(cgroups, i, c)
    {
        if (json_is_string(c))
            strv_push(&s->cgroups, xstrdup(json_string_value(c)));
    }
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(o, "annotations"), key, v)
    {
        if (json_is_string(v))
            strv_push(&s->annotations, xasprintf("%s=%s", key, json_string_value(v)));
    }
    json_decref(o);
    return 0;
}

/* ---- entries ---- */

bool state_launcher_alive(const struct state_entry *s)
{
    unsigned long long start = 0;
    char st = 0;
    if (proc_stat_field("/proc", s->launcher, 22, &start, &st) < 0)
        return false;
    return start == s->launcher_start && st != 'Z' && st != 'X';
}

static void new_id(char out[STATE_ID_LEN + 1])
{
    unsigned char b[STATE_ID_LEN / 2];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        /* Never short for 6 bytes once the pool is ready; the time will do otherwise. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long long v = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 20);
        memcpy(b, &v, sizeof(b));
    }
    for (size_t i = 0; i < sizeof(b); i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

int state_create(const char *root, const struct state_entry *what, struct state_entry *s,
                 struct congo_error *e)
{
    clear(s);
    if (make_root(root, e) < 0)
        return -1;
    s->name = xstrdup(what->name);
    s->profile = utf8_or_marks(what->profile);
    s->launcher = getpid();
    proc_stat_field("/proc", s->launcher, 22, &s->launcher_start, NULL);
    s->created = (int64_t)time(NULL);
    s->status = STATE_CREATING;
    s->detached = what->detached;
    s->stop_timeout_ms = what->stop_timeout_ms;
    s->annotations = strv_copy(what->annotations);
    s->oci = what->oci;
    s->no_pivot = what->no_pivot;
    s->bundle = what->bundle ? xstrdup(what->bundle) : NULL;
    char id[STATE_ID_LEN + 1];
    for (int tries = 0;; tries++) {
        if (!what->id)
            new_id(id);
        free(s->dir);
        s->dir = xasprintf("%s/%s", root, what->id ? what->id : id);
        if (mkdir(s->dir, 0700) == 0)
            break;
        /* Never into another entry: a new id then, unless the caller chose it. */
        if (errno != EEXIST || tries >= 8 || what->id) {
            int err = errno;
            if (err == EEXIST && what->id)
                error_set(e, err, "a container `%s` exists already", what->id);
            else
                error_set(e, err, "make `%s`", s->dir);
            free(s->dir);
            s->dir = NULL; /* not ours to remove */
            state_entry_free(s);
            return -1;
        }
    }
    s->id = xstrdup(what->id ? what->id : id);
    s->lock_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX) < 0) {
        error_set(e, errno, "lock `%s`", s->dir);
        remove_dir(s->dir);
        state_entry_free(s);
        return -1;
    }
    if (state_save(s, e) < 0) {
        remove_dir(s->dir);
        state_entry_free(s);
        return -1;
    }
    return 0;
}

/*
 * Gone at once, by one rename, then emptied: a removal cut short (the
 * launcher killed half-way) leaves a .dead- directory that the next
 * reader removes, never an entry without its lock that looks alive.
 */
void state_remove(struct state_entry *s)
{
    if (s->dir) {
        _cleanup_free_ char *root = xstrdup(s->dir);
        char *slash = strrchr(root, '/');
        if (slash)
            *slash = '\0';
        _cleanup_free_ char *dead = xasprintf("%s/.dead-%s", root, s->id ? s->id : "x");
        remove_dir(rename(s->dir, dead) == 0 ? dead : s->dir);
    }
    state_entry_free(s);
}

/*
 * An entry whose launcher is gone (s, when it has a state.json), or one
 * left half-made: removed under its lock, so two cleaners never race and a
 * live launcher's entry is never touched. Returns true when it is gone.
 */
static bool collect_if_stale(const char *dir, const struct state_entry *s)
{
    _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        return false; /* its launcher holds it */
    if (s && state_launcher_alive(s))
        return false; /* alive, and gave up its lock: not ours to remove */
    remove_dir(dir);
    return true;
}

/*
 * An entry without a state.json: one being made, or one whose launcher
 * died between its mkdir and its state.json. A free lock alone does not
 * tell the two apart (the lock is taken just after the mkdir), but an
 * entry is made in well under a second: one a minute old is not being
 * made.
 */
static bool half_made_and_old(const char *dir)
{
    struct stat st;
    return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && time(NULL) - st.st_mtime > 60;
}

static int by_created(const void *a, const void *b)
{
    const struct state_entry *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return strcmp(x->id, y->id);
}

int state_list(const char *root, struct state_entry **out, size_t *n_out, struct congo_error *e)
{
    *out = NULL;
    *n_out = 0;
    _cleanup_closedir_ DIR *d = opendir(root);
    if (!d)
        return errno == ENOENT ? 0 : error_set(e, errno, "read the state directory `%s`", root);
    if (check_root(root, e) < 0)
        return -1;
    struct state_entry *v = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        _cleanup_free_ char *dir = xasprintf("%s/%s", root, de->d_name);
        if (de->d_name[0] == '.') {
            if (strncmp(de->d_name, ".dead-", 6) == 0)
                remove_dir(dir);
            continue;
        }
        struct state_entry s;
        struct congo_error ignored = {0};
        if (load(dir, de->d_name, &s, &ignored) < 0) {
            error_clear(&ignored);
            if (half_made_and_old(dir))
                collect_if_stale(dir, NULL);
            continue;
        }
        /* An OCI container's entry waits for its engine's delete, launcher or not. */
        if (!s.oci && !state_launcher_alive(&s) && collect_if_stale(dir, &s)) {
            state_entry_free(&s);
            continue;
        }
        v = xrealloc(v, (n + 1) * sizeof(*v));
        v[n++] = s;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), by_created);
    *out = v;
    *n_out = n;
    return 0;
}

void state_list_free(struct state_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        state_entry_free(&v[i]);
    free(v);
}

int state_get(const char *root, const char *id, struct state_entry *s, struct congo_error *e)
{
    clear(s);
    struct stat st;
    if (lstat(root, &st) == 0 && check_root(root, e) < 0)
        return -1;
    _cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
    if (load(dir, id, s, e) < 0)
        return -1;
    return 0;
}

/* A whole id: its entry is read directly, without the whole directory. */
static int find_id(const char *root, const char *id, struct state_entry *out)
{
    if (strlen(id) != STATE_ID_LEN || strspn(id, "0123456789abcdef") != STATE_ID_LEN)
        return -1;
    _cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
    struct congo_error ignored = {0};
    if (load(dir, id, out, &ignored) < 0) {
        error_clear(&ignored);
        return -1;
    }
    if (!out->oci && !state_launcher_alive(out)) {
        collect_if_stale(dir, out);
        state_entry_free(out);
        return -1;
    }
    return 0;
}

int state_find(const char *root, const char *ref, struct state_entry *out, struct congo_error *e)
{
    clear(out);
    struct stat st;
    if (lstat(root, &st) == 0 && check_root(root, e) < 0)
        return -1;
    if (find_id(root, ref, out) == 0)
        return 0;
    struct state_entry *v;
    size_t n;
    if (state_list(root, &v, &n, e) < 0)
        return -1;
    size_t ref_len = strlen(ref);
    ssize_t exact = -1;
    size_t *match = xcalloc(n + 1, sizeof(*match));
    size_t n_match = 0;
    for (size_t i = 0; i < n && exact < 0; i++)
        if (strcmp(v[i].id, ref) == 0)
            exact = (ssize_t)i;
    for (size_t i = 0; i < n && exact < 0; i++)
        if (strcmp(v[i].name, ref) == 0 ||
            (ref_len >= 3 && strncmp(v[i].id, ref, ref_len) == 0))
            match[n_match++] = i;
    int r = 0;
    if (exact < 0 && n_match == 1)
        exact = (ssize_t)match[0];
    if (exact >= 0) {
        *out = v[exact];
        clear(&v[exact]);
    } else if (n_match == 0) {
        r = error_set(e, 0, "no container `%s` is running (congo-launch --list shows those that are)",
                      ref);
    } else {
        struct strbuf sb = {0};
        strbuf_printf(&sb, "`%s` names %zu containers; give one's id:", ref, n_match);
        for (size_t i = 0; i < n_match; i++)
            strbuf_printf(&sb, "\n  %s  %s  pid %d  %s", v[match[i]].id, v[match[i]].name,
                          (int)v[match[i]].pid, v[match[i]].profile);
        error_set(e, 0, "%s", sb.buf);
        strbuf_free(&sb);
        r = -2;
    }
    free(match);
    state_list_free(v, n);
    return r;
}
