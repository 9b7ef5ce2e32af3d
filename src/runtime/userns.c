/* The container's user namespace; see userns.h. */
#include "runtime/userns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/lease.h"
#include "runtime/user.h"
#include "state/state.h"
#include "util/util.h"

#define AUTO_COUNT 65536u
/*
 * Without a `congo` entry in /etc/subuid and /etc/subgid: 32766 ranges from
 * 2^31 up, the last ending before 4294967295, which is no id.
 */
#define AUTO_BASE 2147483648u
#define AUTO_SLOTS 32766u

/* ---- what the host allows ---- */

static long read_long(const char *path)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max(path, 64, &text, &len) < 0)
        return -1;
    return strtol(text, NULL, 10);
}

int userns_why_refused(struct congo_error *e)
{
    if (read_long("/proc/sys/user/max_user_namespaces") == 0)
        return error_set(e, 0,
                         "user namespaces are disabled on this host (user.max_user_namespaces "
                         "is 0); as root: sysctl -w user.max_user_namespaces=15000");
    if (read_long("/proc/sys/kernel/unprivileged_userns_clone") == 0)
        return error_set(e, 0,
                         "unprivileged user namespaces are disabled on this host "
                         "(kernel.unprivileged_userns_clone is 0); as root: sysctl -w "
                         "kernel.unprivileged_userns_clone=1");
    if (read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
        return error_set(e, 0,
                         "AppArmor restricts unprivileged user namespaces on this host "
                         "(kernel.apparmor_restrict_unprivileged_userns is 1); give congo-launch "
                         "an AppArmor profile with `userns,`, or as root: sysctl -w "
                         "kernel.apparmor_restrict_unprivileged_userns=0");
    return 0;
}

/* ---- the host's /etc/passwd, /etc/subuid and /etc/subgid ---- */

/*
 * A user of the host's /etc/passwd ("congo", or a uid as text): its uid and
 * name (caller frees), read as the container's users are (user.c), from the
 * file itself: the launcher is linked statically, and loads no NSS module.
 */
static bool host_user(const char *spec, uid_t *uid, char **name)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct user_ids u = {0};
    struct congo_error e = {0};
    bool found = root >= 0 && user_resolve(root, spec, &u, &e) == 0 && u.name;
    error_clear(&e);
    if (found) {
        *uid = u.uid;
        *name = steal_pointer(&u.name);
    }
    user_ids_free(&u);
    return found;
}

/*
 * One line of a subordinate id file, NAME_OR_UID:START:COUNT, split in
 * place; false for one that is not such a line or whose range is empty or
 * past 4294967295.
 */
static bool subid_line(char *line, char **who, uint32_t *start, uint32_t *count)
{
    char *save = NULL;
    *who = strtok_r(line, ":\n", &save);
    char *s = strtok_r(NULL, ":\n", &save), *c = strtok_r(NULL, ":\n", &save);
    if (!*who || !s || !c)
        return false;
    char *end1, *end2;
    errno = 0;
    unsigned long vs = strtoul(s, &end1, 10), vc = strtoul(c, &end2, 10);
    if (errno || *end1 || *end2 || vc == 0 || vs > UINT32_MAX || vc > UINT32_MAX - vs)
        return false;
    *start = (uint32_t)vs;
    *count = (uint32_t)vc;
    return true;
}

/*
 * The ranges NAME (or its uid) has in a subordinate id file, in its order,
 * after the ids already in r (so the caller's own stays first).
 */
static void subid_ranges(const char *file, const char *name, uid_t id, struct idmap_range *r,
                         size_t *n)
{
    _cleanup_fclose_ FILE *f = fopen(file, "re");
    char line[512], idtext[16];
    snprintf(idtext, sizeof(idtext), "%u", (unsigned)id);
    uint32_t next = 1;
    char *who;
    uint32_t start, count;
    while (f && fgets(line, sizeof(line), f) && *n < IDMAP_MAX) {
        if (!subid_line(line, &who, &start, &count) || (!str_eq(who, name) && !str_eq(who, idtext)) ||
            (uint64_t)next + count > UINT32_MAX)
            continue;
        r[(*n)++] = (struct idmap_range){next, start, count};
        next += count;
    }
}

