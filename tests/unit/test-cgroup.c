/*
 * The cgroup module against fake trees: mountinfo and /proc/self/cgroup are
 * files in a scratch directory, and each "hierarchy" is a plain directory
 * whose control files are regular files, behind a stand-in for cgroupfs
 * (struct cgroup_fs) that does over them what the kernel would. No root
 * needed; nothing here touches the host's cgroups. Processes signalled are
 * only children this test forked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup-internal.h"
#include "runtime/cgroup.h"
#include "util/util.h"

/*
 * Scratch files. Local rather than helpers.h's, so this test links only the
 * cgroup module and util, not the profile loader.
 */
static char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/congo-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp: %s", strerror(errno));
    return tmpl;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void test_rmrf(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write dir/name, parents made; returns the path. */
static char *test_write(const char *dir, const char *name, const char *content)
{
    char *path = xasprintf("%s/%s", dir, name);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "we");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(content, f);
    fclose(f);
    return path;
}

/* ---- cgroupfs over plain directories ------------------------------------ */

/*
 * The kernel fills a new cgroup with the control files of its controllers;
 * here it gets empty files named like its parent's, so a test decides which
 * files "the kernel" offers by what it puts in the root.
 */
static int standin_mkdir(const char *path)
{
    if (mkdir(path, 0755) < 0)
        return -errno;
    _cleanup_free_ char *parent = xstrdup(path);
    *strrchr(parent, '/') = '\0';
    _cleanup_closedir_ DIR *d = opendir(parent);
    if (!d)
        return -errno;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_type != DT_REG)
            continue;
        _cleanup_free_ char *file = xasprintf("%s/%s", path, de->d_name);
        _cleanup_close_ int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return -errno;
    }
    return 0;
}

/* Killed and not yet reaped is dead too: the kernel drops a zombie from cgroup.procs. */
static bool alive(long pid)
{
    unsigned long long starttime;
    char state = 0;
    return pid > 0 && proc_stat_field("/proc", (pid_t)pid, 22, &starttime, &state) == 0 &&
           state != 'Z' && state != 'X';
}

/* A control file as written, but cgroup.procs lists only the processes still alive. */
static int standin_read(const char *path, char **out)
{
    size_t len;
    int r = read_file_max(path, 1 << 20, out, &len);
    if (r < 0 || !str_has_suffix(path, "/cgroup.procs"))
        return r;
    struct strbuf live = {0};
    for (char *p = *out, *end; *p; p = end + strspn(end, " \n")) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (alive(pid))
            strbuf_printf(&live, "%ld\n", pid);
    }
    free(*out);
    *out = strbuf_steal(&live);
    return 0;
}

/* The kernel refuses to remove a cgroup with a process or a cgroup in it; its files go with it. */
static int standin_rmdir(const char *path)
{
    _cleanup_free_ char *procs_path = xasprintf("%s/cgroup.procs", path);
    _cleanup_free_ char *procs = NULL;
    if (standin_read(procs_path, &procs) == 0 && *procs)
        return -EBUSY;
    _cleanup_closedir_ DIR *d = opendir(path);
    if (!d)
        return -errno;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return -EBUSY;
    rewinddir(d);
    while ((de = readdir(d))) {
        _cleanup_free_ char *file = xasprintf("%s/%s", path, de->d_name);
        if (de->d_type == DT_REG && unlink(file) < 0)
            return -errno;
    }
    return rmdir(path) < 0 ? -errno : 0;
}

static const struct cgroup_fs standin = {
    .mkdir = standin_mkdir,
    .rmdir = standin_rmdir,
    .read = standin_read,
};

/* cgroup.procs of a cgroup that holds processes: this test's own, which stays alive. */
static char *live_procs(void)
{
    return xasprintf("%d\n%d\n", (int)getpid(), (int)getppid());
}

#define LAUNCHER 4242
#define STARTTIME 777ULL
#define CG_NAME "congo-web-4242-777"

/* ---- fixtures ----------------------------------------------------------- */

struct fake {
    char *dir;
    char *mountinfo, *self;
    struct cgroup_host h;
    struct cgroup_request req;
};

static int fake_setup(void **state)
{
    struct fake *f = xcalloc(1, sizeof(*f));
    f->dir = test_tmpdir();
    f->req = (struct cgroup_request){.name = xstrdup("web"),
                                     .pids = LIMIT_UNLIMITED,
                                     .memory = LIMIT_UNLIMITED,
                                     .memory_swap = LIMIT_UNLIMITED};
    *state = f;
    return 0;
}

static int fake_teardown(void **state)
{
    struct fake *f = *state;
    cgroup_host_free(&f->h);
    free(f->req.name);
    free(f->req.parent);
    test_rmrf(f->dir);
    free(f->dir);
    free(f->mountinfo);
    free(f->self);
    free(f);
    return 0;
}

/* Create dir/rel with the given content (parents made). */
static void put(const struct fake *f, const char *rel, const char *content)
{
    free(test_write(f->dir, rel, content));
}

/* The content of dir/rel, or NULL when it does not exist. */
static char *get(const struct fake *f, const char *rel)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", f->dir, rel);
    char *text = NULL;
    size_t len;
    if (read_file_max(path, 1 << 20, &text, &len) < 0)
        return NULL;
    return text;
}

static bool exists(const struct fake *f, const char *rel)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", f->dir, rel);
    return access(path, F_OK) == 0;
}

#define assert_file(f, rel, want)                                                                  \
    do {                                                                                           \
        _cleanup_free_ char *got_ = get(f, rel);                                                   \
        if (!got_)                                                                                 \
            fail_msg("%s: missing", rel);                                                          \
        assert_string_equal(got_, want);                                                           \
    } while (0)

static int detect(struct fake *f, const char *mountinfo, const char *self, struct congo_error *e)
{
    free(f->mountinfo);
    free(f->self);
    f->mountinfo = test_write(f->dir, "mountinfo", mountinfo);
    f->self = test_write(f->dir, "self-cgroup", self);
    struct cgroup_sources src = {f->mountinfo, f->self, "/proc", &standin};
    cgroup_host_free(&f->h);
    return cgroup_detect(&f->h, &src, e);
}

static void detect_ok(struct fake *f, const char *mountinfo, const char *self)
{
    struct congo_error e = {0};
    if (detect(f, mountinfo, self, &e) < 0)
        fail_msg("detect: %s", e.msg);
}

