/*
 * congo-oci's commands; see runtime.h. Each command is a function of the
 * parsed command line that returns the exit status: 0, or 1 with the
 * reason on stderr and in --log (where podman and containerd look for it),
 * as runc does.
 */
#include "oci/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control/control.h"
#include "oci/cli.h"
#include "oci/oci-internal.h"
#include "plan/plan.h"
#include "profile/profile.h"
#include "profile/stack.h"
#include "runtime/cgroup.h"
#include "runtime/hooks.h"
#include "runtime/runtime.h"
#include "state/state.h"
#include "util/names.h"
#include "util/util.h"

/* ---- errors: stderr, and the --log file the engine reads ---- */

static const struct oci_args *log_to;

static void log_line(const char *level, const char *msg)
{
    if (!log_to || !log_to->log)
        return;
    FILE *f = fopen(log_to->log, "ae");
    if (!f)
        return;
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    if (log_to->log_json) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (text)
            fprintf(f, "%s\n", text);
        free(text);
        json_decref(o);
    } else {
        fprintf(f, "time=\"%s\" level=%s msg=\"", when, level);
        for (const char *c = msg; *c; c++) {
            if (*c == '\n')
                fputs("\\n", f);
            else if (*c == '"' || *c == '\\')
                fprintf(f, "\\%c", *c);
            else
                fputc(*c, f);
        }
        fputs("\"\n", f);
    }
    fclose(f);
}

int oci_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "congo-oci: %s\n", msg);
    log_line("error", msg);
    return 1;
}

/*
 * How many fds after stdio go to the command: --preserve-fds, plus
 * $LISTEN_FDS (systemd's socket activation) as runc counts them. Each must
 * be open: a gap would hand the container whatever congo-oci opens there.
 * -1 with the error said.
 */
int oci_passed_fds(const struct oci_args *a)
{
    long n = a->preserve_fds;
    const char *listen = getenv("LISTEN_FDS");
    if (listen && *listen) {
        char *end;
        long l = strtol(listen, &end, 10);
        if (*end || l < 0 || l > 65536) {
            oci_fail("LISTEN_FDS=%s is not a number of fds", listen);
            return -1;
        }
        n += l;
    }
    if (n < 0 || n > 65536) {
        oci_fail("--preserve-fds %d is not a number of fds", a->preserve_fds);
        return -1;
    }
    for (int fd = 3; fd < 3 + (int)n; fd++)
        if (fcntl(fd, F_GETFD) < 0) {
            oci_fail("--preserve-fds %d%s: fd %d is not open", a->preserve_fds,
                     listen && *listen ? " and LISTEN_FDS" : "", fd);
            return -1;
        }
    return (int)n;
}

void oci_warn(const char *msg)
{
    fprintf(stderr, "congo-oci: warning: %s\n", msg);
    log_line("warning", msg);
}

/* A profile's diagnostics, as the user reads them, to stderr and the log. */
int oci_fail_diags(const struct diags *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        diags_print(d, f);
        fclose(f);
    }
    fputs(text ? text : "", stderr);
    if (text && len && text[len - 1] == '\n')
        text[len - 1] = '\0';
    log_line("error", text ? text : "invalid config.json");
    free(text);
    return 1;
}

/* ---- the state directory ---- */

const char *oci_root_of(const struct oci_args *a)
{
    return a->root ? a->root : state_oci_root();
}

/* The container's status, from its process and its exec fifo. */
enum state_status oci_status_of(const struct state_entry *s)
{
    return state_status_now(s);
}

/* The entry of a->id, or 1 with "does not exist" (the words engines look for). */
int oci_find(const struct oci_args *a, struct state_entry *s)
{
    struct congo_error e = {0};
    if (state_get(oci_root_of(a), a->id, s, &e) == 0 && s->oci)
        return 0;
    if (s->dir)
        state_entry_free(s);
    int r = e.err == ENOENT || !e.msg ? oci_fail("container `%s` does not exist", a->id)
                                      : oci_fail("container `%s`: %s", a->id, e.msg);
    error_clear(&e);
    return r;
}

