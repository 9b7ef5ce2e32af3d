/*
 * --exec: a command in a running container, under the policy of its own
 * command (the plan it was started from).
 *
 * The launcher forks a helper; the helper makes itself non-dumpable, joins
 * the container's cgroup, closes every fd but the sync socket and the
 * container's pidfd (and, for a root moved over `/` by --no-pivot, its
 * process's root), joins its namespaces with one setns on that pidfd
 * (which also sets its root and working directory to the container's
 * root; a moved root is entered by its fd), and forks the process that
 * runs the command, in the container's PID namespace. The helper then exits; the launcher, a child subreaper,
 * inherits that process, relays its terminal, forwards signals and
 * reports its status.
 *
 * Why in this order (runc's CVE-2016-9962): from the moment a process is
 * in the container's PID namespace, the container's root can ptrace it or
 * read its /proc entries. So nothing of the host may be left in it then:
 * it is non-dumpable (no ptrace, /proc/PID/fd, cwd or environ from
 * outside) until it execs, holds no host fd, and its working directory is
 * already the container's. It drops its capabilities, sets
 * no_new_privileges and loads the seccomp filter exactly as a run's
 * command does, the filter right before its execve.
 */
#include "runtime/join.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/exec.h"
#include "runtime/rootfs.h"
#include "runtime/security.h"
#include "runtime/supervise.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "runtime/user.h"
#include "util/util.h"

/* The namespaces a command joins: the container's, as its plan made or joined them. */
#define JOIN_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
                    CLONE_NEWPID | CLONE_NEWCGROUP)

/* The container's own namespaces, new or joined by path: all the host's but these. */
static uint64_t container_ns(const struct run_plan *plan)
{
    uint64_t flags = plan->clone_flags;
    for (size_t i = 0; i < plan->n_ns_joins; i++)
        flags |= plan->ns_joins[i].flag;
    return flags;
}

struct joiner {
    const struct run_plan *plan;
    const struct join_request *x;
    const struct security_ctx *sec;
    int sync_fd;
    int pidfd;
    int rootfd;    /* the root of the process joined, for a root moved over / (--no-pivot) */
    int cgroup_fd; /* v2: the container's cgroup, for CLONE_INTO_CGROUP; else -1 */
    bool want_tty;
    struct winsize winsize;
    bool no_setgroups; /* the container's user namespace denies setgroups */
};

static _Noreturn void fail(int sock, int status, const char *step, struct congo_error *e)
{
    sync_send_error(sock, status, step, e);
    _exit(status);
}

/* The command's environment: the plan's, HOME from the container's passwd, then --env. */
static char **exec_env(const struct run_plan *plan, const char *home, char *const *extra)
{
    char **env = user_env(plan, home);
    for (size_t i = 0; extra && extra[i]; i++) {
        const char *eq = strchr(extra[i], '=');
        size_t n = eq ? (size_t)(eq - extra[i]) : strlen(extra[i]);
        bool replaced = false;
        for (size_t j = 0; env[j] && !replaced; j++)
            if (strncmp(env[j], extra[i], n) == 0 && env[j][n] == '=') {
                free(env[j]);
                env[j] = xstrdup(extra[i]);
                replaced = true;
            }
        if (!replaced)
            strv_push(&env, xstrdup(extra[i]));
    }
    return env;
}

/*
 * The user namespace of the container's process pid denies setgroups
 * (user_namespaces(7)): only ever one a caller other than root made with
 * its own ids alone. Read from the host's /proc before joining, never from
 * the container's, whose root may mount one of its own over it.
 */
static bool setgroups_denied(pid_t pid)
{
    if (geteuid() == 0)
        return false;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
    _cleanup_free_ char *text = NULL;
    size_t len;
    return read_file_max(path, 16, &text, &len) == 0 && strncmp(text, "deny", 4) == 0;
}

/*
 * In the container's namespaces and cgroup, its root as root and cwd:
 * become the command. Runs privileged, non-dumpable, with no host fd.
 */
