/*
 * One run, from the launcher's side: the order of things, and nothing else.
 *
 *   check the host against the plan (paths, namespaces to join, capabilities, rlimits)
 *   plan the cgroup (make it now on v2: CLONE_INTO_CGROUP needs it)
 *   clone the child (child.c) into new namespaces, and release it
 *   while it assembles its root: make the v1 cgroup and the network
 *     namespace (netns.c) and hand them over the sync socket (sync.c)
 *   supervise it (supervise.c, terminal.c) to the end
 *   report, and remove the cgroup with whatever is left in it
 */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/child.h"
#include "runtime/hooks.h"
#include "runtime/log.h"
#include "runtime/net.h"
#include "runtime/netns.h"
#include "runtime/nsjoin.h"
#include "runtime/rootfs.h"
#include "runtime/security.h"
#include "runtime/supervise.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "runtime/userns.h"
#include "util/units.h"
#include "util/util.h"

static void step(const struct run_opts *o, const char *what, uint64_t *t)
{
    if (!o->verbose)
        return;
    uint64_t n = now_us();
    fprintf(o->verbose, "congo-launch: %s: %.3f ms\n", what, (double)(n - *t) / 1000.0);
    *t = n;
}

/*
 * The child's namespaces, but for the network's: netns_make makes that one
 * on the side (in the child's user namespace, when it has one, which must
 * own it: sysfs, lo and sysctls are then the container root's to set).
 * Those named by path the child joins itself, but a pid namespace, which
 * only a child can be born into: the caller has entered it for this clone.
 */
static pid_t clone_child(const struct run_plan *plan, const struct cgroup *cg, bool *into_cgroup)
{
    uint64_t flags = plan->clone_flags & ~(uint64_t)CLONE_NEWNET;
    struct clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
    if (cg && cg->v2_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cg->v2_fd;
    }
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    if (pid >= 0) {
        *into_cgroup = args.flags & CLONE_INTO_CGROUP;
        return pid;
    }
    /* Kernels before 5.7 lack clone3 (or CLONE_INTO_CGROUP): clone, then attach. */
    if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
        return -1;
    *into_cgroup = false;
    return (pid_t)syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), NULL, NULL, NULL, 0);
}

/*
 * The signals supervise() reads from a signalfd: blocked from before the
 * clone to after the clean-up, so that one that comes while the launcher
 * makes or removes the cgroup never kills it half-way. One left pending
 * once the container is gone had nothing to reach: it is dropped.
 */
struct signal_block {
    sigset_t mask, old;
    bool active;
};

static void signal_block(struct signal_block *b)
{
    sigemptyset(&b->mask);
    sigaddset(&b->mask, SIGCHLD);
    for (size_t i = 0; i < supervise_n_forwarded; i++)
        sigaddset(&b->mask, supervise_forwarded[i]);
    b->active = sigprocmask(SIG_BLOCK, &b->mask, &b->old) == 0;
}

static void signal_unblock(struct signal_block *b)
{
    if (!b->active)
        return;
    static const struct timespec now = {0};
    while (sigtimedwait(&b->mask, NULL, &now) > 0)
        ;
    sigprocmask(SIG_SETMASK, &b->old, NULL);
}

/* A child that is still there when its scope ends is killed and reaped. */
static void reap_child(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGKILL);
    while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/*
 * A send to the child failed because the child is gone (EPIPE, or
 * ECONNRESET when it left a message unread): it said why before it went,
 * and supervise() reports that.
 */
static bool child_gone(int err)
{
    return err == EPIPE || err == ECONNRESET;
}

/*
 * Root's container with a user namespace: rootfs, the layers and the upper
 * as detached mounts id-mapped to it (over an overlay), so that what root
 * owns on the host is root's inside, and what the container writes in the
 * upper is stored as the host's ids (the upper's own owner, not 100000 and
 * up); then the source of each bind that says idmap, in the plan's order.
 */