/*
 * A v1 host like a systemd one: cpu,cpuacct co-mounted, memory, pids and
 * name=systemd, with the launcher in /user.slice for memory and at the
 * root elsewhere. memsw: swap accounting (memory.memsw.limit_in_bytes).
 */
static void fake_v1_host(struct fake *f, bool memory, bool cpu, bool memsw, bool unified)
{
    struct strbuf mi = {0}, self = {0};
    strbuf_printf(&mi,
                  "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                  "25 22 0:22 / %s rw,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755\n",
                  f->dir);
    strbuf_printf(&mi,
                  "26 25 0:23 / %s/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup "
                  "cgroup rw,xattr,name=systemd\n",
                  f->dir);
    strbuf_puts(&self, "12:name=systemd:/user.slice/user-0.slice/session-1.scope\n");
    if (cpu) {
        strbuf_printf(&mi,
                      "29 25 0:26 / %s/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - "
                      "cgroup cgroup rw,cpu,cpuacct\n",
                      f->dir);
        strbuf_puts(&self, "4:cpu,cpuacct:/\n");
        put(f, "cpu,cpuacct/cgroup.procs", "");
        put(f, "cpu,cpuacct/cpu.shares", "1024\n");
        put(f, "cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        put(f, "cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    }
    if (memory) {
        strbuf_printf(&mi,
                      "30 25 0:27 / %s/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup "
                      "cgroup rw,memory\n",
                      f->dir);
        strbuf_puts(&self, "9:memory:/user.slice\n");
        /* The root and the launcher's own cgroup, each with the files a new cgroup gets. */
        for (int i = 0; i < 2; i++) {
            const char *d = i ? "memory/user.slice" : "memory";
            _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", d);
            _cleanup_free_ char *limit = xasprintf("%s/memory.limit_in_bytes", d);
            _cleanup_free_ char *oom = xasprintf("%s/memory.oom_control", d);
            _cleanup_free_ char *sw = xasprintf("%s/memory.memsw.limit_in_bytes", d);
            put(f, procs, "");
            put(f, limit, "9223372036854771712\n");
            put(f, oom, "oom_kill_disable 0\nunder_oom 0\n");
            if (memsw)
                put(f, sw, "9223372036854771712\n");
        }
    }
    strbuf_printf(&mi,
                  "31 25 0:28 / %s/pids rw,nosuid,nodev,noexec,relatime shared:12 - cgroup "
                  "cgroup rw,pids\n",
                  f->dir);
    strbuf_puts(&self, "7:pids:/\n");
    put(f, "pids/cgroup.procs", "");
    put(f, "pids/pids.max", "max\n");
    if (unified) {
        /* systemd's hybrid layout: a v2 mount beside, with no controller we could use. */
        strbuf_printf(&mi,
                      "27 25 0:24 / %s/unified rw,nosuid,nodev,noexec,relatime shared:5 - "
                      "cgroup2 cgroup2 rw,nsdelegate\n",
                      f->dir);
        strbuf_puts(&self, "0::/user.slice/user-0.slice/session-1.scope\n");
    }
    strbuf_printf(&mi,
                  "40 22 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n");
    _cleanup_free_ char *mtext = strbuf_steal(&mi);
    _cleanup_free_ char *stext = strbuf_steal(&self);
    detect_ok(f, mtext, stext);
}

static void fake_v1(struct fake *f, bool memory, bool cpu, bool memsw)
{
    fake_v1_host(f, memory, cpu, memsw, false);
}

/* A v2 host: everything below f->dir/unified; own is the launcher's cgroup. */
static void fake_v2(struct fake *f, const char *controllers, const char *own, bool swap)
{
    _cleanup_free_ char *mi = xasprintf(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "26 22 0:23 / %s/unified rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
        "rw,nsdelegate,memory_recursiveprot\n",
        f->dir);
    _cleanup_free_ char *self = xasprintf("0::%s\n", own);
    put(f, "unified/cgroup.controllers", controllers);
    put(f, "unified/cgroup.subtree_control", "");
    put(f, "unified/cgroup.procs", "");
    /* The files a new cgroup gets; fake mkdir copies the names from the parent. */
    put(f, "unified/pids.max", "");
    put(f, "unified/memory.max", "");
    put(f, "unified/memory.events", "");
    put(f, "unified/cpu.weight", "");
    put(f, "unified/cpu.max", "");
    if (swap)
        put(f, "unified/memory.swap.max", "");
    detect_ok(f, mi, self);
}

/* Put the fake v2 cgroup rel in place, with the processes procs. */
static void v2_cgroup(struct fake *f, const char *rel, const char *procs)
{
    static const char *const files[] = {"cgroup.subtree_control", "pids.max",   "memory.max",
                                        "memory.events",          "cpu.weight", "cpu.max",
                                        "memory.swap.max"};
    _cleanup_free_ char *p = xasprintf("unified%s/cgroup.procs", rel);
    put(f, p, procs);
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        _cleanup_free_ char *q = xasprintf("unified%s/%s", rel, files[i]);
        put(f, q, "");
    }
}

/* A v2 host where the launcher's cgroup /a/b and /a both hold processes: `auto` is /congo. */
static void fake_v2_busy(struct fake *f)
{
    fake_v2(f, "cpu memory pids\n", "/a/b", true);
    _cleanup_free_ char *procs = live_procs();
    v2_cgroup(f, "/a", procs);
    v2_cgroup(f, "/a/b", procs);
}

static void full_limits(struct cgroup_request *req)
{
    req->pids = 50;
    req->memory = 64LL << 20;
    req->memory_swap = 96LL << 20;
    req->cpu_shares = 1024;
    req->cpu_quota = 150000;
}

/* What the run plan says of the limits a test set: the controllers needed, and which key asked. */
static const struct cgroup_request *planned(struct fake *f)
{
    struct cgroup_request *r = &f->req;
    r->need_memory = r->memory != LIMIT_UNLIMITED || r->memory_swap != LIMIT_UNLIMITED;
    r->need_cpu = r->cpu_shares > 0 || r->cpu_quota > 0;
    r->pids_key = r->pids != LIMIT_UNLIMITED ? "limits.pids" : NULL;
    r->memory_key = r->memory != LIMIT_UNLIMITED ? "limits.memory" : "limits.memory_swap";
    r->cpu_key = r->cpu_shares > 0 ? "limits.cpu_shares" : "limits.cpus";
    return r;
}

