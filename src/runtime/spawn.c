/*
 * One run, from the launcher's side and the child's.
 *
 * The parent makes the cgroup, clones the child into new namespaces (and,
 * on cgroup v2, straight into its cgroup), releases it over a sync socket,
 * makes its network namespace meanwhile, then relays the terminal, forwards
 * signals, waits, reports and cleans up.
 * The child assembles its root, becomes the profile's user and execs; it
 * cannot print reliably, so its errors travel back over the sync socket, and
 * the socket closing on exec (O_CLOEXEC) tells the parent the exec worked.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/exec.h"
#include "runtime/rootfs.h"
#include "runtime/security.h"
#include "runtime/user.h"
#include "profile/schema.h"
#include "util/util.h"

/* The cgroup's part of a run plan (plan/plan.h), made here until the engine takes a whole plan. */
static void cgroup_request_of(const struct profile *p, struct cgroup_request *r)
{
    *r = (struct cgroup_request){
        .name = p->name,
        .parent = p->cgroup_parent,
        .pids = p->pids,
        .memory = p->memory,
        .memory_swap = p->memory_swap,
        .cpu_shares = p->cpu_shares,
        .cpu_quota = p->cpu_quota,
        .need_memory = p->memory != LIMIT_UNLIMITED || p->memory_swap != LIMIT_UNLIMITED,
        .need_cpu = p->cpu_shares > 0 || p->cpu_quota > 0,
        .pids_key = p->pids != LIMIT_UNLIMITED ? "limits.pids" : NULL,
        .memory_key = p->memory != LIMIT_UNLIMITED ? "limits.memory" : "limits.memory_swap",
        .cpu_key = p->cpu_shares > 0 ? "limits.cpu_shares" : "limits.cpus",
    };
}

/* ---- the sync socket ---- */

enum sync_kind {
    SYNC_LOG = 1, /* a setup step's timing, for -v */
    SYNC_ERROR,   /* the child failed: status and message */
    SYNC_PTY,     /* the master of the container's terminal, as SCM_RIGHTS */
    SYNC_CGROUP,  /* to the child: its cgroup's tasks files (v1), as SCM_RIGHTS */
    SYNC_NETNS,   /* to the child: its network namespace, as SCM_RIGHTS */
};

/* The most fds one message carries: a tasks file per v1 hierarchy used. */
#define SYNC_MAX_FDS 8

struct sync_msg {
    int32_t kind;
    int32_t status;
    char text[2040];
};

static void sync_send(int fd, enum sync_kind kind, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void sync_send(int fd, enum sync_kind kind, int status, const char *fmt, ...)
{
    struct sync_msg m = {.kind = kind, .status = status};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m.text, sizeof(m.text), fmt, ap);
    va_end(ap);
    /* SOCK_SEQPACKET: one message, whole, or nothing. */
    while (send(fd, &m, sizeof(m), MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

/* A message carrying n fds (SCM_RIGHTS, n <= SYNC_MAX_FDS); the receiver gets its own copies. */
static int sync_send_fds(int sock, enum sync_kind kind, const int *fds, int n)
{
    struct sync_msg m = {.kind = kind};
    char control[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)] = {0};
    struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* One message and the fds it carries (at most max; *n_fds of them). Returns what recvmsg did. */
static ssize_t sync_recv_fds(int sock, struct sync_msg *m, int *fds, int max, int *n_fds, int flags)
{
    char control[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
    struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control,
        .msg_controllen = sizeof(control),
    };
    /*
     * ECONNRESET: the peer closed while a message to it lay unread (a child
     * that failed before it read the launcher's next message). The kernel
     * reports that once, ahead of the messages still queued here, such as
     * the child's own error: read on.
     */
    ssize_t n;
    while ((n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC)) < 0 &&
           (errno == EINTR || errno == ECONNRESET))
        ;
    *n_fds = 0;
    if (n <= 0)
        return n;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        int got = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < got; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            if (*n_fds < max)
                fds[(*n_fds)++] = fd;
            else
                close(fd);
        }
    }
    m->text[sizeof(m->text) - 1] = '\0';
    return n;
}