static _Noreturn void command_main(struct joiner *j)
{
    const struct run_plan *plan = j->plan;
    struct congo_error e = {0};
    /* The last fds of the host's but the sync socket: the cgroup it was cloned into, the pidfd. */
    if (j->cgroup_fd >= 0)
        close(j->cgroup_fd);
    j->cgroup_fd = -1;
    if ((container_ns(plan) & CLONE_NEWCGROUP) && setns(j->pidfd, CLONE_NEWCGROUP) < 0) {
        error_set(&e, errno, "join the container's cgroup namespace");
        fail(j->sync_fd, STATUS_LAUNCHER, "join", &e);
    }
    close(j->pidfd);
    j->pidfd = -1;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid() < 0) {
        error_set(&e, errno, "setsid");
        fail(j->sync_fd, STATUS_LAUNCHER, "session", &e);
    }
    const char *user = j->x->user ? j->x->user : plan->user;
    _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct user_ids u = {0};
    if (rootfd < 0 || user_resolve(rootfd, user, &u, &e) < 0) {
        if (rootfd < 0)
            error_set(&e, errno, "open /");
        error_wrap(&e, "user");
        fail(j->sync_fd, STATUS_LAUNCHER, "user", &e);
    }
    /* A user namespace with setgroups denied (a single mapping): as the command was started. */
    bool no_setgroups = j->no_setgroups;
    if (!plan->initgroups || no_setgroups)
        user_drop_memberships(&u);
    if (user_add_groups(rootfd, plan->groups, &u, &e) < 0) {
        error_wrap(&e, "groups");
        fail(j->sync_fd, STATUS_LAUNCHER, "user", &e);
    }
    if (no_setgroups && u.n_groups) {
        error_set(&e, 0, "groups: setgroups is denied in the container's user namespace");
        fail(j->sync_fd, STATUS_LAUNCHER, "user", &e);
    }
    close(take_fd(&rootfd));
    if (j->want_tty && terminal_open_in_child(j->sync_fd, &j->winsize, u.uid, &e) < 0)
        fail(j->sync_fd, STATUS_LAUNCHER, "terminal", &e);
    const char *workdir = j->x->workdir ? j->x->workdir : plan->workdir;
    int wd = rootfs_open_workdir(workdir, plan->root.readonly, &e);
    if (wd < 0 || fchdir(wd) < 0) {
        if (wd >= 0)
            error_set(&e, errno, "workdir: chdir `%s`", workdir);
        fail(j->sync_fd, STATUS_LAUNCHER, "workdir", &e);
    }
    close(wd);
    char **env = exec_env(plan, u.home, j->x->env);
    if (security_apply_before_user(j->sec, &e) < 0)
        fail(j->sync_fd, STATUS_LAUNCHER, "security", &e);
    if ((!no_setgroups && setgroups(u.n_groups, u.groups) < 0) || setgid(u.gid) < 0 ||
        setuid(u.uid) < 0) {
        error_set(&e, errno, "switch to user %u:%u%s", (unsigned)u.uid, (unsigned)u.gid,
                  errno == EINVAL ? " (not mapped in the container's user namespace)" : "");
        fail(j->sync_fd, STATUS_LAUNCHER, "user", &e);
    }
    /* The switch re-armed nothing: the process stays non-dumpable until exec. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (security_apply_after_user(j->sec, u.uid, &e) < 0)
        fail(j->sync_fd, STATUS_LAUNCHER, "security", &e);
    if (access(".", X_OK) < 0) {
        error_set(&e, errno, "workdir `%s` as user %u", workdir, (unsigned)u.uid);
        fail(j->sync_fd, STATUS_LAUNCHER, "workdir", &e);
    }
    /* Found first, so that the execve is the first call the seccomp filter sees. */
    char *found = exec_find(j->x->argv, env);
    sync_send_kind(j->sync_fd, SYNC_EXEC);
    if (security_load_filter(j->sec, &e) < 0)
        fail(j->sync_fd, STATUS_LAUNCHER, "security", &e);
    if (found)
        execve(found, j->x->argv, env);
    int status = exec_command(j->x->argv, env, &e);
    fail(j->sync_fd, status, "exec", &e);
}

/*
 * Into the container's cgroup. v1: this thread moves itself through each
 * hierarchy's `tasks` (moving a whole thread group through cgroup.procs
 * waits out an RCU grace period: milliseconds), and the command's process,
 * forked later, is born there. v2: the directory, opened, for the command's
 * process to be cloned straight into (CLONE_INTO_CGROUP). Returns that fd,
 * -1 when there is none to use (v1), or -2 with e filled.
 */
