/*
 * The container's side of a run. The child waits for the launcher's
 * release, assembles its root (joining on the way what the launcher made
 * meanwhile: a v1 cgroup, the network namespace; the namespaces named by
 * path; and writing the kernel parameters), sets the host and domain name,
 * resolves the user in the new root, opens its terminal and working
 * directory, closes every fd it must not keep, drops what the plan takes
 * away, becomes the user and execs. It cannot print reliably: each failure
 * goes back over the sync socket with the step it happened in.
 */
#include "runtime/child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/exec.h"
#include "runtime/nsjoin.h"
#include "runtime/rootfs.h"
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "runtime/sysctl.h"
#include "runtime/terminal.h"
#include "runtime/user.h"
#include "util/util.h"

uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void child_step(struct child_ctx *c, const char *step, uint64_t *t)
{
    if (!c->verbose)
        return;
    uint64_t n = now_us();
    sync_send_log(c->sync_fd, "%s: %.3f ms", step, (double)(n - *t) / 1000.0);
    *t = n;
}

struct step_timer {
    struct child_ctx *c;
    uint64_t *t;
};

static void rootfs_step(void *arg, const char *step)
{
    struct step_timer *timer = arg;
    child_step(timer->c, step, timer->t);
}

static _Noreturn void child_fail(struct child_ctx *c, int status, const char *step,
                                 struct congo_error *e)
{
    sync_send_error(c->sync_fd, status, step, e);
    _exit(status);
}

/*
 * The launcher's next message, of the kind expected. Anything else means
 * the launcher is gone, or failed and is about to kill this child.
 */
static int wait_launcher(struct child_ctx *c, enum sync_kind kind, int *fds, int max)
{
    struct sync_msg m;
    int n_fds;
    ssize_t n = sync_recv_fds(c->sync_fd, &m, fds, max, &n_fds, 0);
    if (n <= 0 || m.kind != (int32_t)kind)
        _exit(STATUS_LAUNCHER);
    return n_fds;
}

/* The network wired, when its namespace came first: before any hook, and the command. */
static void net_ready(struct child_ctx *c)
{
    if (!c->net_pending)
        return;
    wait_launcher(c, SYNC_NET_READY, NULL, 0);
    c->net_pending = false;
}

/*
 * Join what the launcher made while this child assembled the first part of
 * its root: on a v1 host its cgroup, and its network namespace (netns.c,
 * net.c); and the namespaces the profile names by path (nsjoin.c), a
 * cgroup one after the cgroup, so that the move into it is not judged from
 * inside. A network's /etc/resolv.conf and /etc/hosts are bound in. Then,
 * in the container's namespaces at last, write its kernel parameters
 * (sysctl.c) through the new root's /proc, still writable. Runs privileged
 * in the child, before /sys is mounted: the container's cgroup is bound
 * there, and sysfs shows the network devices of the namespace its mounter
 * is in, which must not be the host's. Nothing before this point forks or
 * runs the container's code, so nothing ran outside the limits.
 */
static int join_late(void *arg, int rootfd, struct congo_error *e)
{
    struct step_timer *timer = arg;
    struct child_ctx *c = timer->c;
    if (c->late_cgroup) {
        int fds[SYNC_MAX_FDS];
        int n = wait_launcher(c, SYNC_CGROUP, fds, SYNC_MAX_FDS);
        int joined = cgroup_attach_self(fds, n, e);
        for (int i = 0; i < n; i++)
            close(fds[i]);
        if (joined < 0)
            return -1;
        child_step(c, "cgroup joined", timer->t);
    }
    if (c->plan->n_ns_joins) {
        if (nsjoin_enter(c->plan, c->joins, e) < 0)
            return -1;
        child_step(c, "namespaces joined by path", timer->t);
    }
    if (c->plan->clone_flags & CLONE_NEWNET) {
        _cleanup_close_ int fd = -1;
        if (wait_launcher(c, SYNC_NETNS, &fd, 1) != 1)
            _exit(STATUS_LAUNCHER);
        if (setns(fd, CLONE_NEWNET) < 0)
            return error_set(e, errno, "join the network namespace");
        child_step(c, "network namespace joined", timer->t);
    }
    if (c->resolv_conf) {
        const char *fixed = c->plan->root.direct   ? "a root written directly (upper: none)"
                            : c->plan->root.readonly ? "a read-only root (readonly_rootfs)"
                                                     : NULL;
        if (rootfs_bind_text(rootfd, "/etc/resolv.conf", c->resolv_conf, fixed, e) < 0 ||
            rootfs_bind_text(rootfd, "/etc/hosts", c->hosts, fixed, e) < 0)
            return -1;
        child_step(c, "resolv.conf and hosts", timer->t);
    }
    c->joined_late = true;
    if (c->plan->n_sysctls) {
        /* A net.* parameter may name eth0, or be a default eth0 takes: after the wiring. */
        for (size_t i = 0; i < c->plan->n_sysctls; i++)
            if (c->plan->sysctls[i].ns == CLONE_NEWNET)
                net_ready(c);
        if (sysctl_write(rootfd, c->plan, e) < 0)
            return -1;
        child_step(c, "sysctl", timer->t);
    }
    return 0;
}