/* A file written whole or not at all: the pid file an engine reads as soon as it exists. */
int oci_write_pid_file(const char *path, pid_t pid)
{
    _cleanup_free_ char *tmp = xasprintf("%s.congo-XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
    errno = 0;
    bool ok = write(fd, buf, (size_t)n) == n;
    if (!ok && errno == 0)
        errno = EIO; /* a short write */
    int werr = errno;
    if (close(fd) < 0 || !ok || rename(tmp, path) < 0) {
        int err = !ok ? werr : errno ? errno : EIO;
        unlink(tmp);
        errno = err;
        return -1;
    }
    return 0;
}

/* The terminal's master to the engine's console socket: one SCM_RIGHTS message, as runc sends. */
int oci_send_console(const char *socket_path, int master)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, socket_path);
    _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return -1;
    char name[] = "/dev/ptmx";
    struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
    char control[CMSG_SPACE(sizeof(int))] = {0};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                         .msg_controllen = sizeof(control)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &master, sizeof(int));
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* ---- the bundle ---- */

struct bundle {
    char *dir;    /* absolute */
    char *config; /* dir/config.json */
    struct profile p;
    struct run_plan plan;
    bool have_plan;
    bool terminal;    /* process.terminal */
    json_t *json;     /* the config as it stands: root.path and annotations for `state` */
};

static void bundle_free(struct bundle *b)
{
    free(b->dir);
    free(b->config);
    profile_free(&b->p);
    if (b->have_plan)
        plan_free(&b->plan);
    json_decref(b->json);
    memset(b, 0, sizeof(*b));
}

/* The bundle's config.json as a profile and a plan; 0, or 1 with the reasons printed. */
static int bundle_load(const char *dir, struct bundle *b)
{
    memset(b, 0, sizeof(*b));
    profile_init(&b->p);
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return oci_fail("bundle `%s`: %s", dir, strerror(errno));
    b->dir = xstrdup(real);
    b->config = xasprintf("%s/config.json", real);
    struct diags d = {0};
    struct stack_opts so = {.profile = b->config};
    if (profile_load(&b->p, &so, &d) < 0 || plan_build(&b->p, &b->plan, &d) < 0) {
        int r = oci_fail_diags(&d);
        diags_free(&d);
        return r;
    }
    b->have_plan = true;
    diags_free(&d);
    json_error_t jerr;
    b->json = json_load_file(b->config, JSON_REJECT_DUPLICATES, &jerr);
    json_t *terminal = json_object_get(json_object_get(b->json, "process"), "terminal");
    b->terminal = json_is_true(terminal);
    return 0;
}

/* ---- create, start, run ---- */

/* A created container's poststart and poststop programs, which `start` and `delete` run. */
#define HOOKS_FILE "hooks.json"

/*
 * The container's poststart or poststop programs, saved by `create`: each
 * one run, a failure a warning (the runtime-spec's rule for both).
 */
static void run_saved_hooks(const struct state_entry *s, enum hook_stage stage)
{
    _cleanup_free_ char *path = xasprintf("%s/" HOOKS_FILE, s->dir);
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max(path, 1 << 20, &text, &len) < 0)
        return; /* none saved: the bundle has none */
    struct run_plan plan = {0};
    if (hooks_load(text, &plan) < 0) {
        _cleanup_free_ char *msg = xasprintf("%s: not as `create` wrote it; no %s hook ran", path,
                                             hook_stage_oci_names[stage]);
        oci_warn(msg);
    } else if (plan.n_hooks[stage]) {
        struct hook_state hs = {
            .id = s->id, .bundle = s->bundle, .annotations = s->annotations, .pid = s->pid};
        _cleanup_free_ char *state = hook_state_json(&hs, stage);
        struct congo_error w = {0};
        hooks_run_warn(&plan, stage, state, -1, &w);
        if (w.msg)
            oci_warn(w.msg);
        error_clear(&w);
    }
    plan_free(&plan);
}