static int join_cgroup(char *const *dirs, struct congo_error *e)
{
    int v2 = -1;
    for (size_t i = 0; dirs && dirs[i]; i++) {
        _cleanup_free_ char *tasks = xasprintf("%s/tasks", dirs[i]);
        _cleanup_close_ int fd = open(tasks, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            if (write(fd, "0", 1) != 1)
                return error_set(e, errno, "join the container's cgroup `%s`", dirs[i]), -2;
            continue;
        }
        if (errno != ENOENT || v2 >= 0)
            return error_set(e, errno, "join the container's cgroup `%s`", dirs[i]), -2;
        v2 = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (v2 < 0)
            return error_set(e, errno, "open the container's cgroup `%s`", dirs[i]), -2;
    }
    return v2;
}

/*
 * The command's process: forked, or on v2 cloned straight into the
 * cgroup. On a kernel without clone3's CLONE_INTO_CGROUP (before 5.7) the
 * helper moves itself in first, and the fork is born there.
 */
static pid_t fork_into(int cgroup_fd)
{
    if (cgroup_fd < 0)
        return fork();
    struct clone_args args = {.flags = CLONE_INTO_CGROUP,
                              .exit_signal = SIGCHLD,
                              .cgroup = (uint64_t)cgroup_fd};
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
        return pid;
    /* Old kernel: this helper moves itself by cgroup.procs, and the fork inherits it. */
    int procs = openat(cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (procs < 0 || write(procs, "0", 1) != 1) {
        if (procs >= 0)
            close(procs);
        return -1;
    }
    close(procs);
    return fork();
}

/*
 * The helper: into the container, then fork the command's process there.
 * Runs privileged. Its errors go to the launcher like the command's.
 */
static _Noreturn void helper_main(struct joiner *j)
{
    struct congo_error e = {0};
    /* Before anything of the container can see this process. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        error_set(&e, errno, "prctl(PR_SET_DUMPABLE)");
        fail(j->sync_fd, STATUS_LAUNCHER, "join", &e);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The cgroup first, through the host's paths, while they are still reachable. */
    j->cgroup_fd = join_cgroup(j->x->cgroups, &e);
    if (j->cgroup_fd < -1)
        fail(j->sync_fd, STATUS_LAUNCHER, "cgroup", &e);
    /* No host fd but these goes further: the pidfd and root go at setns, the cgroup's at clone. */
    int keep[] = {j->sync_fd, j->pidfd, j->rootfd, j->cgroup_fd};
    if (close_all_but_passed(keep, ARRAY_SIZE(keep), j->x->preserve_fds) < 0) {
        error_set(&e, errno, "close_range");
        fail(j->sync_fd, STATUS_LAUNCHER, "join", &e);
    }
    /*
     * Every namespace but the cgroup's: from inside that one the host's
     * cgroups above the container's are out of sight, and the kernel then
     * refuses to move a process from one of them (nsdelegate) into the
     * container's cgroup. The command's process joins it itself, once there.
     */
    int flags = (int)(container_ns(j->plan) & JOIN_FLAGS & ~(uint64_t)CLONE_NEWCGROUP);
    if (setns(j->pidfd, flags) < 0) {
        error_set(&e, errno, "join the container's namespaces%s",
                  errno == ESRCH ? " (it has stopped)" : "");
        fail(j->sync_fd, errno == ESRCH ? 1 : STATUS_LAUNCHER, "join", &e);
    }
    /* setns gave the top of the mount namespace's root; a moved root is its process's. */
    if (j->rootfd >= 0 && (fchdir(j->rootfd) < 0 || chroot(".") < 0)) {
        error_set(&e, errno, "enter the container's root");
        fail(j->sync_fd, STATUS_LAUNCHER, "join", &e);
    }
    if (j->rootfd >= 0)
        close(j->rootfd);
    j->rootfd = -1;
    pid_t pid = fork_into(j->cgroup_fd);
    if (pid < 0) {
        error_set(&e, errno, "fork into the container");
        fail(j->sync_fd, STATUS_LAUNCHER, "join", &e);
    }
    if (pid == 0)
        command_main(j);
    close(j->pidfd);
    /* Its pid as the launcher, our parent, sees it: this process is still in the host's namespace. */
    struct sync_msg m = {.kind = SYNC_PID, .status = pid};
    if (send(j->sync_fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
        kill(pid, SIGKILL);
    _exit(0);
}

/*
 * Detached: every message until the socket's end, which comes when the
 * helper has exited and the command has exec'd (its end is close-on-exec)
 * or failed (it said why first). The command is nobody's child of ours.
 */
static void join_detached(pid_t helper, int sock, struct terminal *term, struct run_result *r)
{
    pid_t pid = -1;
    bool failed = false, exec = false;
    struct sync_msg m;
    int passed;
    while (sync_recv(sock, &m, &passed, 0) > 0) {
        if (m.kind == SYNC_PTY && passed >= 0 && term->master < 0) {
            term->master = passed;
            continue;
        }
        if (passed >= 0)
            close(passed);
        if (m.kind == SYNC_PID) {
            pid = m.status;
        } else if (m.kind == SYNC_EXEC) {
            exec = true;
        } else if (m.kind == SYNC_ERROR && !failed) {
            sync_error_of(&m, &r->error);
            r->status = m.status;
            failed = true;
        }
    }
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    if (failed)
        return;
    if (pid <= 0 || !exec) {
        error_set(&r->error, 0, "the helper that joins the container died");
        return;
    }
    r->status = 0;
    r->pid = pid;
    r->pty_master = term->master;
    term->master = -1;
}

/*
 * congo's init never execs, so it stays non-dumpable with the launcher's
 * memory map, which only root may enter (setns through its pidfd is a
 * ptrace check): a caller other than root joins through the command, the
 * init's child, which exec'd and is its own. Its parent is checked once its
 * pidfd pins it, so a recycled pid is never joined.
 */
static int open_command_of_init(const struct join_request *x, int init_fd, pid_t *pid,
                                struct congo_error *e)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)x->pid, (int)x->pid);
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max(path, 4096, &text, &len) < 0 || atoi(text) <= 0)
        return error_set(e, 0, "the container's command is gone");
    pid_t child = (pid_t)atoi(text);
    _cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, child, 0);
    unsigned long long ppid = 0;
    if (fd < 0 || proc_stat_field("/proc", child, 4, &ppid, NULL) < 0 || (pid_t)ppid != x->pid ||
        syscall(SYS_pidfd_send_signal, init_fd, 0, NULL, 0) < 0)
        return error_set(e, 0, "the container's command is gone");
    *pid = child;
    return take_fd(&fd);
}