/*
 * A create_container hook's view, in its own process: the host's files at
 * `/` (as the container's mount namespace has them), and there, at the
 * rootfs path, the container's root with every mount (hooks_before_pivot);
 * that is its working directory. runc's hook sees the same: its bundle's
 * root, mounted, in the container's namespace.
 */
static int enter_host_root(void *arg)
{
    const char *rootfs = arg;
    return chroot(ROOTFS_HOST_ROOT) < 0 || chdir(rootfs) < 0 ? -1 : 0;
}

/*
 * What a create_container hook left running would stay in the container's
 * namespaces with the host's files as its root, for the container to reach
 * through /proc/PID/root: as the pid namespace's first process, this child
 * kills every other one in it. Without a pid namespace of its own there is
 * no telling them from the host's: the hooks' own process groups only.
 */
static void kill_hook_leftovers(const struct run_plan *plan)
{
    if (!(plan->clone_flags & CLONE_NEWPID) || getpid() != 1)
        return;
    kill(-1, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
}

/*
 * The container's root, every mount made, shown to the hooks that run
 * before the pivot as runc shows its bundle's root: at its rootfs path in
 * the host's tree, shared with the root, so that what a hook mounts there
 * is mounted in it. create_container hooks chroot to the host's tree
 * (/oldroot). prestart and create_runtime hooks run on the host, and one
 * that enters the container's mount namespace (setns, as NVIDIA's does)
 * lands on whatever is stacked on its root: a copy of the host's tree is,
 * while they run. This child's own root stays the scratch tmpfs below it.
 * Runs privileged in the child, in its private mount namespace: nothing of
 * this reaches the host.
 */
struct shown_root {
    char *at;    /* the rootfs path under /oldroot; NULL: not shown */
    int stacked; /* the copy stacked on `/`; -1: none */
};

static int show_root(const struct run_plan *plan, struct shown_root *s, struct congo_error *e)
{
    s->stacked = -1;
    /* Where the host resolves rootfs (a symlink on the way is followed as the host does). */
    s->at = rootfs_host_path(plan->root.rootfs);
    size_t prefix = strlen(ROOTFS_HOST_ROOT);
    if (strncmp(s->at, ROOTFS_HOST_ROOT "/", prefix + 1) != 0) {
        free(s->at);
        s->at = NULL;
        /* The host's own `/` (or out of it): there is no path to show the root at. */
        if (!plan->n_hooks[HOOK_CREATE_CONTAINER])
            return 0;
        return error_set(e, 0, "hooks: `%s` leads out of the host's root", plan->root.rootfs);
    }
    if (mount(NULL, ROOTFS_NEW_ROOT, NULL, MS_REC | MS_SHARED, NULL) < 0)
        return error_set(e, errno, "hooks: share the new root");
    if (mount(ROOTFS_NEW_ROOT, s->at, NULL, MS_BIND | MS_REC, NULL) < 0)
        return error_set(e, errno, "hooks: show the new root at `%s`", plan->root.rootfs);
    if (!plan->n_hooks[HOOK_PRESTART] && !plan->n_hooks[HOOK_CREATE_RUNTIME])
        return 0;
    int tree = open_tree(AT_FDCWD, ROOTFS_HOST_ROOT,
                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0)
        return error_set(e, errno, "hooks: copy the host's tree");
    if (move_mount(tree, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
        close(tree);
        return error_set(e, errno, "hooks: stack the host's tree on the namespace's root");
    }
    s->stacked = tree;
    return 0;
}

/*
 * The copy stacked for prestart and create_runtime, gone. Private first:
 * detaching its mounts while they are peers of the root's would detach
 * those too.
 */
static int unstack_root(struct shown_root *s, struct congo_error *e)
{
    if (s->stacked < 0)
        return 0;
    struct mount_attr private = {.propagation = MS_PRIVATE};
    _cleanup_free_ char *path = xasprintf(ROOTFS_HOST_ROOT "/proc/self/fd/%d", s->stacked);
    int r = mount_setattr(s->stacked, "", AT_EMPTY_PATH | AT_RECURSIVE, &private,
                          sizeof(private)) < 0 ||
                    umount2(path, MNT_DETACH) < 0
                ? error_set(e, errno, "hooks: take the host's tree off the namespace's root")
                : 0;
    close(s->stacked);
    s->stacked = -1;
    return r;
}

/* The root at its rootfs path taken back, both made private again; e set only if it is clear. */
static int hide_root(const struct run_plan *plan, struct shown_root *s, struct congo_error *e)
{
    struct congo_error e2 = {0};
    int r = unstack_root(s, e->msg ? &e2 : e);
    error_clear(&e2);
    if (s->at && (mount(NULL, s->at, NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                  umount2(s->at, MNT_DETACH) < 0 ||
                  mount(NULL, ROOTFS_NEW_ROOT, NULL, MS_REC | MS_PRIVATE, NULL) < 0)) {
        if (!e->msg)
            error_set(e, errno, "hooks: take the new root back from `%s`", plan->root.rootfs);
        r = -1;
    }
    free(s->at);
    s->at = NULL;
    return r;
}

/* create_container, each hook chrooted to the host's tree, the root shown at its path. */
static int run_create_container_hooks(struct child_ctx *c, const struct shown_root *s,
                                      struct congo_error *e)
{
    _cleanup_free_ char *state = hook_state_json(&c->hook, HOOK_CREATE_CONTAINER);
    const struct hooks_how how = {
        .cancel_fd = -1, .prepare = enter_host_root, .arg = s->at + strlen(ROOTFS_HOST_ROOT)};
    int r = hooks_run(c->plan, HOOK_CREATE_CONTAINER, state, &how, e);
    kill_hook_leftovers(c->plan);
    return r;
}

/*
 * The root assembled, before the last pivot: the launcher runs prestart
 * and create_runtime on the host (and says the pid the hooks are told),
 * then this child runs create_container, in the container's namespaces, as
 * its root, with every capability it has yet. Runs privileged in the child.
 */
static int hooks_before_pivot(void *arg, int rootfd, struct congo_error *e)
{
    (void)rootfd;
    struct step_timer *timer = arg;
    struct child_ctx *c = timer->c;
    const struct run_plan *plan = c->plan;
    if (!hooks_before_start(plan))
        return 0;
    net_ready(c);
    struct shown_root shown = {.stacked = -1};
    bool show = plan->n_hooks[HOOK_PRESTART] || plan->n_hooks[HOOK_CREATE_RUNTIME] ||
                plan->n_hooks[HOOK_CREATE_CONTAINER];
    if (show && show_root(plan, &shown, e) < 0) {
        hide_root(plan, &shown, e);
        return -1;
    }
    sync_send_kind(c->sync_fd, SYNC_HOOKS);
    struct sync_msg m;
    int fd = -1;
    if (sync_recv(c->sync_fd, &m, &fd, 0) <= 0 || m.kind != SYNC_HOOKS)
        _exit(STATUS_LAUNCHER); /* the launcher failed, and says why */
    if (fd >= 0)
        close(fd);
    c->hook.pid = (pid_t)m.status;
    child_step(c, "prestart and create_runtime hooks", timer->t);
    int r = unstack_root(&shown, e);
    if (r == 0 && plan->n_hooks[HOOK_CREATE_CONTAINER]) {
        r = run_create_container_hooks(c, &shown, e);
        if (r == 0)
            child_step(c, "create_container hooks", timer->t);
    }
    if (show && hide_root(plan, &shown, e) < 0)
        r = -1;
    return r;
}

/* A start_container hook's process: under the command's filter, as anything of the container. */
static int load_filter(void *arg)
{
    const struct child_ctx *c = arg;
    struct congo_error e = {0};
    int r = security_load_filter(c->sec, &e);
    if (r < 0)
        errno = e.err ? e.err : EPERM;
    error_clear(&e);
    return r;
}

/*
 * start_container: in the container, as the command's user with its
 * capabilities, environment and seccomp filter, right before the command. Its failure is the run's; a created container's
 * launcher is gone by now, so the engine hears it on the container's
 * stderr.
 */
static void hooks_before_command(struct child_ctx *c, bool created)
{
    if (!c->plan->n_hooks[HOOK_START_CONTAINER])
        return;
    struct congo_error e = {0};
    _cleanup_free_ char *state = hook_state_json(&c->hook, HOOK_START_CONTAINER);
    const struct hooks_how how = {
        .default_env = c->envp, .cancel_fd = -1, .prepare = load_filter, .arg = c};
    if (hooks_run(c->plan, HOOK_START_CONTAINER, state, &how, &e) == 0)
        return;
    if (created)
        dprintf(STDERR_FILENO, "congo-oci: %s\n", e.msg);
    child_fail(c, STATUS_LAUNCHER, "hooks", &e);
}

/*
 * The init is a copy of the launcher, whose argv and environment the
 * container could read in /proc/1/cmdline and /proc/1/environ: host paths
 * and the caller's variables. Overwrite both where the kernel reads them
 * (PR_SET_MM would need CAP_SYS_RESOURCE, which a caller may not have).
 */
static char *title_start, *title_end;

void runtime_set_title_area(int argc, char **argv)
{
    extern char **environ;
    if (argc < 1 || !argv[0])
        return;
    char *end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    for (size_t i = 0; environ && environ[i]; i++)
        if (environ[i] == end)
            end += strlen(environ[i]) + 1;
    title_start = argv[0];
    title_end = end;
}

static void hide_launcher_args(void)
{
    prctl(PR_SET_NAME, "congo-init", 0, 0, 0);
    if (!title_start)
        return;
    static const char name[] = "congo-init";
    size_t n = (size_t)(title_end - title_start);
    memset(title_start, 0, n);
    memcpy(title_start, name, n < sizeof(name) ? n - 1 : sizeof(name) - 1);
}

/*
 * The command's process, to its execve. The program is found before the
 * seccomp filter is loaded, so that the execve is the first call the
 * filter sees; only a failed one leads to more (the search again, for the
 * message, and the report).
 */
static int start_command(void *arg)
{
    struct child_ctx *c = arg;
    struct congo_error e = {0};
    char *found = exec_find(c->plan->argv, c->envp);
    /* The end of the socket after this says the exec worked; an error after it, that it did not. */
    sync_send_kind(c->sync_fd, SYNC_EXEC);
    if (security_load_filter(c->sec, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, "security", &e);
    if (found)
        execve(found, c->plan->argv, c->envp);
    int status = exec_command(c->plan->argv, c->envp, &e);
    child_fail(c, status, "exec", &e);
}

/* The init, once the command has exec'd: its own filter, not the command's. */
static int confine_init(void *arg)
{
    struct child_ctx *c = arg;
    struct congo_error e = {0};
    int r = security_confine_init(c->sec, c->uid, &e);
    error_clear(&e);
    return r;
}

/*
 * Created, not started: tell the launcher (which then leaves), and wait for
 * the byte `start` writes, not dumpable and under no filter yet (the
 * command's is loaded right before its execve, in start_command). The sync
 * socket stays open for an error of the exec; start_fd until the
 * start_container hooks have run, for `start` waits for its end, and
 * reads in started_fd whether they did.
 */
static void wait_for_start(struct child_ctx *c)
{
    sync_send_kind(c->sync_fd, SYNC_READY);
    char go;
    ssize_t n;
    while ((n = read(c->start_fd, &go, 1)) < 0 && errno == EINTR)
        ;
    if (n != 1)
        _exit(STATUS_LAUNCHER);
}

/*
 * The launcher holds the other end of the sync socket until it exits, so a
 * hang-up there means it is gone. Asked right after PR_SET_PDEATHSIG is
 * (re)armed: a launcher that died before that sent no signal and never will.
 */
static bool launcher_gone(int sync_fd)
{
    struct pollfd pfd = {.fd = sync_fd, .events = POLLRDHUP};
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

_Noreturn void child_main(struct child_ctx *c)
{
    const struct run_plan *plan = c->plan;
    struct congo_error e = {0};
    uint64_t t = now_us();
    /*
     * What the set-up makes (the tmpfs upper, which is the container's `/`,
     * mount targets, /dev) has its modes whatever the caller's umask: 077
     * made `/` 0700, which no user but root could enter. The command gets
     * the profile's umask at the end (security.c).
     */
    umask(022);
    /*
     * Not dumpable until the command's execve (which makes it so again):
     * until then this process is congo's binary, root's, and a created
     * container waits here for `start` as long as its engine likes; a
     * process of the container's uid in a pid namespace it joins must not
     * open its /proc/PID/exe or mem, or ptrace it (CVE-2019-5736).
     * A caller other than root writes this process's id maps itself, or
     * through newuidmap, which checks that the caller owns it: /proc/PID of
     * a process that is not dumpable is root's, so such a child stays
     * dumpable, to its own user alone, until its maps are written (below);
     * nothing of the container's runs before that.
     */
    if (!c->userns->by_caller && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        error_set(&e, errno, "prctl(PR_SET_DUMPABLE)");
        child_fail(c, STATUS_LAUNCHER, "security", &e);
    }

    /*
     * Die with the launcher; and the launcher may already be gone. A
     * container that is created to be started later outlives its launcher
     * by design: it is the engine's to kill.
     */
    bool created = c->start_fd >= 0;
    if (!created && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        _exit(STATUS_LAUNCHER);
    char go;
    if (read(c->sync_fd, &go, 1) != 1)
        _exit(STATUS_LAUNCHER);
    /* It may have written "g" and died before this child ran its prctl. */
    if (!created && launcher_gone(c->sync_fd))
        _exit(STATUS_LAUNCHER);
    /*
     * Its maps are written now: root of its user namespace, with a uid the
     * kernel maps. The change of uid cleared the parent-death signal and
     * set dumpability to fs.suid_dumpable's (commit_creds): both are set
     * again, whatever that sysctl says.
     */
    bool no_setgroups = userns_setgroups_denied(c->userns);
    if (c->userns->active) {
        if (userns_become_root(c->userns, &e) < 0)
            child_fail(c, STATUS_LAUNCHER, "user namespace", &e);
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
            error_set(&e, errno, "prctl(PR_SET_DUMPABLE)");
            child_fail(c, STATUS_LAUNCHER, "security", &e);
        }
        if (!created && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || launcher_gone(c->sync_fd)))
            _exit(STATUS_LAUNCHER);
    }
    /* The id-mapped layers, sent right after the release (userns_idmapped_tree). */
    int idmapped[SYNC_MAX_FDS];
    int n_idmapped = 0;
    if (c->userns->active && (c->userns->idmap_layers || c->userns->n_idmap_binds)) {
        n_idmapped = wait_launcher(c, SYNC_IDMAPPED, idmapped, SYNC_MAX_FDS);
        if (n_idmapped <= 0)
            _exit(STATUS_LAUNCHER);
    }

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Detached: nothing to read, and everything written goes to the log. */
    if (c->out_fd >= 0) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(c->out_fd, STDOUT_FILENO) < 0 ||
            dup2(c->out_fd, STDERR_FILENO) < 0) {
            error_set(&e, errno, "the command's output to its log");
            child_fail(c, STATUS_LAUNCHER, "log", &e);
        }
        close(null);
    }

    /* Never the caller's terminal: a session of its own, and our pty if there is one. */
    if (setsid() < 0) {
        error_set(&e, errno, "setsid");
        child_fail(c, STATUS_LAUNCHER, "session", &e);
    }
    struct step_timer timer = {.c = c, .t = &t};
    struct rootfs_steps steps = {.done = rootfs_step,
                                 .before_sys = join_late,
                                 .before_pivot = hooks_before_pivot,
                                 .arg = &timer,
                                 .idmapped = idmapped,
                                 .n_idmapped = (size_t)n_idmapped,
                                 .n_idmapped_layers = (size_t)n_idmapped - c->userns->n_idmap_binds,
                                 .no_pivot = c->no_pivot};
    if (rootfs_setup(plan, c->host, c->cg, &steps, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, "root", &e);
    /* Never the launcher's cgroup or the host's network by an oversight. */
    if (!c->joined_late) {
        error_set(&e, 0, "the root was assembled without joining the cgroup and network namespace");
        child_fail(c, STATUS_LAUNCHER, "root", &e);
    }

    if (plan->hostname && sethostname(plan->hostname, strlen(plan->hostname)) < 0) {
        error_set(&e, errno, "sethostname `%s`", plan->hostname);
        child_fail(c, STATUS_LAUNCHER, "hostname", &e);
    }
    if (plan->domainname && setdomainname(plan->domainname, strlen(plan->domainname)) < 0) {
        error_set(&e, errno, "setdomainname `%s`", plan->domainname);
        child_fail(c, STATUS_LAUNCHER, "domainname", &e);
    }

    _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct user_ids u = {0};
    if (rootfd < 0 || user_resolve(rootfd, plan->user, &u, &e) < 0) {
        if (rootfd < 0)
            error_set(&e, errno, "open /");
        error_wrap(&e, "user");
        child_fail(c, STATUS_LAUNCHER, "user", &e);
    }
    /* setgroups denied (a single mapping): memberships cannot be set, only named ones refused. */
    if (!plan->initgroups || no_setgroups)
        user_drop_memberships(&u);
    if (user_add_groups(rootfd, plan->groups, &u, &e) < 0) {
        error_wrap(&e, "groups");
        child_fail(c, STATUS_LAUNCHER, "user", &e);
    }
    if (userns_check_user(c->userns, u.uid, u.gid, u.groups, u.n_groups, &e) < 0) {
        error_wrap(&e, "user `%s`", plan->user ? plan->user : "root");
        child_fail(c, STATUS_LAUNCHER, "user", &e);
    }
    if (no_setgroups && u.n_groups) {
        error_set(&e, 0,
                  "groups: the container's user namespace denies setgroups (only the caller's own "
                  "gid is mapped), so no supplementary group can be set");
        child_fail(c, STATUS_LAUNCHER, "user", &e);
    }
    if (c->want_tty && terminal_open_in_child(c->sync_fd, &c->winsize, u.uid, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, "terminal", &e);
    int workdir_fd = rootfs_open_workdir(plan->workdir, plan->root.readonly, &e);
    if (workdir_fd < 0 || fchdir(workdir_fd) < 0) {
        if (workdir_fd >= 0)
            error_set(&e, errno, "workdir: chdir `%s`", plan->workdir);
        child_fail(c, STATUS_LAUNCHER, "workdir", &e);
    }
    close(workdir_fd);
    c->envp = user_env(plan, u.home);

    /*
     * Only fds 0-2 reach the command (and those an engine passes on with
     * --preserve-fds), and the sync socket, which closes on exec. Closed,
     * not merely marked close-on-exec: the init never execs, and an fd the
     * caller leaked (say, to the host's `/`) must not live on in the
     * container's PID 1.
     */
    int keep[] = {c->sync_fd, c->start_fd, c->started_fd};
    if (close_all_but_passed(keep, created ? 3 : 1, c->preserve_fds) < 0) {
        error_set(&e, errno, "close_range");
        child_fail(c, STATUS_LAUNCHER, "fds", &e);
    }
    rootfd = -1; /* closed just now */
    if (security_apply_before_user(c->sec, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, "security", &e);
    if ((!no_setgroups && setgroups(u.n_groups, u.groups) < 0) || setgid(u.gid) < 0 ||
        setuid(u.uid) < 0) {
        error_set(&e, errno, "switch to user %u:%u", (unsigned)u.uid, (unsigned)u.gid);
        child_fail(c, STATUS_LAUNCHER, "user", &e);
    }
    /*
     * A change of uid or gid clears the parent-death signal (the kernel's
     * commit_creds): arm it again, or a container run as another user
     * outlives a SIGKILLed launcher.
     */
    if (!created && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || launcher_gone(c->sync_fd)))
        _exit(STATUS_LAUNCHER);
    if (security_apply_after_user(c->sec, u.uid, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, "security", &e);
    c->uid = u.uid;
    /* The directory was entered as root: the user must still be able to use it. */
    if (access(".", X_OK) < 0) {
        error_set(&e, errno, "workdir `%s` as user %u", plan->workdir, (unsigned)u.uid);
        child_fail(c, STATUS_LAUNCHER, "workdir", &e);
    }
    child_step(c, "process ready", &t);
    net_ready(c);
    if (created) {
        /*
         * The launcher that reports an exec's failure is gone by the time
         * `start` runs the command: a command that is not there fails the
         * create, which the engine hears (runc does the same).
         */
        int status = exec_check(plan->argv, c->envp, &e);
        if (status)
            child_fail(c, status, "exec", &e);
        wait_for_start(c);
    }
    hooks_before_command(c, created);
    /* `start` waits for the exec fifo's end, then reads the byte that says this got so far. */
    if (created && (write(c->started_fd, "k", 1) != 1 || close(c->started_fd) < 0 ||
                    close(c->start_fd) < 0))
        _exit(STATUS_LAUNCHER);

    if (plan->init) {
        hide_launcher_args();
        int status = init_run(start_command, confine_init, c, c->sync_fd);
        /*
         * exit_group itself, which the init's filter allows: a sanitizer's
         * _exit (the checked builds) makes calls of its own first.
         */
        syscall(SYS_exit_group, status);
        _exit(status);
    }
    start_command(c);
    _exit(STATUS_LAUNCHER);
}