static void create_ok(struct fake *f, struct cgroup *cg)
{
    struct congo_error e = {0};
    if (cgroup_create(&f->h, planned(f), LAUNCHER, STARTTIME, cg, &e) < 0)
        fail_msg("create: %s", e.msg);
}

static void create_fails(struct fake *f, const char *want)
{
    struct congo_error e = {0};
    struct cgroup cg;
    int r = cgroup_create(&f->h, planned(f), LAUNCHER, STARTTIME, &cg, &e);
    if (r == 0)
        fail_msg("create succeeded; expected \"%s\"", want);
    if (!strstr(e.msg, want))
        fail_msg("expected \"%s\", got \"%s\"", want, e.msg);
    assert_null(cg.paths);
    assert_int_equal(cg.v2_fd, -1);
    error_clear(&e);
}

/* Plan f's request under the name of create_ok's cgroup; makes nothing. */
static void plan_ok(struct fake *f, struct cgroup *cg)
{
    struct congo_error e = {0};
    _cleanup_free_ char *name = cgroup_name(&f->req, LAUNCHER, STARTTIME);
    if (cgroup_plan(&f->h, planned(f), name, cg, &e) < 0)
        fail_msg("plan: %s", e.msg);
}

/* One expected limit write: to the cgroup's dir-th path. */
struct want_write {
    size_t dir;
    const char *file, *value, *key;
    bool absent; /* a message for a kernel without the file */
};

static void assert_writes(const struct fake *f, const struct cgroup *cg,
                          const struct want_write *want, size_t n_want)
{
    struct cgroup_write w[16];
    assert_int_equal(cgroup_writes(cg, &f->req, NULL, 0), n_want);
    assert_int_equal(cgroup_writes(cg, &f->req, w, ARRAY_SIZE(w)), n_want);
    for (size_t i = 0; i < n_want; i++) {
        assert_ptr_equal(w[i].dir, cg->paths[want[i].dir]);
        assert_string_equal(w[i].file, want[i].file);
        assert_string_equal(w[i].value, want[i].value);
        assert_string_equal(w[i].key, want[i].key);
        assert_int_equal(w[i].absent != NULL, want[i].absent);
    }
}

static void destroy_ok(struct cgroup *cg)
{
    struct congo_error e = {0};
    if (cgroup_destroy(cg, &e) < 0)
        fail_msg("destroy: %s", e.msg);
}

/* A child that waits to be killed; the test reaps it. */
static pid_t spawn_sleeper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* Not outliving a test that fails before it reaps the child. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
            pause();
    }
    assert_true(pid > 0);
    return pid;
}

/* A pid that was just in use and is now free: pids are not reused until they wrap. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return pid;
}

static void assert_killed(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
}

/* ---- detection ---------------------------------------------------------- */

static void test_detect_v1(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, true);
    assert_int_equal(f->h.mode, CGROUP_V1);
    assert_null(f->h.v2_mount);
    assert_int_equal(f->h.n_v1, 4);
    assert_string_equal(f->h.v1[0].controllers, "name=systemd");
    assert_string_equal(f->h.v1[0].own, "/user.slice/user-0.slice/session-1.scope");
    assert_string_equal(f->h.v1[1].controllers, "cpu,cpuacct");
    assert_string_equal(f->h.v1[1].own, "/");
    assert_string_equal(f->h.v1[2].controllers, "memory");
    assert_string_equal(f->h.v1[2].own, "/user.slice");
    _cleanup_free_ char *mem = xasprintf("%s/memory", f->dir);
    assert_string_equal(f->h.v1[2].mount, mem);
    assert_string_equal(f->h.v1[3].controllers, "pids");
    assert_string_equal(f->h.proc, "/proc");
}

static void test_detect_v2(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpuset cpu io memory hugetlb pids rdma misc\n",
            "/user.slice/user-1000.slice/session-2.scope", true);
    assert_int_equal(f->h.mode, CGROUP_V2);
    assert_int_equal(f->h.n_v1, 0);
    _cleanup_free_ char *mount = xasprintf("%s/unified", f->dir);
    assert_string_equal(f->h.v2_mount, mount);
    assert_string_equal(f->h.v2_own, "/user.slice/user-1000.slice/session-2.scope");
}

/* The layout of the machine these tests were written on: v1 controllers, an empty v2 mount. */
static void test_detect_hybrid(void **state)
{
    struct fake *f = *state;
    detect_ok(f,
              "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
              "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
              "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
              "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
              "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
              "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
              "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
              "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/0662\n2:cpuacct:/\n1:cpu:/\n"
              "0::/\n");
    assert_int_equal(f->h.mode, CGROUP_HYBRID);
    assert_string_equal(f->h.v2_mount, "/sys/fs/cgroup/unified");
    assert_string_equal(f->h.v2_own, "/");
    assert_int_equal(f->h.n_v1, 5);
    assert_string_equal(f->h.v1[0].controllers, "cpu");
    assert_string_equal(f->h.v1[1].controllers, "cpuacct");
    assert_string_equal(f->h.v1[2].own, "/process_api/0662");
}

static void test_detect_none(void **state)
{
    struct fake *f = *state;
    struct congo_error e = {0};
    assert_int_equal(detect(f,
                            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                            "40 22 0:5 / /proc rw,relatime shared:13 - proc proc rw\n",
                            "0::/\n", &e),
                     -1);
    assert_non_null(strstr(e.msg, "no cgroup file system is mounted"));
    error_clear(&e);
    assert_int_equal(detect(f, "", "", &e), -1);
    assert_non_null(strstr(e.msg, "no cgroup file system is mounted"));
    error_clear(&e);
}

/* A named hierarchy beside cgroup2 holds no controller: still pure v2. */
static void test_detect_v2_with_named_v1(void **state)
{
    struct fake *f = *state;
    detect_ok(f,
              "26 22 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
              "27 26 0:24 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,name=systemd\n",
              "1:name=systemd:/init.scope\n0::/init.scope\n");
    assert_int_equal(f->h.mode, CGROUP_V2);
    assert_int_equal(f->h.n_v1, 0);
    assert_string_equal(f->h.v2_own, "/init.scope");
}