/* The container's entry under its id: 0, or 1 (an entry of that id exists already, say). */
static int make_entry(const struct oci_args *a, const struct bundle *b, struct state_entry *s)
{
    struct state_entry what = {.id = (char *)a->id, .name = b->plan.name, .profile = b->config,
                               .oci = true, .bundle = b->dir, .annotations = b->plan.annotations,
                               .stop_timeout_ms = b->plan.stop_timeout_ms,
                               .no_pivot = a->no_pivot};
    struct congo_error e = {0};
    if (state_create(oci_root_of(a), &what, s, &e) == 0)
        return 0;
    int r = oci_fail("%s", e.msg);
    error_clear(&e);
    return r;
}

struct created {
    struct state_entry *entry;
    const struct bundle *b;
    const char *pid_file; /* run in the foreground: its --pid-file, written once created */
};

static int on_created(void *arg, pid_t pid, char *const *cgroups, struct congo_error *e)
{
    struct created *c = arg;
    if (control_record(c->entry, &c->b->p, &c->b->plan, pid, cgroups, e) < 0)
        return -1;
    if (c->pid_file && oci_write_pid_file(c->pid_file, pid) < 0)
        return error_set(e, errno, "--pid-file `%s`", c->pid_file);
    return 0;
}

static void on_started(void *arg)
{
    struct created *c = arg;
    c->entry->status = STATE_RUNNING;
    struct congo_error ignored = {0};
    state_save(c->entry, &ignored);
    error_clear(&ignored);
}