/* The same with at most one fd: -1 in *passed_fd when there is none. */
static ssize_t sync_recv(int sock, struct sync_msg *m, int *passed_fd, int flags)
{
    int n_fds;
    ssize_t n = sync_recv_fds(sock, m, passed_fd, 1, &n_fds, flags);
    if (n_fds == 0)
        *passed_fd = -1;
    return n;
}

static const int forwarded_signals[] = {SIGTERM, SIGINT,  SIGHUP,  SIGQUIT,
                                        SIGUSR1, SIGUSR2, SIGWINCH};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- the child ---- */

struct child_ctx {
    const struct profile *p;
    const struct cgroup_host *host;
    const struct cgroup *cg;
    const struct security_plan *sec;
    int sync_fd;
    bool want_tty;    /* stdin is a terminal: the command gets one of its own */
    bool late_cgroup; /* v1: the launcher makes the cgroup after the clone (join_late) */
    bool joined_late; /* join_late ran */
    struct winsize winsize;
    bool verbose;
    char **argv;
    char **envp;
};

static void child_step(struct child_ctx *c, const char *step, uint64_t *t)
{
    if (!c->verbose)
        return;
    uint64_t n = now_us();
    sync_send(c->sync_fd, SYNC_LOG, 0, "%s: %.3f ms", step, (double)(n - *t) / 1000.0);
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

static _Noreturn void child_fail(struct child_ctx *c, int status, struct congo_error *e)
{
    sync_send(c->sync_fd, SYNC_ERROR, status, "%s", e->msg ? e->msg : "unknown error");
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

/*
 * Join what the launcher made while this child assembled the first part of
 * its root: on a v1 host its cgroup (see run_in_cgroup), and its network
 * namespace (see netns_make). Runs privileged in the child, before /sys is
 * mounted: the container's cgroup is bound there, and sysfs shows the
 * network devices of the namespace its mounter is in, which must not be the
 * host's. Nothing before this point forks or runs the container's code, so
 * nothing ran outside the limits.
 */
static int join_late(void *arg, struct congo_error *e)
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
    if (c->p->ns[NS_NET]) {
        _cleanup_close_ int fd = -1;
        if (wait_launcher(c, SYNC_NETNS, &fd, 1) != 1)
            _exit(STATUS_LAUNCHER);
        if (setns(fd, CLONE_NEWNET) < 0)
            return error_set(e, errno, "join the network namespace");
        child_step(c, "network namespace joined", timer->t);
    }
    c->joined_late = true;
    return 0;
}

/* Bring `lo` up: the only interface of a new network namespace. */
static int loopback_up(struct congo_error *e)
{
    _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return error_set(e, errno, "socket for `lo`");
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return error_set(e, errno, "read the flags of `lo`");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        return error_set(e, errno, "bring `lo` up");
    return 0;
}

/*
 * The working directory, opened inside the pivoted root and made when
 * missing. Resolved from the root's fd without magic links: a workdir of
 * /proc/self/fd/N would otherwise reach whatever the launcher's fd N is on
 * the host (CVE-2024-21626). Runs privileged in the child.
 */
static int open_workdir(const char *path, bool readonly, struct congo_error *e)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return error_set(e, errno, "open /");
    int fd = rootfs_open_dir(root, path, false, e);
    if (fd < 0 && e->err == ELOOP)
        return error_set(e, 0,
                         "workdir `%s` leads through a magic link such as /proc/self/fd/N; "
                         "it must be a directory of the container",
                         path);
    if (fd >= 0 || e->err != ENOENT)
        return fd < 0 ? error_wrap(e, "workdir") : fd;
    error_clear(e);
    if (readonly)
        return error_set(e, 0, "workdir `%s` does not exist, and readonly_rootfs forbids making it",
                         path);
    fd = rootfs_open_dir(root, path, true, e);
    return fd < 0 ? error_wrap(e, "workdir") : fd;
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

static int start_command(void *arg)
{
    struct child_ctx *c = arg;
    struct congo_error e = {0};
    int status = exec_command(c->argv, c->envp, &e);
    child_fail(c, status, &e);
}

/*
 * The command's terminal comes from the container's own devpts instance, so
 * `tty` inside names it (/dev/pts/0); the master goes to the parent over the
 * sync socket, which relays it to the caller's terminal. Runs privileged in
 * the child, after the root is assembled and before the user switch.
 */
static int open_terminal(struct child_ctx *c, const struct user_ids *u, struct congo_error *e)
{
    _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || unlockpt(master) < 0)
        return error_set(e, errno, "open /dev/ptmx in the container");
    ioctl(master, TIOCSWINSZ, &c->winsize);
    char name[64];
    if (ptsname_r(master, name, sizeof(name)) != 0)
        return error_set(e, errno, "ptsname");
    _cleanup_close_ int tty = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty < 0 || ioctl(tty, TIOCSCTTY, 0) < 0)
        return error_set(e, errno, "make `%s` the controlling terminal", name);
    /* The user owns its terminal, as after a login. */
    if (fchown(tty, u->uid, (gid_t)-1) < 0)
        return error_set(e, errno, "chown `%s`", name);
    for (int fd = 0; fd < 3; fd++)
        if (dup2(tty, fd) < 0)
            return error_set(e, errno, "dup2 the terminal");
    if (sync_send_fds(c->sync_fd, SYNC_PTY, &master, 1) < 0)
        return error_set(e, errno, "send the terminal to the launcher");
    return 0;
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