static int send_idmapped(const struct run_plan *plan, const struct userns *u, int ns, int sock,
                         struct congo_error *e)
{
    const struct plan_root *root = &plan->root;
    size_t n_layers = strv_len(root->layers);
    size_t n_tree = u->idmap_layers ? 1 + n_layers + (root->upper ? 1 : 0) : 0;
    if (n_tree + u->n_idmap_binds > SYNC_MAX_FDS)
        return error_set(e, 0,
                         "layers and mounts: a container with a user namespace id-maps at most "
                         "%d of rootfs, its layers, its upper and binds that say idmap",
                         SYNC_MAX_FDS);
    const char *dirs[SYNC_MAX_FDS];
    int dirfds[SYNC_MAX_FDS];
    size_t n = 0;
    for (size_t i = 0; i < n_tree; i++) {
        /* The upper as userns_prepare opened and checked it, not as its path names it now. */
        dirfds[n] = i > n_layers ? u->upper_fd : -1;
        dirs[n++] = i == 0 ? root->rootfs : i <= n_layers ? root->layers[i - 1] : root->upper;
    }
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (plan->mounts[i].kind == PLAN_MOUNT_BIND && plan->mounts[i].idmap) {
            dirfds[n] = -1;
            dirs[n++] = plan->mounts[i].source;
        }
    int fds[SYNC_MAX_FDS];
    size_t made = 0;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        int fd = userns_idmapped_tree(dirs[i], dirfds[i], ns, e);
        if (fd < 0)
            r = -1;
        else
            fds[made++] = fd;
    }
    if (r == 0 && sync_send_fds(sock, SYNC_IDMAPPED, fds, (int)n) < 0 && !child_gone(errno))
        r = error_set(e, errno, "send the id-mapped layers and mounts to the container");
    for (size_t i = 0; i < made; i++)
        close(fds[i]);
    return r;
}

/* The memory limit's OOM kill, told as such rather than as a bare SIGKILL. */
static void report_oom(const struct run_plan *plan, const struct cgroup *cg, uint64_t before,
                       struct run_result *r)
{
    uint64_t after = 0;
    if (r->status != 128 + SIGKILL || cgroup_oom_kills(cg, &after) < 0 || after <= before)
        return;
    int64_t memory = plan->cgroup.memory;
    _cleanup_free_ char *limit = memory == LIMIT_UNLIMITED ? xstrdup("unlimited") : format_size(memory);
    error_set(&r->error, 0,
              "the command was killed for using more memory than limits.memory (%s) allows", limit);
}

/* The CPU a process runs or last ran on, or -1. */
static int cpu_of(pid_t pid)
{
    unsigned long long cpu;
    return proc_stat_field("/proc", pid, 39, &cpu, NULL) < 0 ? -1 : (int)cpu;
}

/*
 * Off the child's CPU while the two work side by side. The kernel often puts
 * a new child on its parent's CPU although another one is idle (11 of 21
 * traced starts), and then the child's first mounts and the launcher's
 * cgroup and network namespace, meant to be made at the same time, take
 * turns instead. The launcher is the one that moves: a mask set on the child
 * would reach the command, and from Linux 6.2 on stay with it as a mask the
 * user asked for.
 */
struct cpu_move {
    bool moved;
    cpu_set_t mask; /* the launcher's own, to go back to */
};

static void leave_cpu_of(pid_t child, struct cpu_move *m)
{
    int cpu = sched_getcpu();
    if (cpu < 0 || cpu_of(child) != cpu || sched_getaffinity(0, sizeof(m->mask), &m->mask) < 0)
        return;
    cpu_set_t others = m->mask;
    CPU_CLR(cpu, &others);
    m->moved = CPU_COUNT(&others) > 0 && sched_setaffinity(0, sizeof(others), &others) == 0;
}

/* After the side-by-side part: pinned away, the launcher would crowd a busy host's other CPUs. */
static void move_back(struct cpu_move *m)
{
    if (m->moved)
        sched_setaffinity(0, sizeof(m->mask), &m->mask);
    m->moved = false;
}

/*
 * v1 and hybrid hosts: make the cgroup planned before the clone and send the
 * child its tasks files, through which it moves itself in (join_late in
 * child.c). A tree with more hierarchies than one message carries gets the
 * child moved by pid instead.
 */