static int cmd_create(const struct oci_args *a)
{
    struct congo_error e = {0};
    int passed = oci_passed_fds(a);
    if (passed < 0)
        return 1;
    struct bundle b;
    if (bundle_load(a->bundle ? a->bundle : ".", &b) != 0) {
        bundle_free(&b);
        return 1;
    }
    /* A caller other than root runs a bundle only with a user namespace (runc spec --rootless). */
    if (runtime_check_plan_caller(&b.plan, &e) < 0) {
        int r = oci_fail("%s", e.msg);
        error_clear(&e);
        bundle_free(&b);
        return r;
    }
    if (b.terminal && !a->console_socket) {
        bundle_free(&b);
        return oci_fail("process.terminal is true: a created container's terminal goes to "
                    "--console-socket, and none was given");
    }
    /*
     * The launcher's pid and start time name a run's cgroup, so that a dead
     * launcher's is collected by the next run. A created container outlives
     * its launcher by design: without a cgroupsPath it gets one named after
     * its id, below the launcher's own cgroup, which no run takes for stale.
     */
    if (!b.plan.cgroup.exact)
        b.plan.cgroup.exact = xasprintf("oci-%s", a->id);
    struct state_entry s;
    if (make_entry(a, &b, &s) != 0) {
        bundle_free(&b);
        return 1;
    }
    _cleanup_free_ char *fifo = xasprintf("%s/" STATE_EXEC_FIFO, s.dir);
    /*
     * Held open for reading and writing by the container, so that the
     * writer `start` opens never blocks and the container's read waits for
     * its byte.
     */
    _cleanup_close_ int start_fd = -1;
    _cleanup_close_ int started_fd = -1;
    _cleanup_free_ char *started = xasprintf("%s/" STATE_STARTED_FIFO, s.dir);
    if (mkfifo(fifo, 0600) < 0 || (start_fd = open(fifo, O_RDWR | O_CLOEXEC)) < 0 ||
        mkfifo(started, 0600) < 0 || (started_fd = open(started, O_RDWR | O_CLOEXEC)) < 0) {
        int r = oci_fail("%s: %s", fifo, strerror(errno));
        state_remove(&s);
        bundle_free(&b);
        return r;
    }
    struct created c = {.entry = &s, .b = &b};
    const struct run_events events = {.created = on_created, .arg = &c};
    const struct run_create rc = {
        .start_fd = start_fd, .started_fd = started_fd, .terminal = b.terminal};
    const struct run_opts ro = {.verbose = a->debug ? stderr : NULL,
                                .events = &events,
                                .create = &rc,
                                .preserve_fds = passed,
                                .no_pivot = a->no_pivot,
                                .id = a->id,
                                .bundle = b.dir};
    struct run_result rr;
    runtime_run(&b.plan, &ro, &rr);
    int r = 0;
    if (rr.pid <= 0) {
        r = oci_fail("%s", rr.error.msg ? rr.error.msg : "the container could not be created");
        /* What the failed create's poststop hooks said. */
        if (rr.warning.msg)
            oci_warn(rr.warning.msg);
    } else {
        s.status = STATE_CREATED;
        _cleanup_free_ char *hooks = hooks_save(&b.plan);
        if (hooks && state_save_file(&s, HOOKS_FILE, hooks, strlen(hooks), &e) < 0)
            r = oci_fail("%s", e.msg);
        else if (state_save(&s, &e) < 0)
            r = oci_fail("%s", e.msg);
        else if (a->pid_file && oci_write_pid_file(a->pid_file, rr.pid) < 0)
            r = oci_fail("--pid-file `%s`: %s", a->pid_file, strerror(errno));
        else if (rr.pty_master >= 0 && oci_send_console(a->console_socket, rr.pty_master) < 0)
            r = oci_fail("--console-socket `%s`: %s", a->console_socket, strerror(errno));
        if (r) {
            kill(rr.pid, SIGKILL);
            /* What prestart, createRuntime and createContainer set up is poststop's to undo. */
            struct hook_state hs = {.id = a->id, .bundle = b.dir, .annotations = b.plan.annotations,
                                    .pid = rr.pid};
            _cleanup_free_ char *state = hook_state_json(&hs, HOOK_POSTSTOP);
            struct congo_error w = {0};
            hooks_run_warn(&b.plan, HOOK_POSTSTOP, state, -1, &w);
            if (w.msg)
                oci_warn(w.msg);
            error_clear(&w);
            struct cgroup_host host = {0};
            static const struct cgroup_sources real = {.mountinfo = "/proc/self/mountinfo",
                                                       .self_cgroup = "/proc/self/cgroup",
                                                       .proc = "/proc"};
            if (cgroup_detect(&host, &real, &e) == 0)
                cgroup_destroy_dirs(&host, s.cgroups, &e);
            cgroup_host_free(&host);
            error_clear(&e);
        }
    }
    run_result_free(&rr);
    error_clear(&e);
    if (r)
        state_remove(&s);
    else
        state_entry_free(&s);
    bundle_free(&b);
    return r;
}