/*
 * Everything the child does, in order. Runs privileged in the new
 * namespaces, and never returns: it execs, or reports and exits.
 */
static _Noreturn void child_main(struct child_ctx *c)
{
    struct congo_error e = {0};
    uint64_t t = now_us();

    /* Die with the launcher; and the launcher may already be gone. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        _exit(STATUS_LAUNCHER);
    char go;
    if (read(c->sync_fd, &go, 1) != 1)
        _exit(STATUS_LAUNCHER);
    /* It may have written "g" and died before this child ran its prctl. */
    if (launcher_gone(c->sync_fd))
        _exit(STATUS_LAUNCHER);

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Never the caller's terminal: a session of its own, and our pty if there is one. */
    if (setsid() < 0) {
        error_set(&e, errno, "setsid");
        child_fail(c, STATUS_LAUNCHER, &e);
    }
    struct step_timer timer = {.c = c, .t = &t};
    struct rootfs_steps steps = {.done = rootfs_step, .before_sys = join_late, .arg = &timer};
    if (rootfs_setup(c->p, c->host, c->cg, &steps, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, &e);
    /* Never the launcher's cgroup or the host's network by an oversight. */
    if (!c->joined_late) {
        error_set(&e, 0, "the root was assembled without joining the cgroup and network namespace");
        child_fail(c, STATUS_LAUNCHER, &e);
    }

    _cleanup_free_ char *hostname = profile_effective_hostname(c->p);
    if (hostname && sethostname(hostname, strlen(hostname)) < 0) {
        error_set(&e, errno, "sethostname `%s`", hostname);
        child_fail(c, STATUS_LAUNCHER, &e);
    }

    _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct user_ids u = {0};
    if (rootfd < 0 || user_resolve(rootfd, c->p->user, &u, &e) < 0) {
        if (rootfd < 0)
            error_set(&e, errno, "open /");
        error_wrap(&e, "user");
        child_fail(c, STATUS_LAUNCHER, &e);
    }
    if (c->want_tty && open_terminal(c, &u, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, &e);
    const char *workdir = c->p->workdir ? c->p->workdir : "/";
    int workdir_fd = open_workdir(workdir, c->p->readonly_rootfs, &e);
    if (workdir_fd < 0 || fchdir(workdir_fd) < 0) {
        if (workdir_fd >= 0)
            error_set(&e, errno, "workdir: chdir `%s`", workdir);
        child_fail(c, STATUS_LAUNCHER, &e);
    }
    close(workdir_fd);
    c->envp = env_build(c->p, u.home, hostname, getenv("TERM"));
    c->argv = c->p->command;

    /*
     * Only fds 0-2 reach the command, and the sync socket, which closes on
     * exec. Closed, not merely marked close-on-exec: the init never execs,
     * and an fd the caller leaked (say, to the host's `/`) must not live on
     * in the container's PID 1.
     */
    if (syscall(SYS_close_range, 3, (unsigned)c->sync_fd - 1, 0) < 0 ||
        syscall(SYS_close_range, (unsigned)c->sync_fd + 1, ~0U, 0) < 0) {
        error_set(&e, errno, "close_range");
        child_fail(c, STATUS_LAUNCHER, &e);
    }
    rootfd = -1; /* closed just now */
    if (security_apply_before_user(c->sec, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, &e);
    if (setgroups(u.n_groups, u.groups) < 0 || setgid(u.gid) < 0 || setuid(u.uid) < 0) {
        error_set(&e, errno, "switch to user %u:%u", (unsigned)u.uid, (unsigned)u.gid);
        child_fail(c, STATUS_LAUNCHER, &e);
    }
    /*
     * A change of uid or gid clears the parent-death signal (the kernel's
     * commit_creds): arm it again, or a container run as another user
     * outlives a SIGKILLed launcher. Before the seccomp filter, which may
     * forbid prctl or poll.
     */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || launcher_gone(c->sync_fd))
        _exit(STATUS_LAUNCHER);
    if (security_apply_after_user(c->sec, u.uid, &e) < 0)
        child_fail(c, STATUS_LAUNCHER, &e);
    /* The directory was entered as root: the user must still be able to use it. */
    if (access(".", X_OK) < 0) {
        error_set(&e, errno, "workdir `%s` as user %u", workdir, (unsigned)u.uid);
        child_fail(c, STATUS_LAUNCHER, &e);
    }
    child_step(c, "process ready", &t);

    if (c->p->init) {
        hide_launcher_args();
        _exit(init_run(start_command, c, c->sync_fd));
    }
    start_command(c);
    _exit(STATUS_LAUNCHER);
}

/* ---- the parent ---- */

/*
 * The container's network namespace, with `lo` up, as an fd. Setting up a
 * network namespace is the slowest part of a clone (every network
 * subsystem initialises its own state: 0.5 ms of a 4 ms start), so the
 * launcher makes it after releasing the child, while the child assembles
 * the first part of its root on the other CPU; the child joins it before it
 * mounts /sys. The launcher itself goes back to the namespace it came from.
 */
static int netns_make(struct congo_error *e)
{
    _cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0)
        return error_set(e, errno, "open /proc/self/ns/net");
    if (unshare(CLONE_NEWNET) < 0)
        return error_set(e, errno, "make the network namespace%s",
                         errno == EPERM ? " (are you root? is a namespace type disabled?)" : "");
    _cleanup_close_ int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int made = fd < 0 ? error_set(e, errno, "open the new /proc/self/ns/net") : loopback_up(e);
    /* Back whatever happened; a failure there matters less than the first one. */
    if (setns(own, CLONE_NEWNET) < 0 && made == 0)
        return error_set(e, errno, "return to the launcher's network namespace");
    return made < 0 ? -1 : take_fd(&fd);
}

/* The child's namespaces, but for the network's: see netns_make. */
static pid_t clone_child(const struct profile *p, const struct cgroup *cg, bool *into_cgroup)
{
    uint64_t flags = CLONE_NEWNS;
    static const uint64_t ns_flags[NS__MAX] = {
        [NS_CGROUP] = CLONE_NEWCGROUP, [NS_IPC] = CLONE_NEWIPC,
        [NS_MOUNT] = CLONE_NEWNS,      [NS_NET] = 0,
        [NS_PID] = CLONE_NEWPID,       [NS_UTS] = CLONE_NEWUTS,
    };
    for (int i = 0; i < NS__MAX; i++)
        if (p->ns[i])
            flags |= ns_flags[i];
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

/* The caller's terminal, raw while the container's own one is relayed to it. */
struct terminal {
    bool wanted;
    int master; /* from the child; -1 until it arrives */
    bool raw;
    struct termios saved;
    struct winsize winsize;
};

static void terminal_prepare(struct terminal *t)
{
    t->master = -1;
    if (!isatty(STDIN_FILENO))
        return;
    t->wanted = true;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &t->winsize) < 0)
        t->winsize = (struct winsize){.ws_row = 24, .ws_col = 80};
    if (tcgetattr(STDIN_FILENO, &t->saved) == 0) {
        struct termios raw = t->saved;
        cfmakeraw(&raw);
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
            t->raw = true;
    }
}