static int make_cgroup_late(const struct cgroup_host *host, const struct cgroup_request *req,
                            struct cgroup *cg, pid_t pid, int sock, struct congo_error *e)
{
    if (cgroup_make(host, req, cg, e) < 0)
        return -1;
    int fds[SYNC_MAX_FDS];
    int n = cgroup_open_attach_fds(cg, fds, SYNC_MAX_FDS, e);
    if (n < 0 || (n == 0 && cgroup_attach(cg, pid, e) < 0))
        return -1;
    int sent = sync_send_fds(sock, SYNC_CGROUP, fds, n);
    int err = errno;
    for (int i = 0; i < n; i++)
        close(fds[i]);
    if (sent < 0 && !child_gone(err))
        return error_set(e, err, "send the cgroup to the container");
    return 0;
}

/*
 * The stop signals alone (SIGCHLD is blocked too, and every hook's exit
 * sends one), on a signalfd of their own that is only polled: a signal it
 * sees stays pending, for supervise's signalfd or to be dropped at the end.
 * Readable: the launcher was told to stop while it waited. -1 on failure,
 * which a poll skips.
 */
static int stop_signalfd(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    return signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
}

/*
 * The child's word that it got as far as want: SYNC_HOOKS (its root
 * assembled, waiting for the launcher's hooks) or SYNC_READY (created: all
 * but the exec done, its terminal's master sent first when it has one to
 * keep in term); or its failure. 0 when it said want.
 */
static int await_child(int sock, enum sync_kind want, FILE *verbose, struct terminal *term,
                       struct run_result *r)
{
    /* A child stuck (in a create_container hook, say) must not make the launcher unstoppable. */
    _cleanup_close_ int stopfd = stop_signalfd();
    for (;;) {
        struct pollfd pfd[2] = {{.fd = sock, .events = POLLIN}, {.fd = stopfd, .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0 && errno != EINTR)
            return error_set(&r->error, errno, "wait for the container");
        if (pfd[1].revents)
            return error_set(&r->error, 0, "told to stop while the container was being %s",
                             want == SYNC_READY ? "created" : "assembled");
        if (!pfd[0].revents)
            continue;
        struct sync_msg m;
        int fd = -1;
        ssize_t n = sync_recv(sock, &m, &fd, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            error_set(&r->error, n < 0 ? errno : 0, "the container ended before it was %s",
                      want == SYNC_READY ? "ready" : "assembled");
            return -1;
        }
        if (m.kind == SYNC_PTY && fd >= 0 && term && term->master < 0) {
            term->master = fd;
            continue;
        }
        if (fd >= 0)
            close(fd);
        if (m.kind == SYNC_LOG && verbose) {
            fprintf(verbose, "congo-launch: %s\n", m.text);
        } else if (m.kind == SYNC_ERROR) {
            sync_error_of(&m, &r->error);
            r->status = m.status;
            return -1;
        } else if (m.kind == (int32_t)want) {
            if (want == SYNC_READY) {
                r->status = 0;
                r->pty_master = take_fd(&term->master);
            }
            return 0;
        }
    }
}

/* What hooks are told of this run's container. */
static struct hook_state hook_state_of(const struct run_plan *plan, const struct run_opts *o,
                                       pid_t pid)
{
    return (struct hook_state){
        .id = o->id, .bundle = o->bundle, .annotations = plan->annotations, .pid = pid};
}

/*
 * prestart, then create_runtime, on the host, while the child waits before
 * its last pivot; then the child is told its pid, for its own hooks. A
 * signal to stop kills the running hook and fails the run.
 */
static int run_create_hooks(const struct run_plan *plan, const struct run_opts *o, pid_t pid,
                            int sock, struct run_result *r)
{
    if (await_child(sock, SYNC_HOOKS, o->verbose, NULL, r) < 0)
        return -1;
    struct hook_state hs = hook_state_of(plan, o, pid);
    _cleanup_close_ int stopfd = stop_signalfd();
    const struct hooks_how how = {.cancel_fd = stopfd};
    static const enum hook_stage stages[] = {HOOK_PRESTART, HOOK_CREATE_RUNTIME};
    for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
        if (!plan->n_hooks[stages[i]])
            continue;
        _cleanup_free_ char *state = hook_state_json(&hs, stages[i]);
        if (hooks_run(plan, stages[i], state, &how, &r->error) < 0)
            return -1;
    }
    struct sync_msg m = {.kind = SYNC_HOOKS, .status = (int32_t)pid};
    if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m))
        return error_set(&r->error, errno, "tell the container its hooks ran");
    return 0;
}