/* Escaped mount points; optional fields; a mount of a subtree (a container's view). */
static void test_detect_escapes_and_roots(void **state)
{
    struct fake *f = *state;
    detect_ok(f,
              "30 23 0:26 / /sys/fs/my\\040cgroups/mem\\134ory rw,nosuid,nodev,noexec,relatime "
              "shared:11 master:3 - cgroup cgroup rw,memory\n"
              "31 23 0:27 /docker/abc /sys/fs/cgroup/pids rw,relatime - cgroup cgroup "
              "rw,pids,clone_children\n",
              "5:pids:/docker/abc/inner\n4:memory:/docker/abc\n");
    assert_int_equal(f->h.mode, CGROUP_V1);
    assert_int_equal(f->h.n_v1, 2);
    assert_string_equal(f->h.v1[0].mount, "/sys/fs/my cgroups/mem\\ory");
    assert_string_equal(f->h.v1[0].own, "/docker/abc");
    assert_string_equal(f->h.v1[1].controllers, "pids");
    assert_string_equal(f->h.v1[1].own, "/inner");
}

/* ---- names and /proc ---------------------------------------------------- */

static void test_proc_starttime_comm(void **state)
{
    struct fake *f = *state;
    /* comm may hold spaces and parentheses: ") (" and a trailing ")" must not confuse it. */
    put(f, "proc/31337/stat",
        "31337 (evil) (x y) )) S 1 31337 31337 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
        "987654321 1000 200 18446744073709551615\n");
    _cleanup_free_ char *proc = xasprintf("%s/proc", f->dir);
    assert_int_equal(proc_starttime(proc, 31337), 987654321ULL);
    assert_int_equal(proc_starttime(proc, 31338), 0);
    put(f, "proc/5/stat", "5 (short) S 1 2 3\n");
    assert_int_equal(proc_starttime(proc, 5), 0);
    /* The real one of this very process. */
    assert_true(proc_starttime("/proc", getpid()) > 0);
}

/* Any field by its proc(5) number, the CPU (39) included, and the state. */
static void test_proc_stat_field(void **state)
{
    struct fake *f = *state;
    struct strbuf sb = {0};
    strbuf_puts(&sb, "77 (a) b) R");
    for (int field = 4; field <= 52; field++)
        strbuf_printf(&sb, " %d", field * 10);
    strbuf_putc(&sb, '\n');
    put(f, "proc/77/stat", sb.buf);
    strbuf_free(&sb);
    _cleanup_free_ char *proc = xasprintf("%s/proc", f->dir);
    unsigned long long v = 0;
    char st = 0;
    assert_int_equal(proc_stat_field(proc, 77, 39, &v, &st), 0);
    assert_int_equal(v, 390);
    assert_int_equal(st, 'R');
    assert_int_equal(proc_stat_field(proc, 77, 4, &v, NULL), 0);
    assert_int_equal(v, 40);
    assert_int_equal(proc_stat_field(proc, 77, 53, &v, NULL), -EINVAL);
    assert_int_equal(proc_stat_field(proc, 78, 39, &v, NULL), -ENOENT);
}

static void test_parse_name(void **state)
{
    (void)state;
    pid_t pid;
    unsigned long long st;
    assert_true(cgroup_parse_name("congo-my-app-v2-123-456", &pid, &st));
    assert_int_equal(pid, 123);
    assert_int_equal(st, 456);
    assert_true(cgroup_parse_name("congo-a-1-2", &pid, &st));
    assert_false(cgroup_parse_name("congo-123-456", &pid, &st));  /* no NAME */
    assert_false(cgroup_parse_name("congo--123-456", &pid, &st)); /* empty NAME */
    assert_false(cgroup_parse_name("congo-x-12a-3", &pid, &st));
    assert_false(cgroup_parse_name("congo-x-12-", &pid, &st));
    assert_false(cgroup_parse_name("congo-x-0-5", &pid, &st));
    assert_false(cgroup_parse_name("other-x-1-2", &pid, &st));
    assert_false(cgroup_parse_name("congo.slice", &pid, &st));
    assert_false(cgroup_parse_name("congo-x-99999999999-5", &pid, &st));
}

static void test_name(void **state)
{
    (void)state;
    struct cgroup_request req = {.name = "my-app"};
    _cleanup_free_ char *named = cgroup_name(&req, 123, 456);
    assert_string_equal(named, "congo-my-app-123-456");
    pid_t pid;
    unsigned long long st;
    assert_true(cgroup_parse_name(named, &pid, &st));
    assert_int_equal(pid, 123);
    assert_int_equal(st, 456);
    req.name = NULL;
    _cleanup_free_ char *unnamed = cgroup_name(&req, 1, 2);
    assert_string_equal(unnamed, "congo-congo-1-2");
    /* Without the launcher's pid and start time a cgroup could never be told stale. */
    assert_null(cgroup_name(&req, 0, 2));
    assert_null(cgroup_name(&req, -1, 2));
    assert_null(cgroup_name(&req, 1, 0));
}

static void test_cpu_weight(void **state)
{
    (void)state;
    assert_int_equal(cgroup_cpu_weight(2), 1);
    assert_int_equal(cgroup_cpu_weight(1024), 100);
    assert_int_equal(cgroup_cpu_weight(262144), 10000);
    uint64_t prev = 0;
    for (uint64_t s = 2; s <= 262144; s++) {
        uint64_t w = cgroup_cpu_weight(s);
        assert_true(w >= prev && w >= 1 && w <= 10000);
        prev = w;
    }
}

/* ---- v1 ----------------------------------------------------------------- */