/* The end of the highest range in a subordinate id file; 0 for none. */
static uint64_t subid_end(const char *file)
{
    _cleanup_fclose_ FILE *f = fopen(file, "re");
    uint64_t end = 0;
    char line[512], *who;
    uint32_t start, count;
    while (f && fgets(line, sizeof(line), f))
        if (subid_line(line, &who, &start, &count) && (uint64_t)start + count > end)
            end = (uint64_t)start + count;
    return end;
}

/* Where a new range of 65536 starts that no user has: what usermod's hint proposes. */
static uint32_t free_subid_start(void)
{
    uint64_t end = subid_end("/etc/subuid");
    uint64_t gend = subid_end("/etc/subgid");
    if (gend > end)
        end = gend;
    uint64_t start = end < 100000 ? 100000 : (end + 65535) / 65536 * 65536;
    return start > UINT32_MAX - 65536 ? 100000 : (uint32_t)start;
}

/* A helper that can do its job: there, and setuid root or with file capabilities. */
static bool helper_usable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || !(st.st_mode & S_IXOTH))
        return false;
    return (st.st_uid == 0 && (st.st_mode & S_ISUID)) ||
           getxattr(path, "security.capability", NULL, 0) > 0;
}

#define NEWUIDMAP "/usr/bin/newuidmap"
#define NEWGIDMAP "/usr/bin/newgidmap"

/* An unprivileged caller: its own ids as 0, then its subordinate ones when it can have them. */
static int prepare_caller(struct userns *u, struct congo_error *e)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    _cleanup_free_ char *pw_name = NULL;
    char uidtext[16];
    snprintf(uidtext, sizeof(uidtext), "%u", (unsigned)uid);
    const char *name = host_user(uidtext, &uid, &pw_name) ? pw_name : "";
    _cleanup_free_ char *who = pw_name ? xstrdup(pw_name) : xasprintf("%u", (unsigned)uid);
    u->map.uid[0] = (struct idmap_range){0, uid, 1};
    u->map.gid[0] = (struct idmap_range){0, gid, 1};
    u->map.n_uid = u->map.n_gid = 1;
    subid_ranges("/etc/subuid", name, uid, u->map.uid, &u->map.n_uid);
    subid_ranges("/etc/subgid", name, uid, u->map.gid, &u->map.n_gid);
    bool ranges = u->map.n_uid > 1 && u->map.n_gid > 1;
    bool helpers = helper_usable(NEWUIDMAP) && helper_usable(NEWGIDMAP);
    if (ranges && helpers) {
        u->helper = true;
        return 0;
    }
    u->map.n_uid = u->map.n_gid = 1;
    u->deny_setgroups = true;
    if (!ranges) {
        uint32_t start = free_subid_start();
        u->single_why = xasprintf(
            "user `%s` has no subordinate ids in /etc/subuid and /etc/subgid, so only its own "
            "uid is mapped, as root; as root: usermod --add-subuids %u-%u --add-subgids %u-%u %s",
            who, start, start + 65535, start, start + 65535, who);
    }
    else
        u->single_why = xasprintf(
            "%s is missing or not setuid root, so only the caller's own uid is mapped, as root; "
            "as root: apt-get install uidmap",
            helper_usable(NEWUIDMAP) ? NEWGIDMAP : NEWUIDMAP);
    (void)e;
    return 0;
}

/* ---- auto: 65536 ids no other container has ---- */

/* The first host uid and gid of every range auto may give: the `congo` user's, or the default's. */
static void auto_pool(uint32_t *uid_base, uint32_t *gid_base, uint32_t *slots)
{
    struct idmap_range u[IDMAP_MAX], g[IDMAP_MAX];
    size_t nu = 0, ng = 0;
    uid_t uid = 0;
    _cleanup_free_ char *found = NULL;
    if (host_user("congo", &uid, &found)) {
        subid_ranges("/etc/subuid", "congo", uid, u, &nu);
        subid_ranges("/etc/subgid", "congo", uid, g, &ng);
    }
    if (nu > 0 && ng > 0 && u[0].count >= AUTO_COUNT && g[0].count >= AUTO_COUNT) {
        *uid_base = u[0].outside;
        *gid_base = g[0].outside;
        uint32_t c = u[0].count < g[0].count ? u[0].count : g[0].count;
        *slots = c / AUTO_COUNT;
        return;
    }
    *uid_base = *gid_base = AUTO_BASE;
    *slots = AUTO_SLOTS;
}