/* poststart: before the start is reported (the state entry, a detached run's caller). */
struct started {
    const struct run_plan *plan;
    const struct run_opts *o;
    pid_t pid;
    struct congo_error warning;
};

static void on_started(void *arg)
{
    struct started *st = arg;
    if (st->plan->n_hooks[HOOK_POSTSTART]) {
        struct hook_state hs = hook_state_of(st->plan, st->o, st->pid);
        _cleanup_free_ char *state = hook_state_json(&hs, HOOK_POSTSTART);
        _cleanup_close_ int stopfd = stop_signalfd();
        hooks_run_warn(st->plan, HOOK_POSTSTART, state, stopfd, &st->warning);
    }
    const struct run_events *ev = st->o->events;
    if (ev && ev->started)
        ev->started(ev->arg);
}

/* What a run needs besides the plan: settled in the parent before the clone. */
struct run_state {
    const struct run_plan *plan;
    const struct run_opts *o;
    const struct cgroup_host *host;
    struct cgroup *cg;
    const struct ns_joins *joins;
    bool late_cgroup;
    const struct security_ctx *sec;
    struct userns *userns;
    struct net *net;
    const sigset_t *signals; /* blocked, for supervise's signalfd */
    uint64_t *t;
    pid_t *cloned; /* the child's pid, once there is one: poststop's */
};

/*
 * Clone the container (on v2 straight into cg), release it, make what it
 * joins later (on v1 its cgroup, then its network namespace) while it
 * assembles its root, and supervise it to the end.
 */