static int cmd_start(const struct oci_args *a)
{
    struct state_entry s;
    if (oci_find(a, &s))
        return 1;
    enum state_status st = oci_status_of(&s);
    int r = 0;
    if (st != STATE_CREATED) {
        r = oci_fail("cannot start container `%s`: it is %s, not created", a->id,
                 state_status_name(st));
    } else {
        _cleanup_free_ char *fifo = xasprintf("%s/" STATE_EXEC_FIFO, s.dir);
        _cleanup_free_ char *started = xasprintf("%s/" STATE_STARTED_FIFO, s.dir);
        /* Open before the release, so that the byte the container writes stays in it. */
        _cleanup_close_ int said = open(started, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        _cleanup_close_ int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        /* Gone at once: a second `start` finds nothing to write to. */
        if (fd >= 0)
            unlink(fifo);
        char k = 0;
        if (said < 0 || fd < 0 || write(fd, "0", 1) != 1) {
            r = oci_fail("cannot start container `%s`: %s", a->id, strerror(errno));
        } else {
            /*
             * The container holds the exec fifo until its start_container
             * hooks have run and it execs, or it fails: then no reader is
             * left, and poll says POLLERR. It wrote its byte before, if
             * its hooks succeeded. poststart comes after.
             */
            struct pollfd pfd = {.fd = fd, .events = 0};
            while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
                ;
            if (read(said, &k, 1) != 1)
                r = oci_fail("cannot start container `%s`: it failed before its command (its "
                             "start_container hooks, whose words are on its stderr)",
                             a->id);
        }
        unlink(started);
        if (r == 0) {
            s.status = STATE_RUNNING;
            struct congo_error ignored = {0};
            state_save(&s, &ignored);
            error_clear(&ignored);
            run_saved_hooks(&s, HOOK_POSTSTART);
        }
    }
    state_entry_free(&s);
    return r;
}

/* A foreground run: congo-launch's own, with an entry under the OCI id, deleted at the end. */
static int run_foreground(const struct oci_args *a)
{
    int passed = oci_passed_fds(a);
    if (passed < 0)
        return 1;
    struct bundle b;
    if (bundle_load(a->bundle ? a->bundle : ".", &b) != 0) {
        bundle_free(&b);
        return 1;
    }
    struct state_entry s;
    if (make_entry(a, &b, &s) != 0) {
        bundle_free(&b);
        return 1;
    }
    struct created c = {.entry = &s, .b = &b, .pid_file = a->pid_file};
    const struct run_events events = {.created = on_created, .started = on_started, .arg = &c};
    const struct run_opts ro = {.verbose = a->debug ? stderr : NULL,
                                .events = &events,
                                .preserve_fds = passed,
                                .no_pivot = a->no_pivot,
                                .id = a->id,
                                .bundle = b.dir};
    struct run_result rr;
    runtime_run(&b.plan, &ro, &rr);
    int status = rr.status;
    /* congo-oci's own failure is 1, as runc's; 126 and 127 say the command could not run. */
    if (rr.error.msg) {
        oci_fail("%s", rr.error.msg);
        if (status == STATUS_LAUNCHER)
            status = 1;
    }
    if (rr.warning.msg)
        oci_warn(rr.warning.msg);
    run_result_free(&rr);
    state_remove(&s);
    bundle_free(&b);
    return status;
}

static int cmd_run(const struct oci_args *a)
{
    if (!a->detach && a->console_socket)
        return oci_fail("run: --console-socket without --detach is not supported: congo-oci "
                        "relays the terminal itself when it waits for the command");
    if (!a->detach)
        return run_foreground(a);
    int r = cmd_create(a);
    return r ? r : cmd_start(a);
}

/* ---- state, list, ps ---- */

static json_t *state_json(const struct state_entry *s)
{
    enum state_status st = oci_status_of(s);
    char created[32];
    time_t t = (time_t)s->created;
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    /* The config as it stands in the bundle: its root and annotations. */
    _cleanup_free_ char *config = xasprintf("%s/config.json", s->bundle ? s->bundle : "");
    json_error_t jerr;
    json_t *c = json_load_file(config, 0, &jerr);
    const char *root = json_string_value(json_object_get(json_object_get(c, "root"), "path"));
    _cleanup_free_ char *rootfs = !root            ? xstrdup("")
                                  : root[0] == '/' ? xstrdup(root)
                                                   : xasprintf("%s/%s", s->bundle, root);
    json_t *ann = json_object_get(c, "annotations");
    json_t *annotations = json_is_object(ann) ? json_incref(ann) : json_object();
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o}", "ociVersion",
                          SPEC_VERSION, "id", s->id, "status", state_status_name(st), "pid",
                          (json_int_t)(st == STATE_STOPPED ? 0 : s->pid), "bundle",
                          s->bundle ? s->bundle : "", "rootfs", rootfs, "created", created,
                          "owner", "", "annotations", annotations);
    json_decref(c);
    return o;
}

int oci_print_json(json_t *o)
{
    char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    json_decref(o);
    if (!text)
        return oci_fail("the state is not valid JSON text");
    printf("%s\n", text);
    free(text);
    return 0;
}