/* The lease at path, naming pid; its first line kept in owner, for drop_lease. */
static int write_lease(const char *path, pid_t pid, char owner[64], struct congo_error *e)
{
    char now[64];
    lease_owner(pid, now);
    _cleanup_free_ char *text = xasprintf("%s\n", now);
    if (lease_write(path, text, e) < 0)
        return error_wrap(e, "user namespace");
    memcpy(owner, now, sizeof(now));
    return 0;
}

/*
 * Under the lock of the leases' directory, the lowest range with no live
 * lease: a lease whose owner died (a launcher killed with SIGKILL, a created
 * container that ended) is taken over, so nothing needs cleaning up.
 */
static int prepare_auto(struct userns *u, struct congo_error *e)
{
    _cleanup_free_ char *dir = xasprintf("%s/userns", state_root());
    _cleanup_close_ int dirfd = lease_dir_lock(dir, e);
    if (dirfd < 0)
        return -1;
    uint32_t ubase, gbase, slots;
    auto_pool(&ubase, &gbase, &slots);
    for (uint32_t i = 0; i < slots; i++) {
        uint32_t uid = ubase + i * AUTO_COUNT;
        char name[16];
        snprintf(name, sizeof(name), "%u", uid);
        if (faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
            _cleanup_free_ char *text = lease_read(dir, name);
            if (text && lease_owner_alive(text))
                continue;
        }
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
        if (write_lease(path, getpid(), u->lease_owner, e) < 0)
            return -1;
        u->lease = steal_pointer(&path);
        u->map.uid[0] = (struct idmap_range){0, uid, AUTO_COUNT};
        u->map.gid[0] = (struct idmap_range){0, gbase + i * AUTO_COUNT, AUTO_COUNT};
        u->map.n_uid = u->map.n_gid = 1;
        return 0;
    }
    return error_set(e, 0,
                     "user_namespace auto: all %u ranges of %u ids are taken by running "
                     "containers (leases in `%s`)",
                     slots, AUTO_COUNT, dir);
}

/* The caller's own uid and gid as one id each: what it may map without help. */
static bool own_ids_only(const struct idmap *m)
{
    return m->n_uid == 1 && m->n_gid == 1 && m->uid[0].count == 1 && m->gid[0].count == 1 &&
           m->uid[0].outside == geteuid() && m->gid[0].outside == getegid();
}

/*
 * Root's container with a user namespace writes its upper through an
 * id-mapped mount: its root's files land there as the host's root's, setuid
 * bits and all. Any other user who could reach them would run a setuid-root
 * program the container made: the upper must be root's and closed to
 * everyone else, as podman keeps its storage. It is opened once, here, and
 * that directory is what is mapped: a user who may write in its parent
 * cannot swap another one in after the check.
 */
static int open_upper(const char *upper, int *out, struct congo_error *e)
{
    _cleanup_close_ int fd = open(upper, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return error_set(e, errno, "upper `%s`%s", upper,
                         errno == ELOOP || errno == ENOTDIR ? " (a symlink, or not a directory)" : "");
    if (st.st_uid != 0 || (st.st_mode & 077))
        return error_set(e, 0,
                         "upper `%s` is owned by uid %u with mode %04o: with user_namespace, the "
                         "container's root writes its files there as the host's root, setuid bits "
                         "included, so no other user may reach them; chown root '%s' && chmod 0700 "
                         "'%s'",
                         upper, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), upper, upper);
    *out = take_fd(&fd);
    return 0;
}

int userns_prepare(const struct run_plan *plan, struct userns *u, struct congo_error *e)
{
    memset(u, 0, sizeof(*u));
    u->upper_fd = -1;
    bool root = geteuid() == 0;
    switch (plan->userns) {
    case PLAN_USERNS_HOST:
        return 0;
    case PLAN_USERNS_CALLER:
        if (prepare_caller(u, e) < 0)
            return -1;
        break;
    case PLAN_USERNS_AUTO:
        if (prepare_auto(u, e) < 0)
            return -1;
        break;
    case PLAN_USERNS_MAP:
        u->map = *plan->idmap;
        /*
         * Anyone but root: its own ids alone it writes itself, with
         * setgroups denied (as `runc spec --rootless` asks); any other
         * mapping newuidmap checks against /etc/subuid.
         */
        if (!root) {
            if (own_ids_only(&u->map)) {
                u->deny_setgroups = true;
                break;
            }
            if (!helper_usable(NEWUIDMAP) || !helper_usable(NEWGIDMAP))
                return error_set(e, 0,
                                 "user_namespace: mappings given by a user other than root are "
                                 "written by newuidmap and newgidmap, which are missing or not "
                                 "setuid root; as root: apt-get install uidmap");
            u->helper = true;
        }
        break;
    }
    u->active = true;
    u->by_caller = !root;
    /*
     * upper: none is a root an engine prepared for the ids it mapped (podman
     * chowns its copy of the image): used as it is, as runc does.
     */
    u->idmap_layers = root && !plan->root.direct;
    if (u->idmap_layers && plan->root.upper && open_upper(plan->root.upper, &u->upper_fd, e) < 0) {
        userns_release(u);
        return -1;
    }
    for (size_t i = 0; root && i < plan->n_mounts; i++)
        u->n_idmap_binds += plan->mounts[i].kind == PLAN_MOUNT_BIND && plan->mounts[i].idmap;
    return 0;
}