static void run_in_cgroup(const struct run_state *s, struct run_result *r)
{
    const struct run_plan *plan = s->plan;
    _cleanup_close_ int sigfd = signalfd(-1, s->signals, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) {
        error_set(&r->error, errno, "signalfd");
        return;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        error_set(&r->error, errno, "socketpair");
        return;
    }
    _cleanup_close_ int parent_end = sv[0];
    _cleanup_close_ int child_end = sv[1];
    _cleanup_(terminal_close) struct terminal term = {.master = -1};
    /* Detached: the command's output goes through a pipe into the log, never to a terminal. */
    _cleanup_close_ int out_r = -1;
    _cleanup_close_ int out_w = -1;
    const struct run_create *create = s->o->create;
    if (create) {
        /* The caller's stdio, or a terminal of its own for the engine: nothing to relay. */
        term.wanted = create->terminal;
    } else if (s->o->log) {
        int out[2];
        if (pipe2(out, O_CLOEXEC) < 0) {
            error_set(&r->error, errno, "a pipe for the command's output");
            return;
        }
        out_r = out[0];
        out_w = out[1];
        fcntl(out_r, F_SETFL, O_NONBLOCK);
    } else {
        terminal_prepare(&term);
    }
    uint64_t oom_before = 0;
    if (!s->late_cgroup)
        cgroup_oom_kills(s->cg, &oom_before);

    struct child_ctx ctx = {
        .plan = plan,
        .sec = s->sec,
        .host = s->host,
        .cg = s->cg,
        .joins = s->joins,
        .sync_fd = child_end,
        .want_tty = term.wanted,
        .winsize = term.winsize,
        .late_cgroup = s->late_cgroup,
        .verbose = s->o->verbose != NULL,
        .out_fd = out_w,
        .start_fd = create ? create->start_fd : -1,
        .started_fd = create ? create->started_fd : -1,
        .preserve_fds = s->o->preserve_fds,
        .no_pivot = s->o->no_pivot,
        .net_pending = s->net->maker > 0,
        .userns = s->userns,
        .resolv_conf = s->net->resolv,
        .hosts = s->net->hosts,
        .hook = hook_state_of(plan, s->o, 0),
    };
    bool into_cgroup = false;
    int own_pid_ns;
    if (nsjoin_pid_enter(plan, s->joins, &own_pid_ns, &r->error) < 0)
        return;
    fflush(NULL);
    _cleanup_(reap_child) pid_t pid = clone_child(plan, s->cg, &into_cgroup);
    int clone_err = errno;
    if (pid == 0) {
        close(parent_end);
        child_main(&ctx);
    }
    nsjoin_pid_leave(&own_pid_ns);
    if (pid < 0) {
        bool userns = plan->clone_flags & CLONE_NEWUSER;
        if (userns && geteuid() != 0 && userns_why_refused(&r->error) < 0)
            return;
        const char *hint =
            clone_err == ENOSPC && userns
                ? " (this user has as many user namespaces as user.max_user_namespaces allows; "
                  "as root: sysctl -w user.max_user_namespaces=15000)"
            : clone_err == ENOSPC ? " (a namespace limit, user.max_*_namespaces, is reached)"
            : clone_err == EPERM && userns
                ? " (are unprivileged user namespaces disabled? kernel.unprivileged_userns_clone, "
                  "or a security module such as AppArmor, may forbid them)"
            : clone_err == EPERM ? " (are you root? is a namespace type disabled?)"
                                 : "";
        error_set(&r->error, clone_err, "clone the container%s", hint);
        return;
    }
    *s->cloned = pid;
    close(take_fd(&child_end));
    if (out_w >= 0)
        close(take_fd(&out_w)); /* the command's copies are the only ones: their end is its end */
    step(s->o, into_cgroup ? "cloned into the cgroup" : "cloned", s->t);
    /* v2 without CLONE_INTO_CGROUP (Linux < 5.7): the child waits until it is moved in. */
    if (!s->late_cgroup && !into_cgroup && s->cg->paths && cgroup_attach(s->cg, pid, &r->error) < 0)
        return;
    /*
     * Opened now, while a child of a caller other than root is still
     * dumpable: once released it is not, and its /proc/PID/ns is root's.
     */
    _cleanup_close_ int userns_fd = -1;
    if (s->userns->active) {
        if (userns_write_maps(s->userns, pid, &r->error) < 0)
            return;
        userns_lease_owner(s->userns, pid);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        userns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (userns_fd < 0) {
            error_set(&r->error, errno, "open %s", path);
            return;
        }
        step(s->o, "id maps written", s->t);
    }
    bool netns = plan->clone_flags & CLONE_NEWNET;
    struct cpu_move move = {0};
    if (s->late_cgroup || netns)
        leave_cpu_of(pid, &move);
    bool gone = false;
    if (send(parent_end, "g", 1, MSG_NOSIGNAL) != 1) {
        if (!child_gone(errno)) {
            error_set(&r->error, errno, "release the container");
            return;
        }
        gone = true; /* nothing more to make for it */
    }
    if ((s->userns->idmap_layers || s->userns->n_idmap_binds) && !gone) {
        if (send_idmapped(plan, s->userns, userns_fd, parent_end, &r->error) < 0)
            return;
        step(s->o, "layers id-mapped", s->t);
    }
    if (s->late_cgroup && s->cg->paths && !gone) {
        if (make_cgroup_late(s->host, &plan->cgroup, s->cg, pid, parent_end, &r->error) < 0)
            return;
        cgroup_oom_kills(s->cg, &oom_before);
        step(s->o, "cgroup made", s->t);
    }
    if (netns && !gone) {
        bool made = s->net->maker > 0; /* and wired, by net_start's process, meanwhile */
        _cleanup_close_ int fd = made                ? net_finish(s->net, &r->error)
                                 : s->userns->active ? netns_make_in(userns_fd, &r->error)
                                                     : netns_make(&r->error);
        if (fd < 0)
            return;
        if (plan->net.mode != PLAN_NET_NONE && !made) {
            if (net_attach(s->net, fd, userns_fd, &r->error) < 0)
                return;
            step(s->o, plan->net.mode == PLAN_NET_PASTA ? "pasta started" : "veth attached",
                 s->t);
        }
        if (sync_send_fds(parent_end, SYNC_NETNS, &fd, 1) < 0 && !child_gone(errno)) {
            error_set(&r->error, errno, "send the network namespace to the container");
            return;
        }
        step(s->o, "network namespace made", s->t);
    }
    move_back(&move);
    const struct run_events *ev = s->o->events;
    static char *const no_cgroup[] = {NULL};
    if (ev && ev->created &&
        ev->created(ev->arg, pid, s->cg->paths ? s->cg->paths : no_cgroup, &r->error) < 0)
        return;
    /*
     * A launcher killed with SIGKILL left its cgroup behind: this run removes
     * it, while the child assembles its root and the parent would only wait.
     */
    struct congo_error stale = {0};
    if (s->cg->paths)
        cgroup_collect_stale(s->host, &plan->cgroup, &stale);
    error_clear(&stale);
    /* The child goes on with a namespace not wired yet, and waits for this before any hook. */
    if (s->net->maker > 0 && !gone) {
        if (net_wired(s->net, &r->error) < 0)
            return;
        sync_send_kind(parent_end, SYNC_NET_READY);
        step(s->o, "network wired", s->t);
    }
    if (hooks_before_start(plan) && !gone) {
        if (run_create_hooks(plan, s->o, pid, parent_end, r) < 0)
            return;
        step(s->o, "prestart and create_runtime hooks", s->t);
    }
    if (create) {
        if (await_child(parent_end, SYNC_READY, s->o->verbose, &term, r) == 0) {
            r->pid = pid;
            pid = -1; /* the engine's now: neither killed nor reaped here */
        }
        return;
    }
    struct started started = {.plan = plan, .o = s->o, .pid = pid};
    struct supervise_in in = {
        .pid = pid,
        .sync_fd = parent_end,
        .sigfd = sigfd,
        .stop_timeout_ms = plan->stop_timeout_ms,
        .verbose = s->o->verbose,
        .out_fd = out_r,
        .log = s->o->log,
        .started = on_started,
        .arg = &started,
    };
    struct supervise_out out;
    supervise(&in, &term, &out);
    pid = -1; /* reaped */
    step(s->o, "command exited", s->t);
    r->warning = out.warning;
    error_append(&r->warning, &started.warning);
    if (out.child_failed) {
        r->error = out.error;
        r->status = out.status;
        if (s->o->verbose && r->error.step)
            fprintf(s->o->verbose, "congo-launch: the container failed in its `%s` step\n",
                    r->error.step);
        return;
    }
    int status = out.wait_status;
    r->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    report_oom(plan, s->cg, oom_before, r);
}