static void terminal_close(struct terminal *t)
{
    if (t->raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
    if (t->master >= 0)
        close(t->master);
    t->master = -1;
    t->raw = false;
}

static bool copy_fd(int from, int to)
{
    char buf[4096];
    ssize_t n = read(from, buf, sizeof(buf));
    if (n <= 0)
        return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return true; /* the reader is gone; keep draining the pty */
        }
        off += w;
    }
    return true;
}

static void step(const struct run_opts *o, const char *what, uint64_t *t)
{
    if (!o->verbose)
        return;
    uint64_t n = now_us();
    fprintf(o->verbose, "congo-launch: %s: %.3f ms\n", what, (double)(n - *t) / 1000.0);
    *t = n;
}

static unsigned long long self_starttime(void)
{
    return proc_starttime("/proc", getpid());
}

/* One message from the child: a log line, its failure, or its terminal. */
static void handle_sync(const struct sync_msg *m, int passed_fd, struct terminal *t,
                        const struct run_opts *o, struct run_result *r)
{
    if (m->kind == SYNC_PTY && passed_fd >= 0 && t->master < 0) {
        t->master = passed_fd;
        return;
    }
    if (passed_fd >= 0)
        close(passed_fd);
    if (m->kind == SYNC_LOG && o->verbose) {
        fprintf(o->verbose, "congo-launch: %s\n", m->text);
    } else if (m->kind == SYNC_ERROR && !r->error.msg) {
        error_set(&r->error, 0, "%s", m->text);
        r->status = m->status;
    }
}