static void test_v1_create_writes_limits(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, true);
    full_limits(&f->req);
    struct cgroup cg;
    create_ok(f, &cg);
    assert_string_equal(cg.name, CG_NAME);
    assert_int_equal(cg.mode, CGROUP_V1);
    assert_int_equal(cg.v2_fd, -1);
    assert_int_equal(strv_len(cg.paths), 3);
    _cleanup_free_ char *pids = xasprintf("%s/pids/" CG_NAME, f->dir);
    _cleanup_free_ char *mem = xasprintf("%s/memory/user.slice/" CG_NAME, f->dir);
    _cleanup_free_ char *cpu = xasprintf("%s/cpu,cpuacct/" CG_NAME, f->dir);
    assert_string_equal(cg.paths[0], pids);
    assert_string_equal(cg.paths[1], mem);
    assert_string_equal(cg.paths[2], cpu);
    assert_string_equal(cg.memory_path, mem);
    assert_file(f, "pids/" CG_NAME "/pids.max", "50");
    assert_file(f, "memory/user.slice/" CG_NAME "/memory.limit_in_bytes", "67108864");
    assert_file(f, "memory/user.slice/" CG_NAME "/memory.memsw.limit_in_bytes", "100663296");
    assert_file(f, "cpu,cpuacct/" CG_NAME "/cpu.shares", "1024");
    assert_file(f, "cpu,cpuacct/" CG_NAME "/cpu.cfs_period_us", "100000");
    assert_file(f, "cpu,cpuacct/" CG_NAME "/cpu.cfs_quota_us", "150000");
    destroy_ok(&cg);
    assert_false(exists(f, "pids/" CG_NAME));
    assert_false(exists(f, "memory/user.slice/" CG_NAME));
    assert_false(exists(f, "cpu,cpuacct/" CG_NAME));
    assert_true(exists(f, "memory/user.slice/memory.limit_in_bytes"));
    assert_null(cg.paths);
    assert_null(cg.name);
}

/* Without limits: pids.max "max", memory kept for the OOM count, no cpu hierarchy. */
static void test_v1_unlimited(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, true);
    struct cgroup cg;
    create_ok(f, &cg);
    assert_int_equal(strv_len(cg.paths), 2);
    assert_file(f, "pids/" CG_NAME "/pids.max", "max");
    assert_file(f, "memory/user.slice/" CG_NAME "/memory.limit_in_bytes", "");
    assert_false(exists(f, "cpu,cpuacct/" CG_NAME));
    assert_non_null(cg.memory_path);
    destroy_ok(&cg);
}

static void test_v1_missing_controllers(void **state)
{
    struct fake *f = *state;
    fake_v1(f, false, false, false);
    f->req.memory = 64LL << 20;
    create_fails(f, "limits.memory needs the memory cgroup controller, which this host does not "
                    "have");
    f->req.memory = LIMIT_UNLIMITED;
    f->req.cpu_quota = 50000;
    create_fails(f, "limits.cpus needs the cpu cgroup controller, which this host does not have");
    f->req.cpu_shares = 512;
    create_fails(f, "limits.cpu_shares needs the cpu cgroup controller");
    assert_false(exists(f, "pids/" CG_NAME));
    /* Without any limit there is nothing missing: only pids is needed. */
    f->req.cpu_quota = f->req.cpu_shares = 0;
    struct cgroup cg;
    create_ok(f, &cg);
    assert_int_equal(strv_len(cg.paths), 1);
    assert_null(cg.memory_path);
    uint64_t n;
    assert_int_equal(cgroup_oom_kills(&cg, &n), -1);
    destroy_ok(&cg);
}

static void test_v1_no_memsw(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, false);
    full_limits(&f->req);
    create_fails(f, "limits.memory_swap: this kernel does not account swap (no "
                    "memory.memsw.limit_in_bytes); boot with swapaccount=1 or leave memory_swap "
                    "unset");
    /* Nothing left behind in any hierarchy. */
    assert_false(exists(f, "pids/" CG_NAME));
    assert_false(exists(f, "memory/user.slice/" CG_NAME));
    assert_false(exists(f, "cpu,cpuacct/" CG_NAME));
}

/* A hybrid host puts every limit in the v1 hierarchies, never in the unified one. */
static void test_hybrid_uses_v1(void **state)
{
    struct fake *f = *state;
    fake_v1_host(f, true, true, true, true);
    assert_int_equal(f->h.mode, CGROUP_HYBRID);
    assert_string_equal(f->h.v2_own, "/user.slice/user-0.slice/session-1.scope");
    full_limits(&f->req);
    struct cgroup cg;
    create_ok(f, &cg);
    assert_int_equal(cg.mode, CGROUP_HYBRID);
    assert_int_equal(cg.v2_fd, -1);
    assert_int_equal(strv_len(cg.paths), 3);
    assert_file(f, "memory/user.slice/" CG_NAME "/memory.memsw.limit_in_bytes", "100663296");
    assert_false(exists(f, "unified/" CG_NAME));
    put(f, "memory/user.slice/" CG_NAME "/memory.oom_control", "oom_kill_disable 0\noom_kill 1\n");
    uint64_t n = 0;
    assert_int_equal(cgroup_oom_kills(&cg, &n), 0);
    assert_int_equal(n, 1);
    destroy_ok(&cg);
}

/* An explicit parent is absolute in each hierarchy, made when missing, and kept. */
static void test_v1_explicit_parent(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, true);
    f->req.parent = xstrdup("/congo.slice/web");
    f->req.pids = 7;
    struct cgroup cg;
    create_ok(f, &cg);
    assert_file(f, "pids/congo.slice/web/" CG_NAME "/pids.max", "7");
    assert_true(exists(f, "memory/congo.slice/web/" CG_NAME "/memory.limit_in_bytes"));
    destroy_ok(&cg);
    assert_false(exists(f, "pids/congo.slice/web/" CG_NAME));
    assert_true(exists(f, "pids/congo.slice/web"));
    assert_true(exists(f, "memory/congo.slice/web"));

    /* The profile rejects these already; the module does not rely on it. */
    free(f->req.parent);
    f->req.parent = xstrdup("/congo.slice/../../etc");
    create_fails(f, "cgroup_parent: `/congo.slice/../../etc` leaves the hierarchy's root");
}

static void test_v1_attach_oom_destroy(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, true);
    f->req.cpu_shares = 2;
    struct cgroup cg;
    create_ok(f, &cg);
    pid_t child = spawn_sleeper();
    struct congo_error e = {0};
    assert_int_equal(cgroup_attach(&cg, child, &e), 0);
    char want[24];
    snprintf(want, sizeof(want), "%d", (int)child);
    assert_file(f, "pids/" CG_NAME "/cgroup.procs", want);
    assert_file(f, "memory/user.slice/" CG_NAME "/cgroup.procs", want);
    assert_file(f, "cpu,cpuacct/" CG_NAME "/cgroup.procs", want);

    put(f, "memory/user.slice/" CG_NAME "/memory.oom_control",
        "oom_kill_disable 0\nunder_oom 0\noom_kill 5\n");
    uint64_t n = 0;
    assert_int_equal(cgroup_oom_kills(&cg, &n), 0);
    assert_int_equal(n, 5);

    /* A cgroup the container made below ours goes too. */
    put(f, "pids/" CG_NAME "/inner/cgroup.procs", "");
    destroy_ok(&cg);
    assert_killed(child);
    assert_false(exists(f, "pids/" CG_NAME));
}