static int cmd_state(const struct oci_args *a)
{
    struct state_entry s;
    if (oci_find(a, &s))
        return 1;
    int r = oci_print_json(state_json(&s));
    state_entry_free(&s);
    return r;
}

static int cmd_list(const struct oci_args *a)
{
    struct state_entry *v;
    size_t n;
    struct congo_error e = {0};
    if (state_list(oci_root_of(a), &v, &n, &e) < 0) {
        int r = oci_fail("%s", e.msg);
        error_clear(&e);
        return r;
    }
    bool json = a->format && strcmp(a->format, "json") == 0;
    json_t *arr = json_array();
    if (!json && !a->quiet)
        printf("%-24s %-8s %-8s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
    for (size_t i = 0; i < n; i++) {
        if (!v[i].oci)
            continue;
        if (a->quiet) {
            printf("%s\n", v[i].id);
        } else if (json) {
            json_array_append_new(arr, state_json(&v[i]));
        } else {
            json_t *o = state_json(&v[i]);
            printf("%-24s %-8lld %-8s %-40s %s\n", v[i].id,
                   (long long)json_integer_value(json_object_get(o, "pid")),
                   json_string_value(json_object_get(o, "status")), v[i].bundle ? v[i].bundle : "",
                   json_string_value(json_object_get(o, "created")));
            json_decref(o);
        }
    }
    state_list_free(v, n);
    if (json)
        return oci_print_json(arr);
    json_decref(arr);
    return 0;
}

/* The pids of the container's cgroup (its pids hierarchy's, on v1). */
/* The pid namespace of pid as /proc names it ("pid:[4026532...]"), or "" when unreadable. */
static void pidns_of(pid_t pid, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
    ssize_t n = readlink(path, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
}

/*
 * A container without a cgroup (a caller other than root with none
 * delegated): its first process and every process of its pid namespace
 * (one exec'd into it has a parent outside), and every descendant of the
 * first, found by their parents in /proc/PID/stat, where a namespace
 * cannot be read (a process that is not dumpable).
 */
static json_t *descendants_of(const struct state_entry *s)
{
    json_t *arr = json_array();
    unsigned long long start = 0;
    if (s->pid <= 0 || proc_stat_field("/proc", s->pid, 22, &start, NULL) < 0 ||
        start != s->pid_start)
        return arr;
    json_array_append_new(arr, json_integer(s->pid));
    char ns[64], other[64];
    pidns_of(s->pid, ns, sizeof(ns));
    _cleanup_closedir_ DIR *proc = opendir("/proc");
    if (!proc)
        return arr;
    /* Parents as found, then as many passes as new members keep turning up. */
    size_t n = 0;
    pid_t *pid = NULL, *ppid = NULL;
    struct dirent *d;
    while ((d = readdir(proc))) {
        char *end;
        long v = strtol(d->d_name, &end, 10);
        unsigned long long parent;
        if (*end || v <= 0 || proc_stat_field("/proc", (pid_t)v, 4, &parent, NULL) < 0)
            continue;
        pidns_of((pid_t)v, other, sizeof(other));
        if (v != s->pid && *ns && strcmp(ns, other) == 0) {
            json_array_append_new(arr, json_integer(v));
            continue;
        }
        pid = xrealloc(pid, (n + 1) * sizeof(*pid));
        ppid = xrealloc(ppid, (n + 1) * sizeof(*ppid));
        pid[n] = (pid_t)v;
        ppid[n++] = (pid_t)parent;
    }
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < n; i++) {
            bool member = false, parent_member = false;
            size_t j;
            json_t *p;
            json_array_foreach(arr, j, p)
            {
                member |= json_integer_value(p) == pid[i];
                parent_member |= json_integer_value(p) == ppid[i];
            }
            if (!member && parent_member) {
                json_array_append_new(arr, json_integer(pid[i]));
                grew = true;
            }
        }
    }
    free(pid);
    free(ppid);
    return arr;
}