int runtime_check_plan_caller(const struct run_plan *plan, struct congo_error *e)
{
    if (plan->userns == PLAN_USERNS_HOST && geteuid() != 0)
        return error_set(e, 0,
                         "user_namespace: host needs root; other users' containers have a user "
                         "namespace of their own (leave the key unset, or auto)");
    /*
     * Only root may make a device cgroup (v1's is root's; v2's is a BPF
     * program, which needs CAP_BPF): another user's container gets its
     * devices' nodes, whole, and no rule can narrow what they give.
     */
    for (size_t i = 0; geteuid() != 0 && i < plan->cgroup.n_devices; i++) {
        const struct plan_device *d = &plan->cgroup.devices[i];
        if (d->key && (!d->node || d->rule.access != DEV_RWM))
            return error_set(e, 0,
                             "%s: a device cgroup is root's alone to make: a user's container "
                             "gets its devices' nodes whole (access rwm) and no device_rules",
                             d->key);
    }
    return 0;
}


void runtime_run(const struct run_plan *plan, const struct run_opts *o, struct run_result *r)
{
    memset(r, 0, sizeof(*r));
    r->status = STATUS_LAUNCHER;
    r->pty_master = -1;
    uint64_t t = now_us();

    if (runtime_check_plan_caller(plan, &r->error) < 0 || rootfs_preflight(plan, &r->error) < 0)
        return;
    _cleanup_(userns_release) struct userns userns = {0};
    if (userns_prepare(plan, &userns, &r->error) < 0)
        return;
    /* What the profile names by path is opened now, so that a wrong one stops the run here. */
    _cleanup_(nsjoin_close) struct ns_joins joins = {0};
    if (nsjoin_open(plan, &joins, &r->error) < 0)
        return;
    if (o->create && plan->net.mode != PLAN_NET_NONE) {
        error_set(&r->error, 0, "network: a created container's network is its engine's to make");
        return;
    }
    /*
     * The mounts a new user namespace inherits are locked: none could be
     * detached, and the host's /proc and /sys beneath the moved root would
     * let the container's root mount them anew, unmasked.
     */
    if (o->no_pivot && (plan->clone_flags & CLONE_NEWUSER)) {
        error_set(&r->error, 0,
                  "--no-pivot does not go with a user namespace: the host's mounts would stay "
                  "beneath the container's root, locked, where its root could reach them; on "
                  "the initial ramfs, run as root without one (user_namespace: host)");
        return;
    }
    _cleanup_(signal_unblock) struct signal_block block = {0};
    signal_block(&block);
    /* Everything that can fail about the hardening fails here, before a cgroup exists. */
    struct security_ctx sec;
    if (security_prepare(plan, &sec, &r->error) < 0)
        return;

    static const struct cgroup_sources real = {
        .mountinfo = "/proc/self/mountinfo", .self_cgroup = "/proc/self/cgroup", .proc = "/proc"};
    _cleanup_(cgroup_host_free) struct cgroup_host host = {0};
    if (cgroup_detect(&host, &real, &r->error) < 0) {
        error_wrap(&r->error, "cgroups");
        return;
    }
    /*
     * On v1 and hybrid hosts the directories are made after the clone, while
     * the child assembles its root; a v2 cgroup must exist for
     * CLONE_INTO_CGROUP. Either way what the plan asks of the host's
     * controllers is checked here, before anything runs.
     */
    _cleanup_free_ char *cg_name =
        cgroup_name(&plan->cgroup, getpid(), proc_starttime("/proc", getpid()));
    if (!cg_name) {
        error_set(&r->error, 0, "cgroup for launcher %d: its start time is unknown", (int)getpid());
        return;
    }
    struct cgroup cg = {.v2_fd = -1};
    int usable = cgroup_plan_caller(&host, &plan->cgroup, cg_name, &cg, &r->error);
    if (usable < 0)
        return;
    /*
     * The first change to the host, once nothing else can refuse the run:
     * the host ports held, the address leased, the bridge ready.
     */
    _cleanup_(net_release) struct net net = {0};
    /* Without a user namespace to wait for, a bridge's is made on the side from now on. */
    if (net_prepare(plan, &net, &r->error) < 0 ||
        (plan->net.mode == PLAN_NET_BRIDGE && !(plan->clone_flags & CLONE_NEWUSER) &&
         net_start(&net, &r->error) < 0)) {
        cgroup_leave(&cg); /* planned only: nothing made yet */
        return;
    }
    if (plan->net.mode != PLAN_NET_NONE)
        step(o, "network prepared", &t);
    bool late_cgroup = usable && host.mode != CGROUP_V2;
    if (usable && !late_cgroup && cgroup_make(&host, &plan->cgroup, &cg, &r->error) < 0)
        return;
    step(o, !usable ? "no cgroup" : late_cgroup ? "cgroup planned" : "cgroup made", &t);

    pid_t cloned = 0;
    struct run_state s = {
        .plan = plan,
        .o = o,
        .host = &host,
        .cg = &cg,
        .joins = &joins,
        .late_cgroup = late_cgroup,
        .sec = &sec,
        .userns = &userns,
        .net = &net,
        .signals = &block.mask,
        .t = &t,
        .cloned = &cloned,
    };
    run_in_cgroup(&s, r);

    if (o->create && r->pid > 0) {
        cgroup_leave(&cg); /* the created container's, until its engine deletes it */
        userns_keep_lease(&userns);
        return;
    }
    /* Whatever is left in the cgroup (with `pid: false`, the command's children) dies here. */
    if (cgroup_destroy(&cg, &r->warning) < 0)
        error_wrap(&r->warning, "cleanup");
    step(o, "cleaned up", &t);
    /*
     * The container is gone (and so is a created one that failed), and its
     * network released: poststop, as a delete runs it.
     */
    if (cloned > 0 && plan->n_hooks[HOOK_POSTSTOP]) {
        net_release(&net);
        struct hook_state hs = hook_state_of(plan, o, cloned);
        _cleanup_free_ char *state = hook_state_json(&hs, HOOK_POSTSTOP);
        _cleanup_close_ int stopfd = stop_signalfd();
        hooks_run_warn(plan, HOOK_POSTSTOP, state, stopfd, &r->warning);
        step(o, "poststop hooks", &t);
    }
}

void run_result_free(struct run_result *r)
{
    error_clear(&r->error);
    error_clear(&r->warning);
    if (r->pty_master >= 0)
        close(r->pty_master);
    r->pty_master = -1;
}