/* Every file and value, in the order the kernel needs: memory before memsw, period before quota. */
static void test_v1_writes(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, true);
    full_limits(&f->req);
    struct cgroup cg;
    plan_ok(f, &cg);
    static const struct want_write want[] = {
        {0, "pids.max", "50", "limits.pids", false},
        {1, "memory.limit_in_bytes", "67108864", "limits.memory", false},
        {1, "memory.memsw.limit_in_bytes", "100663296", "limits.memory_swap", true},
        {2, "cpu.shares", "1024", "limits.cpu_shares", false},
        {2, "cpu.cfs_period_us", "100000", "limits.cpus", false},
        {2, "cpu.cfs_quota_us", "150000", "limits.cpus", false},
    };
    assert_writes(f, &cg, want, ARRAY_SIZE(want));
    /* A short array gets the first ones; the count is still all of them. */
    struct cgroup_write two[2];
    assert_int_equal(cgroup_writes(&cg, &f->req, two, ARRAY_SIZE(two)), ARRAY_SIZE(want));
    assert_string_equal(two[1].file, "memory.limit_in_bytes");
    assert_false(exists(f, "pids/" CG_NAME));
    destroy_ok(&cg);

    /* No limit: pids.max is still written, to lift the parent's. */
    f->req = (struct cgroup_request){.name = f->req.name,
                                     .pids = LIMIT_UNLIMITED,
                                     .memory = LIMIT_UNLIMITED,
                                     .memory_swap = LIMIT_UNLIMITED};
    plan_ok(f, &cg);
    static const struct want_write none[] = {{0, "pids.max", "max", "limits.pids", false}};
    assert_writes(f, &cg, none, ARRAY_SIZE(none));
    destroy_ok(&cg);
}

/* ---- v2 ----------------------------------------------------------------- */

/* v2 plan names the directory and checks the controllers; it makes and enables nothing. */
static void test_v2_plan_makes_nothing(void **state)
{
    struct fake *f = *state;
    fake_v2_busy(f);
    f->req.cpu_quota = 100000;
    struct cgroup cg;
    plan_ok(f, &cg);
    _cleanup_free_ char *dir = xasprintf("%s/unified/congo/" CG_NAME, f->dir);
    assert_int_equal(strv_len(cg.paths), 1);
    assert_string_equal(cg.paths[0], dir);
    assert_string_equal(cg.in_container, "/congo/" CG_NAME);
    assert_ptr_equal(cg.cpu_path, cg.paths[0]);
    assert_null(cg.memory_path);
    assert_int_equal(cg.n_made, 0);
    assert_int_equal(cg.v2_fd, -1);
    assert_false(exists(f, "unified/congo"));
    assert_file(f, "unified/cgroup.subtree_control", "");

    /* make does what was planned. */
    struct congo_error e = {0};
    if (cgroup_make(&f->h, &f->req, &cg, &e) < 0)
        fail_msg("make: %s", e.msg);
    assert_string_equal(cg.paths[0], dir);
    assert_int_equal(cg.n_made, 1);
    assert_true(cg.v2_fd >= 0);
    assert_file(f, "unified/cgroup.subtree_control", "+pids +cpu");
    assert_file(f, "unified/congo/" CG_NAME "/cpu.max", "100000 100000");
    destroy_ok(&cg);

    /* An explicit parent is not made either. */
    f->req.parent = xstrdup("/machine.slice/congo");
    f->req.cpu_quota = 0;
    plan_ok(f, &cg);
    assert_string_equal(cg.in_container, "/machine.slice/congo/" CG_NAME);
    assert_null(cg.cpu_path);
    assert_false(exists(f, "unified/machine.slice"));
    destroy_ok(&cg);

    /* Memory the parent already passes down gives an OOM count without a memory limit. */
    free(f->req.parent);
    f->req.parent = NULL;
    put(f, "unified/congo/cgroup.subtree_control", "pids cpu memory\n");
    plan_ok(f, &cg);
    assert_ptr_equal(cg.memory_path, cg.paths[0]);
    destroy_ok(&cg);

    /* A missing controller is refused here, before anything exists. */
    f->req.memory = 64LL << 20;
    put(f, "unified/cgroup.controllers", "cpu pids\n");
    _cleanup_free_ char *name = cgroup_name(&f->req, LAUNCHER, STARTTIME);
    assert_int_equal(cgroup_plan(&f->h, planned(f), name, &cg, &e), -1);
    assert_string_equal(e.msg, "limits.memory needs the memory cgroup controller, which this host "
                               "does not have");
    assert_null(cg.paths);
    assert_null(cg.name);
    error_clear(&e);
}

/* Without the launcher's start time there is no name, and no cgroup. */
static void test_create_unknown_starttime(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpu memory pids\n", "/", true);
    struct congo_error e = {0};
    struct cgroup cg;
    assert_int_equal(cgroup_create(&f->h, planned(f), LAUNCHER, 0, &cg, &e), -1);
    assert_string_equal(e.msg, "cgroup for launcher 4242: its start time is unknown");
    assert_null(cg.paths);
    assert_int_equal(cg.v2_fd, -1);
    error_clear(&e);
}

static void test_v2_writes(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpuset cpu io memory pids\n", "/", true);
    full_limits(&f->req);
    struct cgroup cg;
    plan_ok(f, &cg);
    static const struct want_write want[] = {
        {0, "pids.max", "50", "limits.pids", false},
        {0, "memory.max", "67108864", "limits.memory", false},
        {0, "memory.swap.max", "33554432", "limits.memory_swap", true},
        {0, "cpu.weight", "100", "limits.cpu_shares", false},
        {0, "cpu.max", "150000 100000", "limits.cpus", false},
    };
    assert_writes(f, &cg, want, ARRAY_SIZE(want));
    assert_false(exists(f, "unified/" CG_NAME));
    destroy_ok(&cg);
}