void userns_lease_owner(struct userns *u, pid_t pid)
{
    struct congo_error e = {0};
    /* A failure leaves the launcher the owner: the range is then freed a little early, at worst. */
    if (u->lease && write_lease(u->lease, pid, u->lease_owner, &e) < 0)
        error_clear(&e);
}

void userns_keep_lease(struct userns *u)
{
    free(u->lease);
    u->lease = NULL;
}

/*
 * The lease goes only while it is still this container's: once its first
 * process died, another launcher may have taken the range over, and its
 * lease is not this one's to remove. Under the directory's lock, as leases
 * are taken.
 */
static void drop_lease(const struct userns *u)
{
    _cleanup_free_ char *dir = xstrdup(u->lease);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    struct congo_error e = {0};
    _cleanup_close_ int dirfd = lease_dir_lock(dir, &e);
    error_clear(&e);
    if (dirfd < 0)
        return;
    _cleanup_free_ char *text = lease_read(dir, slash ? slash + 1 : u->lease);
    size_t len = strlen(u->lease_owner);
    if (text && strncmp(text, u->lease_owner, len) == 0 && text[len] == '\n')
        unlink(u->lease);
}

/* ---- writing the maps ---- */

static int write_proc(pid_t pid, const char *file, const char *text, struct congo_error *e)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(e, errno, "open %s", path);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        return error_set(e, errno, "write %s", path);
    return 0;
}

/* newuidmap or newgidmap on its way, its output (an error message) to read. */
struct helper_run {
    const char *name;
    pid_t pid;
    int out;
};

/* Start `newuidmap PID INSIDE OUTSIDE COUNT ...`; 0, or -1 with e filled. */
static int helper_start(struct helper_run *h, const char *helper, pid_t pid,
                        const struct idmap_range *r, size_t n, struct congo_error *e)
{
    *h = (struct helper_run){.name = helper, .pid = -1, .out = -1};
    _cleanup_strv_ char **argv = NULL;
    strv_push(&argv, xstrdup(helper));
    strv_push(&argv, xasprintf("%d", (int)pid));
    for (size_t i = 0; i < n; i++) {
        strv_push(&argv, xasprintf("%u", r[i].inside));
        strv_push(&argv, xasprintf("%u", r[i].outside));
        strv_push(&argv, xasprintf("%u", r[i].count));
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0)
        return error_set(e, errno, "pipe for %s", helper);
    h->pid = fork();
    if (h->pid < 0) {
        close(out[0]);
        close(out[1]);
        return error_set(e, errno, "fork %s", helper);
    }
    if (h->pid == 0) {
        dup2(out[1], STDERR_FILENO);
        dup2(out[1], STDOUT_FILENO);
        char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        execve(helper, argv, envp);
        _exit(127);
    }
    close(out[1]);
    h->out = out[0];
    return 0;
}

/* Wait for it: 0 when it wrote the map, or -1 with its own message in ours. */
static int helper_wait(struct helper_run *h, struct congo_error *e)
{
    if (h->pid < 0)
        return -1;
    char msg[512];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof(msg) - 1 && ((k = read(h->out, msg + got, sizeof(msg) - 1 - got)) > 0 ||
                                      (k < 0 && errno == EINTR)))
        got += k > 0 ? (size_t)k : 0;
    close(h->out);
    msg[got] = '\0';
    while (got > 0 && (msg[got - 1] == '\n' || msg[got - 1] == ' '))
        msg[--got] = '\0';
    int status;
    while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
        ;
    h->pid = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (e->msg)
        return -1; /* the other one's failure is told */
    return error_set(e, 0, "%s refused the container's mappings%s%s%s", h->name, got ? " (" : "",
                     msg,
                     got ? "); are they the caller's in /etc/subuid and /etc/subgid?" : "");
}