/*
 * Open the container's first process, making sure it is the one the state
 * names, and, for a root moved over `/` (x->moved_root), that process's
 * root: setns gives the top of the mount namespace's root, which is that
 * root only until the container unmounts it (the scratch tmpfs, then the
 * host's ramfs lie beneath); else *rootfd is -1.
 */
static int open_container(const struct run_plan *plan, const struct join_request *x, int *rootfd,
                          struct congo_error *e)
{
    _cleanup_close_ int fd = pidfd_of(x->pid, x->pid_start);
    if (fd < 0)
        return error_set(e, 0, "the container's first process (%d) is gone", (int)x->pid);
    pid_t pid = x->pid;
    if (geteuid() != 0 && plan->init) {
        int cmd = open_command_of_init(x, fd, &pid, e);
        if (cmd < 0)
            return -1;
        close(fd);
        fd = cmd;
    }
    *rootfd = -1;
    if (!x->moved_root)
        return take_fd(&fd);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
    *rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*rootfd < 0)
        return error_set(e, errno, "open the root of the container's process %d", (int)pid);
    /* Still alive once its root is open: the pid was not another's. */
    if (syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) < 0) {
        close(*rootfd);
        *rootfd = -1;
        return error_set(e, 0, "the container's first process (%d) is gone", (int)x->pid);
    }
    return take_fd(&fd);
}