static void test_v2_create_writes_limits(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpuset cpu io memory pids\n", "/", true);
    full_limits(&f->req);
    struct cgroup cg;
    create_ok(f, &cg);
    _cleanup_free_ char *dir = xasprintf("%s/unified/" CG_NAME, f->dir);
    assert_int_equal(strv_len(cg.paths), 1);
    assert_string_equal(cg.paths[0], dir);
    assert_string_equal(cg.in_container, "/" CG_NAME);
    assert_string_equal(cg.memory_path, dir);
    assert_true(cg.v2_fd >= 0);
    assert_file(f, "unified/cgroup.subtree_control", "+pids +memory +cpu");
    assert_file(f, "unified/" CG_NAME "/pids.max", "50");
    assert_file(f, "unified/" CG_NAME "/memory.max", "67108864");
    assert_file(f, "unified/" CG_NAME "/memory.swap.max", "33554432");
    assert_file(f, "unified/" CG_NAME "/cpu.weight", "100");
    assert_file(f, "unified/" CG_NAME "/cpu.max", "150000 100000");

    put(f, "unified/" CG_NAME "/memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n");
    uint64_t n = 0;
    assert_int_equal(cgroup_oom_kills(&cg, &n), 0);
    assert_int_equal(n, 2);

    pid_t child = spawn_sleeper();
    struct congo_error e = {0};
    assert_int_equal(cgroup_attach(&cg, child, &e), 0);
    destroy_ok(&cg);
    assert_killed(child);
    assert_int_equal(cg.v2_fd, -1);
    assert_false(exists(f, "unified/" CG_NAME));
}

static void test_v2_weight_anchors(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpu memory pids\n", "/", true);
    static const struct {
        int64_t shares;
        const char *weight;
    } anchors[] = {{2, "1"}, {1024, "100"}, {262144, "10000"}};
    for (size_t i = 0; i < ARRAY_SIZE(anchors); i++) {
        f->req.cpu_shares = anchors[i].shares;
        struct cgroup cg;
        create_ok(f, &cg);
        assert_file(f, "unified/" CG_NAME "/cpu.weight", anchors[i].weight);
        assert_file(f, "unified/" CG_NAME "/pids.max", "max");
        assert_file(f, "unified/" CG_NAME "/cpu.max", "");
        destroy_ok(&cg);
    }
    /* No memory limit and memory not enabled: no memory.events to read. */
    assert_file(f, "unified/cgroup.subtree_control", "+pids +cpu");
}

/* memory_swap equal to memory: no swap at all. */
static void test_v2_swap_zero(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "memory pids\n", "/", true);
    f->req.memory = f->req.memory_swap = 64LL << 20;
    struct cgroup cg;
    create_ok(f, &cg);
    assert_file(f, "unified/" CG_NAME "/memory.swap.max", "0");
    destroy_ok(&cg);
}

static void test_v2_missing(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpu pids\n", "/", false);
    f->req.memory = 64LL << 20;
    create_fails(f, "limits.memory needs the memory cgroup controller, which this host does not "
                    "have");
    f->req.memory = LIMIT_UNLIMITED;
    f->req.pids = 10;
    put(f, "unified/cgroup.controllers", "cpu memory\n");
    create_fails(f, "limits.pids needs the pids cgroup controller, which this host does not have");
    f->req.pids = LIMIT_UNLIMITED;
    create_fails(f, "the pids cgroup controller");
    put(f, "unified/cgroup.controllers", "memory pids\n");
    f->req.cpu_quota = 20000;
    create_fails(f, "limits.cpus needs the cpu cgroup controller");
    f->req.cpu_quota = 0;
    f->req.memory = 64LL << 20;
    f->req.memory_swap = 128LL << 20;
    create_fails(f, "limits.memory_swap: this kernel does not account swap (no memory.swap.max)");
    assert_false(exists(f, "unified/" CG_NAME));
}

/* The launcher's own cgroup holds processes: the nearest ancestor without any is used. */
static void test_v2_auto_ancestor(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpu memory pids\n", "/user.slice/user-0.slice/session-1.scope", true);
    v2_cgroup(f, "/user.slice", "");
    v2_cgroup(f, "/user.slice/user-0.slice", "");
    _cleanup_free_ char *procs = live_procs();
    v2_cgroup(f, "/user.slice/user-0.slice/session-1.scope", procs);
    f->req.memory = 64LL << 20;
    struct cgroup cg;
    create_ok(f, &cg);
    assert_string_equal(cg.in_container, "/user.slice/user-0.slice/" CG_NAME);
    assert_true(exists(f, "unified/user.slice/user-0.slice/" CG_NAME "/memory.max"));
    assert_file(f, "unified/cgroup.subtree_control", "+pids +memory");
    assert_file(f, "unified/user.slice/cgroup.subtree_control", "+pids +memory");
    assert_file(f, "unified/user.slice/user-0.slice/cgroup.subtree_control", "+pids +memory");
    assert_file(f, "unified/user.slice/user-0.slice/session-1.scope/cgroup.subtree_control", "");
    destroy_ok(&cg);
    assert_false(exists(f, "unified/user.slice/user-0.slice/" CG_NAME));

    /* Controllers already enabled are not written again. */
    put(f, "unified/user.slice/user-0.slice/cgroup.subtree_control", "memory pids cpu\n");
    create_ok(f, &cg);
    assert_file(f, "unified/user.slice/user-0.slice/cgroup.subtree_control", "memory pids cpu\n");
    destroy_ok(&cg);
}

/* Every ancestor holds processes: /congo below the root, made and enabled, then kept. */
static void test_v2_auto_congo(void **state)
{
    struct fake *f = *state;
    fake_v2_busy(f);
    f->req.cpu_quota = 100000;
    struct cgroup cg;
    create_ok(f, &cg);
    assert_string_equal(cg.in_container, "/congo/" CG_NAME);
    assert_file(f, "unified/cgroup.subtree_control", "+pids +cpu");
    assert_file(f, "unified/congo/cgroup.subtree_control", "+pids +cpu");
    assert_file(f, "unified/congo/" CG_NAME "/cpu.max", "100000 100000");
    assert_null(cg.memory_path);
    uint64_t n;
    assert_int_equal(cgroup_oom_kills(&cg, &n), -1);
    destroy_ok(&cg);
    assert_false(exists(f, "unified/congo/" CG_NAME));
    assert_true(exists(f, "unified/congo"));
}