int userns_write_maps(const struct userns *u, pid_t pid, struct congo_error *e)
{
    if (!u->active)
        return 0;
    if (u->helper) {
        /* Both at once: each is a setuid program's whole start, the slowest step of a run. */
        struct helper_run uids, gids;
        int r = helper_start(&uids, NEWUIDMAP, pid, u->map.uid, u->map.n_uid, e);
        if (r == 0 && helper_start(&gids, NEWGIDMAP, pid, u->map.gid, u->map.n_gid, e) < 0) {
            helper_wait(&uids, e);
            return -1;
        }
        if (r < 0)
            return -1;
        int ru = helper_wait(&uids, e);
        int rg = helper_wait(&gids, e);
        return ru < 0 || rg < 0 ? -1 : 0;
    }
    _cleanup_free_ char *uids = idmap_proc_text(u->map.uid, u->map.n_uid);
    _cleanup_free_ char *gids = idmap_proc_text(u->map.gid, u->map.n_gid);
    /* An unprivileged writer may map its own gid only once setgroups is denied (user_namespaces(7)). */
    if (u->deny_setgroups && write_proc(pid, "setgroups", "deny", e) < 0)
        return -1;
    if (write_proc(pid, "uid_map", uids, e) < 0 || write_proc(pid, "gid_map", gids, e) < 0)
        return error_wrap(e, "the container's id maps");
    return 0;
}

int userns_idmapped_tree(const char *path, int dirfd, int userns_fd, struct congo_error *e)
{
    _cleanup_close_ int fd =
        (int)syscall(SYS_open_tree, dirfd >= 0 ? dirfd : AT_FDCWD, dirfd >= 0 ? "" : path,
                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (dirfd >= 0 ? AT_EMPTY_PATH : 0));
    if (fd < 0)
        return error_set(e, errno, "clone the mount of `%s`", path);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
        int err = errno;
        return error_set(e, err, "id-map `%s` for the container's user namespace%s", path,
                         err == EINVAL ? " (its file system cannot be id-mapped, or it is "
                                         "already; ext4, xfs, btrfs and tmpfs can)"
                                       : "");
    }
    return take_fd(&fd);
}

/* ---- in the child ---- */

bool userns_setgroups_denied(const struct userns *u)
{
    if (!u->active)
        return false;
    if (u->deny_setgroups)
        return true;
    /*
     * newgidmap denies it too when no gid comes from /etc/subgid. Read in
     * the child before its root is assembled: this /proc is still the host's.
     */
    _cleanup_free_ char *text = NULL;
    size_t len;
    return read_file_max("/proc/self/setgroups", 16, &text, &len) == 0 &&
           strncmp(text, "deny", 4) == 0;
}

int userns_become_root(const struct userns *u, struct congo_error *e)
{
    if (!u->active)
        return 0;
    if (!userns_setgroups_denied(u) && setgroups(0, NULL) < 0)
        return error_set(e, errno, "setgroups in the user namespace");
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return error_set(e, errno, "become root of the user namespace");
    return 0;
}

int userns_check_user(const struct userns *u, uid_t uid, gid_t gid, const gid_t *groups,
                      size_t n_groups, struct congo_error *e)
{
    if (!u->active)
        return 0;
    uint32_t host;
    const char *what = NULL;
    unsigned id = 0;
    if (!idmap_to_host(u->map.uid, u->map.n_uid, uid, &host))
        what = "uid", id = uid;
    else if (!idmap_to_host(u->map.gid, u->map.n_gid, gid, &host))
        what = "gid", id = gid;
    for (size_t i = 0; !what && i < n_groups; i++)
        if (!idmap_to_host(u->map.gid, u->map.n_gid, groups[i], &host))
            what = "supplementary gid", id = groups[i];
    if (!what)
        return 0;
    return error_set(e, 0, "%s %u is not mapped in the container's user namespace%s%s", what, id,
                     u->single_why ? ": " : " (see user_namespace)",
                     u->single_why ? u->single_why : "");
}

void userns_release(struct userns *u)
{
    if (u->upper_fd >= 0)
        close(u->upper_fd);
    if (u->lease)
        drop_lease(u);
    free(u->lease);
    free(u->single_why);
    memset(u, 0, sizeof(*u));
}