static json_t *pids_of(const struct state_entry *s)
{
    if (!s->cgroups || !s->cgroups[0])
        return descendants_of(s);
    json_t *arr = json_array();
    _cleanup_free_ char *path = xasprintf("%s/cgroup.procs", s->cgroups[0]);
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max(path, 1 << 20, &text, &len) < 0)
        return arr;
    for (char *p = text; *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        json_array_append_new(arr, json_integer(pid));
        p = end + strspn(end, "\n");
    }
    return arr;
}

static int cmd_ps(const struct oci_args *a)
{
    struct state_entry s;
    if (oci_find(a, &s))
        return 1;
    json_t *pids = pids_of(&s);
    state_entry_free(&s);
    if (a->format && strcmp(a->format, "json") == 0)
        return oci_print_json(pids);
    printf("PID\n");
    size_t i;
    json_t *p;
    json_array_foreach(pids, i, p) printf("%lld\n", (long long)json_integer_value(p));
    json_decref(pids);
    return 0;
}

/* ---- kill, delete ---- */

static int signal_all(const struct state_entry *s, int sig)
{
    json_t *pids = pids_of(s);
    size_t i;
    json_t *p;
    json_array_foreach(pids, i, p) kill((pid_t)json_integer_value(p), sig);
    json_decref(pids);
    return 0;
}

static int cmd_kill(const struct oci_args *a)
{
    int sig = signal_from_name(a->signal);
    if (sig < 0)
        return oci_fail("`%s` is not a signal: write a name such as TERM or a number", a->signal);
    struct state_entry s;
    if (oci_find(a, &s))
        return 1;
    int r = 0;
    enum state_status st = oci_status_of(&s);
    if (st == STATE_STOPPED && !a->all) {
        /* runc's words, which containerd's shim looks for: the process is gone. */
        r = oci_fail("cannot kill container `%s`: container not running", a->id);
    } else if (a->all) {
        signal_all(&s, sig);
    } else {
        _cleanup_close_ int fd = pidfd_of(s.pid, s.pid_start);
        if (fd < 0 || syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
            r = oci_fail("container `%s`: no such process", a->id);
    }
    state_entry_free(&s);
    return r;
}

/* Wait for a process to be gone (dead, even if not yet reaped by its parent): up to ms. */
static bool wait_gone(const struct state_entry *s, int ms)
{
    _cleanup_close_ int fd = pidfd_of(s->pid, s->pid_start);
    if (fd < 0)
        return true;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, ms) > 0;
}

static int cmd_delete(const struct oci_args *a)
{
    struct state_entry s;
    struct congo_error e = {0};
    if (state_get(oci_root_of(a), a->id, &s, &e) < 0 || !s.oci) {
        if (s.dir)
            state_entry_free(&s);
        error_clear(&e);
        /* Nothing to delete is what --force asks for. */
        return a->force ? 0 : oci_fail("container `%s` does not exist", a->id);
    }
    enum state_status st = oci_status_of(&s);
    if (st != STATE_STOPPED && !a->force) {
        int r = oci_fail("cannot delete container `%s` that is not stopped: %s", a->id,
                     state_status_name(st));
        state_entry_free(&s);
        return r;
    }
    if (st != STATE_STOPPED) {
        /*
         * The first process by its pidfd (a reused pid is never hit); what is
         * left in the cgroup goes with it below, as a run's does.
         */
        _cleanup_close_ int fd = pidfd_of(s.pid, s.pid_start);
        if (fd >= 0)
            syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
        wait_gone(&s, 10000);
    }
    static const struct cgroup_sources real = {
        .mountinfo = "/proc/self/mountinfo", .self_cgroup = "/proc/self/cgroup", .proc = "/proc"};
    struct cgroup_host host = {0};
    int r = 0;
    if (cgroup_detect(&host, &real, &e) < 0 || cgroup_destroy_dirs(&host, s.cgroups, &e) < 0)
        r = oci_fail("delete container `%s`: %s", a->id, e.msg);
    cgroup_host_free(&host);
    error_clear(&e);
    run_saved_hooks(&s, HOOK_POSTSTOP);
    state_remove(&s);
    return r;
}