static void test_v2_explicit_parent(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpu memory pids\n", "/init.scope", true);
    _cleanup_free_ char *procs = live_procs();
    v2_cgroup(f, "/init.scope", procs);
    f->req.parent = xstrdup("/machine.slice/congo");
    struct cgroup cg;
    create_ok(f, &cg);
    assert_string_equal(cg.in_container, "/machine.slice/congo/" CG_NAME);
    assert_file(f, "unified/machine.slice/cgroup.subtree_control", "+pids");
    assert_file(f, "unified/machine.slice/congo/cgroup.subtree_control", "+pids");
    assert_file(f, "unified/machine.slice/congo/" CG_NAME "/pids.max", "max");
    destroy_ok(&cg);
    assert_true(exists(f, "unified/machine.slice/congo"));
    assert_false(exists(f, "unified/machine.slice/congo/" CG_NAME));
}

/* A limit the kernel refuses undoes the directory made. */
static void test_v2_failure_leaves_nothing(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpu memory pids\n", "/", true);
    _cleanup_free_ char *cpumax = xasprintf("%s/unified/cpu.max", f->dir);
    unlink(cpumax);
    f->req.cpu_quota = 150000;
    create_fails(f, "limits.cpus: write `150000 100000` to `");
    assert_false(exists(f, "unified/" CG_NAME));
}

/* ---- stale cgroups ------------------------------------------------------ */

static void test_stale_v2(void **state)
{
    struct fake *f = *state;
    fake_v2(f, "cpu memory pids\n", "/", true);
    unsigned long long st = proc_starttime("/proc", getpid());
    assert_true(st > 0);

    /* The container of a launcher that died: its process is still there, to be killed. */
    pid_t orphan = spawn_sleeper();
    char procs[24];
    snprintf(procs, sizeof(procs), "%d\n", (int)orphan);
    _cleanup_free_ char *dead = xasprintf("/congo-dead-%d-12345", (int)dead_pid());
    v2_cgroup(f, dead, procs);
    _cleanup_free_ char *wrong = xasprintf("/congo-reused-%d-%llu", (int)getpid(), st + 1);
    v2_cgroup(f, wrong, "");
    _cleanup_free_ char *alive = xasprintf("/congo-my-app-%d-%llu", (int)getpid(), st);
    v2_cgroup(f, alive, "");
    v2_cgroup(f, "/congo-bad-name", "");
    v2_cgroup(f, "/congo-x-12-abc", "");
    v2_cgroup(f, "/system.slice", "");

    struct congo_error e = {0};
    int n = cgroup_collect_stale(&f->h, planned(f), &e);
    if (n < 0)
        fail_msg("collect: %s", e.msg);
    assert_int_equal(n, 2);
    assert_killed(orphan);
    _cleanup_free_ char *dead_rel = xasprintf("unified%s", dead);
    assert_false(exists(f, dead_rel));
    _cleanup_free_ char *wrong_rel = xasprintf("unified%s", wrong);
    _cleanup_free_ char *alive_rel = xasprintf("unified%s", alive);
    assert_false(exists(f, wrong_rel));
    assert_true(exists(f, alive_rel));
    assert_true(exists(f, "unified/congo-bad-name"));
    assert_true(exists(f, "unified/congo-x-12-abc"));
    assert_true(exists(f, "unified/system.slice"));

    /* A second pass finds nothing. */
    assert_int_equal(cgroup_collect_stale(&f->h, planned(f), &e), 0);
}

/* v1: a dead launcher's cgroup goes from every hierarchy, a live one stays in all. */
static void test_stale_v1(void **state)
{
    struct fake *f = *state;
    fake_v1(f, true, true, true);
    unsigned long long st = proc_starttime("/proc", getpid());
    pid_t gone = dead_pid();
    _cleanup_free_ char *d1 = xasprintf("pids/congo-old-%d-42", (int)gone);
    _cleanup_free_ char *d2 = xasprintf("memory/user.slice/congo-old-%d-42", (int)gone);
    _cleanup_free_ char *d3 = xasprintf("cpu,cpuacct/congo-old-%d-42", (int)gone);
    const char *dirs[] = {d1, d2, d3};
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dirs[i]);
        put(f, procs, "");
    }
    _cleanup_free_ char *alive = xasprintf("congo-web-%d-%llu", (int)getpid(), st);
    _cleanup_free_ char *a1 = xasprintf("pids/%s/cgroup.procs", alive);
    _cleanup_free_ char *a2 = xasprintf("memory/user.slice/%s/cgroup.procs", alive);
    put(f, a1, "");
    put(f, a2, "");
    struct congo_error e = {0};
    int n = cgroup_collect_stale(&f->h, planned(f), &e);
    if (n < 0)
        fail_msg("collect: %s", e.msg);
    assert_int_equal(n, 1);
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
        assert_false(exists(f, dirs[i]));
    assert_true(exists(f, a1));
    assert_true(exists(f, a2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fake_setup, fake_teardown)
        T(test_detect_v1),
        T(test_detect_v2),
        T(test_detect_hybrid),
        T(test_detect_none),
        T(test_detect_v2_with_named_v1),
        T(test_detect_escapes_and_roots),
        T(test_proc_starttime_comm),
        T(test_proc_stat_field),
        T(test_parse_name),
        T(test_name),
        T(test_cpu_weight),
        T(test_v1_create_writes_limits),
        T(test_v1_unlimited),
        T(test_v1_missing_controllers),
        T(test_v1_no_memsw),
        T(test_hybrid_uses_v1),
        T(test_v1_explicit_parent),
        T(test_v1_attach_oom_destroy),
        T(test_v1_writes),
        T(test_v2_create_writes_limits),
        T(test_v2_weight_anchors),
        T(test_v2_swap_zero),
        T(test_v2_missing),
        T(test_v2_auto_ancestor),
        T(test_v2_auto_congo),
        T(test_v2_explicit_parent),
        T(test_v2_failure_leaves_nothing),
        T(test_v2_writes),
        T(test_v2_plan_makes_nothing),
        T(test_create_unknown_starttime),
        T(test_stale_v2),
        T(test_stale_v1),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