/*
 * Wait for the child while relaying the terminal and forwarding signals.
 * Returns its wait status; the child's own error lands in r.
 */
static int supervise(const struct profile *p, pid_t pid, int sync_fd, int sigfd, struct terminal *t,
                     const struct run_opts *o, struct run_result *r)
{
    bool sync_open = true, stdin_open = t->wanted, master_open = true, stopping = false;
    /* Armed by the first stop signal: the command then has stop_timeout before SIGKILL. */
    _cleanup_close_ int stop_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    for (;;) {
        bool relay = t->master >= 0;
        struct pollfd fds[5] = {
            {.fd = sigfd, .events = POLLIN},
            {.fd = sync_open ? sync_fd : -1, .events = POLLIN},
            {.fd = relay && stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
            {.fd = relay && master_open ? t->master : -1, .events = POLLIN},
            {.fd = stopping ? stop_timer : -1, .events = POLLIN},
        };
        if (poll(fds, 5, -1) < 0) {
            if (errno == EINTR)
                continue;
            error_set(&r->warning, errno, "poll");
            break;
        }
        if (fds[1].revents) {
            struct sync_msg m;
            int passed;
            if (sync_recv(sync_fd, &m, &passed, 0) <= 0)
                sync_open = false;
            else
                handle_sync(&m, passed, t, o, r);
        }
        if (fds[2].revents && !copy_fd(STDIN_FILENO, t->master))
            stdin_open = false;
        if (fds[3].revents && !copy_fd(t->master, STDOUT_FILENO))
            master_open = false;
        if (fds[4].revents) {
            uint64_t expirations;
            if (read(stop_timer, &expirations, sizeof(expirations)) > 0) {
                _cleanup_free_ char *d = format_duration(p->stop_timeout_ms);
                error_set(&r->warning, 0,
                          "the command did not stop within stop_timeout (%s): sent SIGKILL", d);
                kill(pid, SIGKILL);
            }
        }
        if (!fds[0].revents)
            continue;
        struct signalfd_siginfo si;
        while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
            /* The terminal inside follows the caller's size; its resize signals the command. */
            if (si.ssi_signo == SIGWINCH && t->master >= 0) {
                struct winsize ws;
                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                    ioctl(t->master, TIOCSWINSZ, &ws);
            }
            if (si.ssi_signo == SIGCHLD)
                continue;
            kill(pid, (int)si.ssi_signo);
            bool stop = si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP;
            if (stop && !stopping && stop_timer >= 0) {
                struct itimerspec when = {
                    .it_value = {.tv_sec = p->stop_timeout_ms / 1000,
                                 .tv_nsec = (p->stop_timeout_ms % 1000) * 1000000},
                };
                /* A zero it_value disarms: a timeout of 0 means at once, 1 ns. */
                if (p->stop_timeout_ms == 0)
                    when.it_value.tv_nsec = 1;
                timerfd_settime(stop_timer, 0, &when, NULL);
                stopping = true;
            }
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) != pid)
            continue;
        /* Drain what the command wrote last, and the child's last words. */
        while (t->master >= 0 && master_open && copy_fd(t->master, STDOUT_FILENO))
            ;
        struct sync_msg m;
        int passed;
        while (sync_open && sync_recv(sync_fd, &m, &passed, MSG_DONTWAIT) > 0)
            handle_sync(&m, passed, t, o, r);
        return status;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

/* The signals supervise() reads from a signalfd stay blocked for this scope only. */
struct signal_block {
    sigset_t old;
    bool active;
};

static void signal_unblock(struct signal_block *b)
{
    if (b->active)
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

static void security_plan_freep(struct security_plan **plan)
{
    security_plan_free(*plan);
}

/* The memory limit's OOM kill, told as such rather than as a bare SIGKILL. */
static void report_oom(const struct profile *p, const struct cgroup *cg, uint64_t before,
                       struct run_result *r)
{
    uint64_t after = 0;
    if (r->status != 128 + SIGKILL || cgroup_oom_kills(cg, &after) < 0 || after <= before)
        return;
    _cleanup_free_ char *limit =
        p->memory == LIMIT_UNLIMITED ? xstrdup("unlimited") : format_size(p->memory);
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
 * A send to the child failed because the child is gone (EPIPE, or
 * ECONNRESET when it left a message unread): it said why before it went,
 * and supervise() reports that.
 */
static bool child_gone(int err)
{
    return err == EPIPE || err == ECONNRESET;
}

/*
 * v1 and hybrid hosts: make the cgroup planned before the clone and send the
 * child its tasks files, through which it moves itself in (join_late). A
 * tree with more hierarchies than one message carries gets the child moved
 * by pid instead.
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
 * Clone the container (on v2 straight into cg), release it, make what it
 * joins later (on v1 its cgroup, then its network namespace) while it
 * assembles its root, and supervise it to the end.
 */
static void run_in_cgroup(const struct profile *p, const struct run_opts *o,
                          const struct cgroup_host *host, const struct cgroup_request *req,
                          struct cgroup *cg, bool late_cgroup, const struct security_plan *sec,
                          uint64_t *t, struct run_result *r)
{
    _cleanup_(signal_unblock) struct signal_block block = {0};
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
        sigaddset(&mask, forwarded_signals[i]);
    block.active = sigprocmask(SIG_BLOCK, &mask, &block.old) == 0;
    _cleanup_close_ int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
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
    terminal_prepare(&term);
    uint64_t oom_before = 0;
    if (!late_cgroup)
        cgroup_oom_kills(cg, &oom_before);

    struct child_ctx ctx = {
        .p = p,
        .host = host,
        .cg = cg,
        .sec = sec,
        .sync_fd = child_end,
        .want_tty = term.wanted,
        .winsize = term.winsize,
        .verbose = o->verbose != NULL,
        .late_cgroup = late_cgroup,
    };
    bool into_cgroup = false;
    fflush(NULL);
    _cleanup_(reap_child) pid_t pid = clone_child(p, cg, &into_cgroup);
    if (pid < 0) {
        error_set(&r->error, errno, "clone the container%s",
                  errno == EPERM ? " (are you root? is a namespace type disabled?)" : "");
        return;
    }
    if (pid == 0) {
        close(parent_end);
        child_main(&ctx);
    }
    close(take_fd(&child_end));
    step(o, into_cgroup ? "cloned into the cgroup" : "cloned", t);
    /* v2 without CLONE_INTO_CGROUP (Linux < 5.7): the child waits until it is moved in. */
    if (!late_cgroup && !into_cgroup && cgroup_attach(cg, pid, &r->error) < 0)
        return;
    struct cpu_move move = {0};
    if (late_cgroup || p->ns[NS_NET])
        leave_cpu_of(pid, &move);
    bool gone = false;
    if (send(parent_end, "g", 1, MSG_NOSIGNAL) != 1) {
        if (!child_gone(errno)) {
            error_set(&r->error, errno, "release the container");
            return;
        }
        gone = true; /* nothing more to make for it */
    }
    if (late_cgroup && !gone) {
        if (make_cgroup_late(host, req, cg, pid, parent_end, &r->error) < 0)
            return;
        cgroup_oom_kills(cg, &oom_before);
        step(o, "cgroup made", t);
    }
    if (p->ns[NS_NET] && !gone) {
        _cleanup_close_ int netns = netns_make(&r->error);
        if (netns < 0)
            return;
        if (sync_send_fds(parent_end, SYNC_NETNS, &netns, 1) < 0 && !child_gone(errno)) {
            error_set(&r->error, errno, "send the network namespace to the container");
            return;
        }
        step(o, "network namespace made", t);
    }
    move_back(&move);
    /*
     * A launcher killed with SIGKILL left its cgroup behind: this run removes
     * it, while the child assembles its root and the parent would only wait.
     */
    struct congo_error stale = {0};
    cgroup_collect_stale(host, req, &stale);
    error_clear(&stale);
    int status = supervise(p, pid, parent_end, sigfd, &term, o, r);
    pid = -1; /* reaped */
    step(o, "command exited", t);
    if (r->error.msg)
        return;
    r->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    report_oom(p, cg, oom_before, r);
}

void runtime_run(const struct profile *p, const struct run_opts *o, struct run_result *r)
{
    memset(r, 0, sizeof(*r));
    r->status = STATUS_LAUNCHER;
    uint64_t t = now_us();

    if (geteuid() != 0) {
        error_set(&r->error, 0,
                  "running a container needs root (rootless runs are not supported yet)");
        return;
    }
    if (!p->command) {
        error_set(&r->error, 0, "no command: the profile has none; give one after `--`");
        return;
    }
    if (rootfs_preflight(p, &r->error) < 0)
        return;
    /* Everything that can fail about the hardening fails here, before a cgroup exists. */
    _cleanup_(security_plan_freep) struct security_plan *sec = NULL;
    if (security_plan_new(p, &sec, &r->error) < 0)
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
     * CLONE_INTO_CGROUP. Either way what the profile asks of the host's
     * controllers is checked here, before anything runs.
     */
    struct cgroup_request req;
    cgroup_request_of(p, &req);
    _cleanup_free_ char *cg_name = cgroup_name(&req, getpid(), self_starttime());
    if (!cg_name) {
        error_set(&r->error, 0, "cgroup for launcher %d: its start time is unknown", (int)getpid());
        return;
    }
    struct cgroup cg = {.v2_fd = -1};
    if (cgroup_plan(&host, &req, cg_name, &cg, &r->error) < 0)
        return;
    bool late_cgroup = host.mode != CGROUP_V2;
    if (!late_cgroup && cgroup_make(&host, &req, &cg, &r->error) < 0)
        return;
    step(o, late_cgroup ? "cgroup planned" : "cgroup made", &t);

    run_in_cgroup(p, o, &host, &req, &cg, late_cgroup, sec, &t, r);

    /* Whatever is left in the cgroup (with `pid: false`, the command's children) dies here. */
    if (cgroup_destroy(&cg, &r->warning) < 0)
        error_wrap(&r->warning, "cleanup");
    step(o, "cleaned up", &t);
}

void run_result_free(struct run_result *r)
{
    error_clear(&r->error);
    error_clear(&r->warning);
}