/* ---- version, help ---- */

static const char usage[] =
    "Usage: congo-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ID ...\n"
    "congo as an OCI runtime, with runc's command line, for podman, containerd and Slurm.\n"
    "\n"
    "Commands:\n"
    "  create [--bundle DIR] [--pid-file FILE] [--console-socket PATH] [--no-pivot]\n"
    "         [--preserve-fds N] ID\n"
    "  start ID          run the created container's command\n"
    "  exec [-d] [--pid-file FILE] [--console-socket PATH] [-t] --process FILE ID\n"
    "  exec [-d] [-t] [--env K=V]... [--cwd DIR] [--user UID[:GID]] [--additional-gids GID]...\n"
    "       [--cap CAP]... [--no-new-privs] ID COMMAND [ARG]...   a command in the container\n"
    "  run [-d] [--bundle DIR] [--pid-file FILE] [--console-socket PATH] [--no-pivot]\n"
    "      [--preserve-fds N] ID\n"
    "  state ID          the container's state, as JSON\n"
    "  kill [--all] ID [SIGNAL]\n"
    "  delete [--force] ID\n"
    "  list [--format table|json] [-q]\n"
    "  ps [--format table|json] ID\n"
    "  features          what this runtime supports, as JSON\n"
    "  spec [--bundle DIR] [--rootless]   write a config.json to start from\n"
    "\n"
    "Global options: --root DIR (" STATE_OCI_ROOT "), --log FILE, --log-format text|json,\n"
    "--debug, --cgroup-manager cgroupfs; --systemd-cgroup is refused: congo manages\n"
    "cgroups itself. --rootless true|false|auto is taken as runc's auto: rootless\n"
    "when not run by root.\n"
    "See congo-oci(1).\n";

int oci_main(int argc, char **argv)
{
    struct oci_args a;
    struct congo_error e = {0};
    if (oci_parse(argc, argv, &a, &e) < 0) {
        /*
         * An engine shows its user what it finds in --log (containerd's
         * shim reads nothing else): a usage error goes there too, as far
         * as the global options were read before it.
         */
        log_to = &a;
        oci_fail("%s", e.msg);
        log_to = NULL;
        error_clear(&e);
        oci_args_free(&a);
        return 2;
    }
    log_to = &a;
    int r;
    if (a.systemd_cgroup || (a.cgroup_manager && strcmp(a.cgroup_manager, "cgroupfs") != 0)) {
        r = oci_fail("congo manages cgroups itself (cgroupfs): there is no systemd cgroup manager "
                 "to use; leave --systemd-cgroup out (podman: --cgroup-manager=cgroupfs)");
        oci_args_free(&a);
        return r;
    }
    switch (a.command) {
    case OCI_CREATE: r = cmd_create(&a); break;
    case OCI_START: r = cmd_start(&a); break;
    case OCI_EXEC: r = oci_exec(&a); break;
    case OCI_RUN: r = cmd_run(&a); break;
    case OCI_STATE: r = cmd_state(&a); break;
    case OCI_KILL: r = cmd_kill(&a); break;
    case OCI_DELETE: r = cmd_delete(&a); break;
    case OCI_LIST: r = cmd_list(&a); break;
    case OCI_PS: r = cmd_ps(&a); break;
    case OCI_FEATURES: r = oci_features(); break;
    case OCI_SPEC: r = oci_spec(&a); break;
    case OCI_VERSION:
        printf("congo-oci version %s\nspec: %s\n", PACKAGE_VERSION, SPEC_VERSION);
        r = 0;
        break;
    default: fputs(usage, stdout); r = 0; break;
    }
    oci_args_free(&a);
    return r;
}