void runtime_join(const struct run_plan *plan, const struct join_request *x,
                  const struct run_opts *o, struct run_result *r)
{
    memset(r, 0, sizeof(*r));
    r->status = STATUS_LAUNCHER;
    r->pty_master = -1;
    /* Anyone else sees only its own containers (state_root), which have a user namespace. */
    if (geteuid() != 0 && plan->userns == PLAN_USERNS_HOST) {
        error_set(&r->error, 0, "the container shares the host's user namespace: only root can join it");
        return;
    }
    struct security_ctx sec;
    if (security_prepare(plan, &sec, &r->error) < 0)
        return;
    _cleanup_close_ int rootfd = -1;
    _cleanup_close_ int pidfd = open_container(plan, x, &rootfd, &r->error);
    if (pidfd < 0) {
        r->status = 1;
        return;
    }
    /*
     * The command's process is the helper's child: it must come to us when the
     * helper exits, unless it is detached: then it goes to our own subreaper
     * (the engine's: conmon, containerd's shim), as a created container does.
     */
    if (!x->detach && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
        error_set(&r->error, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
        return;
    }
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    for (size_t i = 0; i < supervise_n_forwarded; i++)
        sigaddset(&mask, supervise_forwarded[i]);
    sigprocmask(SIG_BLOCK, &mask, &old);
    _cleanup_close_ int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    int sv[2];
    if (sigfd < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        error_set(&r->error, errno, "set up the launcher");
        sigprocmask(SIG_SETMASK, &old, NULL);
        return;
    }
    _cleanup_close_ int parent_end = sv[0];
    _cleanup_close_ int child_end = sv[1];
    _cleanup_(terminal_close) struct terminal term = {.master = -1};
    if (x->terminal == JOIN_TERMINAL_AUTO || (x->terminal == JOIN_TERMINAL_NEW && !x->detach))
        terminal_prepare(&term);
    if (x->terminal == JOIN_TERMINAL_NEW && !term.wanted) {
        term.wanted = true;
        term.winsize = (struct winsize){.ws_row = 24, .ws_col = 80};
    }
    struct joiner j = {
        .plan = plan,
        .x = x,
        .sec = &sec,
        .sync_fd = child_end,
        .pidfd = pidfd,
        .rootfd = rootfd,
        .cgroup_fd = -1,
        .want_tty = term.wanted,
        .winsize = term.winsize,
        .no_setgroups = setgroups_denied(x->pid),
    };
    fflush(NULL);
    pid_t helper = fork();
    if (helper < 0) {
        error_set(&r->error, errno, "fork");
        sigprocmask(SIG_SETMASK, &old, NULL);
        return;
    }
    if (helper == 0) {
        close(parent_end);
        helper_main(&j);
    }
    close(take_fd(&child_end));
    /*
     * The helper says the command's pid, or why it failed; then it exits.
     * The command's process shares the socket and may speak first: its
     * terminal is kept, its failure recorded (it exits after it).
     */
    if (x->detach) {
        join_detached(helper, parent_end, &term, r);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return;
    }
    pid_t pid = -1;
    bool failed = false;
    struct sync_msg m;
    int passed;
    while (pid < 0 && sync_recv(parent_end, &m, &passed, 0) > 0) {
        if (m.kind == SYNC_PTY && passed >= 0 && term.master < 0) {
            term.master = passed;
            continue;
        }
        if (passed >= 0)
            close(passed);
        if (m.kind == SYNC_PID) {
            pid = m.status;
        } else if (m.kind == SYNC_ERROR && !failed) {
            sync_error_of(&m, &r->error);
            r->status = m.status;
            failed = true;
        }
    }
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    /* The caller's word on the command's pid (congo-oci exec --pid-file); a failure ends it. */
    static char *const no_cgroups[] = {NULL};
    const struct run_events *ev = o->events;
    if (pid > 0 && !failed && ev && ev->created &&
        ev->created(ev->arg, pid, no_cgroups, &r->error) < 0) {
        kill(pid, SIGKILL);
        failed = true;
    }
    if (pid > 0) {
        struct supervise_in in = {
            .pid = pid,
            .sync_fd = parent_end,
            .sigfd = sigfd,
            .stop_timeout_ms = plan->stop_timeout_ms,
            .verbose = o->verbose,
            .out_fd = -1,
        };
        struct supervise_out out;
        supervise(&in, &term, &out);
        r->warning = out.warning;
        if (failed) {
            /* Said before its pid came: its error stands, and it is reaped now. */
        } else if (out.child_failed) {
            r->error = out.error;
            r->status = out.status;
        } else {
            int st = out.wait_status;
            r->status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
        }
        if (failed)
            error_clear(&out.error);
    } else if (!failed) {
        error_set(&r->error, 0, "the helper that joins the container died");
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}
