/*
 * --print --format oci and --bundle as a user meets them: the config.json
 * of representative profiles, field by field, the notes on stderr, and
 * every refusal with its message and exit status. No root needed but for
 * the --bundle cases, which say what they expect without it.
 */
#include "helpers.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

struct result {
    int status;
    char *out;
    char *err;
    json_t *doc; /* stdout as JSON, when it is */
};

#define congo(r, ...) run_congo(r, (const char *const[]){__VA_ARGS__, NULL})

static void run_congo(struct result *r, const char *const *args)
{
    r->status = test_congo(&r->out, &r->err, args);
    r->doc = json_loads(r->out, JSON_REJECT_DUPLICATES, NULL);
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
    json_decref(r->doc);
}

static char *dir, *root;

/* A small root: the users congo resolves, and the directories it mounts on. */
static int setup(void **state)
{
    (void)state;
    dir = test_tmpdir();
    root = xasprintf("%s/root", dir);
    free(test_write(root, "etc/passwd",
                    "root:x:0:0:root:/root:/bin/sh\n"
                    "app:x:1000:1000::/home/app:/bin/sh\n"));
    free(test_write(root, "etc/group", "root:x:0:\napp:x:1000:\nstaff:x:50:app\nwheel:x:10:app\naudio:x:29:\n"));
    static const char *const dirs[] = {"proc",     "dev",    "sys",      "tmp",     "run",
                                       "srv/data", "srv/ro", "srv/open", "srv/dev", "home/app"};
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        _cleanup_free_ char *d = xasprintf("%s/%s", root, dirs[i]);
        free(test_write(d, ".keep", ""));
    }
    /* The caller's TERM would add a note to every export. */
    unsetenv("TERM");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmrf(dir);
    free(dir);
    free(root);
    return 0;
}

/* name in dir, with `rootfs: ROOT` (the test root) and `readonly_rootfs: true` ahead of text. */
static char *profile(const char *name, const char *text)
{
    _cleanup_free_ char *full = xasprintf("rootfs: %s\nreadonly_rootfs: true\n%s", root, text);
    return test_write(dir, name, full);
}

/* The value at a dotted path of doc: "process.user.uid", "mounts.3.options.0". */
static json_t *at(json_t *doc, const char *path)
{
    _cleanup_free_ char *copy = xstrdup(path);
    json_t *v = doc;
    for (char *save = NULL, *k = strtok_r(copy, ".", &save); v && k; k = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, strtoul(k, NULL, 10)) : json_object_get(v, k);
    return v;
}

static const char *str_at(json_t *doc, const char *path)
{
    json_t *v = at(doc, path);
    if (!json_is_string(v))
        fail_msg("%s: not a string", path);
    return json_string_value(v);
}

static long long int_at(json_t *doc, const char *path)
{
    json_t *v = at(doc, path);
    if (!json_is_integer(v))
        fail_msg("%s: not an integer", path);
    return json_integer_value(v);
}

/* The strings of the array at path, joined by spaces. */
static char *strings_at(json_t *doc, const char *path)
{
    json_t *a = at(doc, path);
    if (!json_is_array(a))
        fail_msg("%s: not an array", path);
    struct strbuf sb = {0};
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (i)
            strbuf_putc(&sb, ' ');
        strbuf_puts(&sb, json_is_string(v) ? json_string_value(v) : "?");
    }
    return strbuf_steal(&sb);
}

#define assert_strings(doc, path, want)                                                        \
    do {                                                                                       \
        _cleanup_free_ char *got_ = strings_at(doc, path);                                     \
        assert_string_equal(got_, want);                                                       \
    } while (0)

/* The mount at target in doc's mounts, or NULL; *index gets its place. */
static json_t *mount_at(json_t *doc, const char *target, size_t *index)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(doc, "mounts"), i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "destination")), target) == 0) {
            if (index)
                *index = i;
            return m;
        }
    }
    return NULL;
}

static char *mount_options(json_t *doc, const char *target)
{
    json_t *m = mount_at(doc, target, NULL);
    if (!m)
        fail_msg("no mount at %s", target);
    return strings_at(m, "options");
}

/* ---- the process ---- */

static void test_process(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("process.yaml", "hostname: box\n"
                                                     "user: app\n"
                                                     "workdir: /srv\n"
                                                     "env: {GREETING: hello, HOME: /srv}\n"
                                                     "rlimits: {nofile: 1024:4096, nproc: 50}\n"
                                                     "no_new_privileges: false\n"
                                                     "command: [/bin/echo, one, two]\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    assert_string_equal(str_at(r.doc, "ociVersion"), "1.0.2-dev");
    assert_false(json_is_true(at(r.doc, "process.terminal")));
    /* The user as congo resolves it in the root: uid, gid and every group, the primary first. */
    assert_int_equal(int_at(r.doc, "process.user.uid"), 1000);
    assert_int_equal(int_at(r.doc, "process.user.gid"), 1000);
    assert_int_equal(json_array_size(at(r.doc, "process.user.additionalGids")), 3);
    assert_int_equal(int_at(r.doc, "process.user.additionalGids.0"), 1000);
    assert_int_equal(int_at(r.doc, "process.user.additionalGids.1"), 10);
    assert_int_equal(int_at(r.doc, "process.user.additionalGids.2"), 50);
    assert_strings(r.doc, "process.args", "/bin/echo one two");
    result_free(&r);
    /* initgroups: false: the user's group and the profile's groups alone, as runc sets them. */
    _cleanup_free_ char *exact =
        profile("exact.yaml", "user: app\ninitgroups: false\ngroups: [2000]\ncommand: [id]\n");
    congo(&r, "--print", "--format", "oci", exact);
    assert_int_equal(r.status, 0);
    assert_int_equal(int_at(r.doc, "process.user.gid"), 1000);
    assert_int_equal(json_array_size(at(r.doc, "process.user.additionalGids")), 1);
    assert_int_equal(int_at(r.doc, "process.user.additionalGids.0"), 2000);
    result_free(&r);
    congo(&r, "--print", "--format", "oci", p);
    /* The profile's HOME stands; the base environment in its order, no TERM. */
    assert_strings(r.doc, "process.env",
                   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/srv "
                   "HOSTNAME=box GREETING=hello");
    assert_string_equal(str_at(r.doc, "process.cwd"), "/srv");
    assert_string_equal(str_at(r.doc, "hostname"), "box");
    /* Another user than root keeps nothing but the bounding set. */
    assert_strings(r.doc, "process.capabilities.bounding",
                   "CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID "
                   "CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SYS_CHROOT "
                   "CAP_AUDIT_WRITE CAP_SETFCAP");
    static const char *const empty[] = {"effective", "permitted", "inheritable", "ambient"};
    for (size_t i = 0; i < ARRAY_SIZE(empty); i++) {
        _cleanup_free_ char *path = xasprintf("process.capabilities.%s", empty[i]);
        assert_int_equal(json_array_size(at(r.doc, path)), 0);
    }
    assert_string_equal(str_at(r.doc, "process.rlimits.0.type"), "RLIMIT_NOFILE");
    assert_int_equal(int_at(r.doc, "process.rlimits.0.soft"), 1024);
    assert_int_equal(int_at(r.doc, "process.rlimits.0.hard"), 4096);
    assert_string_equal(str_at(r.doc, "process.rlimits.1.type"), "RLIMIT_NPROC");
    assert_int_equal(int_at(r.doc, "process.rlimits.1.hard"), 50);
    assert_true(json_is_false(at(r.doc, "process.noNewPrivileges")));
    /* The root in place, read-only. */
    _cleanup_free_ char *real = realpath(root, NULL);
    assert_string_equal(str_at(r.doc, "root.path"), real);
    assert_true(json_is_true(at(r.doc, "root.readonly")));
    result_free(&r);
}

static void test_root_keeps_its_capabilities(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("caps.yaml", "capabilities: {add: [NET_ADMIN], drop: [ALL]}\n"
                                                  "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    assert_int_equal(int_at(r.doc, "process.user.uid"), 0);
    assert_int_equal(int_at(r.doc, "process.user.additionalGids.0"), 0);
    assert_strings(r.doc, "process.capabilities.bounding", "CAP_NET_ADMIN");
    assert_strings(r.doc, "process.capabilities.effective", "CAP_NET_ADMIN");
    assert_strings(r.doc, "process.capabilities.permitted", "CAP_NET_ADMIN");
    assert_int_equal(json_array_size(at(r.doc, "process.capabilities.ambient")), 0);
    /* One string runs under /bin/sh -c; the HOME is root's from the root's passwd. */
    assert_strings(r.doc, "process.args", "/bin/sh -c /bin/true");
    assert_string_equal(str_at(r.doc, "process.env.1"), "HOME=/root");
    result_free(&r);
}

/* RLIM_INFINITY is a uint64 runtime-spec writes as it is: beyond what jansson reads. */
static void test_unlimited_rlimit(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("core.yaml", "rlimits: {core: unlimited}\n"
                                                  "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"hard\": 18446744073709551615,\n"
                                  "        \"soft\": 18446744073709551615\n"));
    assert_null(strstr(r.out, "-9223372036854775808"));
    result_free(&r);
}

/* ---- mounts ---- */

static void test_mounts(void **state)
{
    (void)state;
    _cleanup_free_ char *src = xasprintf("%s/data", dir);
    free(test_write(src, "file", "x"));
    _cleanup_free_ char *text =
        xasprintf("mounts:\n"
                  "  - {target: /run, type: tmpfs, options: 'size=1m,mode=700,noexec'}\n"
                  "  - %s:/srv/data\n"
                  "  - %s:/srv/ro:ro\n"
                  "  - {source: %s, target: /srv/open, suid: true, dev: true}\n"
                  "readonly_paths: [/srv]\n"
                  "masked_paths: [/srv/secret]\n"
                  "command: /bin/true\n",
                  src, src, src);
    _cleanup_free_ char *p = profile("mounts.yaml", text);
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    /* The plan's order: congo's own first, then the profile's, parents first. */
    static const char *const order[] = {
        "/proc",        "/dev",           "/dev/null", "/dev/zero", "/dev/full",   "/dev/random",
        "/dev/urandom", "/dev/tty",       "/dev/pts",  "/dev/shm",  "/dev/mqueue", "/tmp",
        "/sys",         "/sys/fs/cgroup", "/run",      "/srv/data", "/srv/ro",     "/srv/open"};
    assert_int_equal(json_array_size(json_object_get(r.doc, "mounts")), ARRAY_SIZE(order));
    for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
        size_t at_index = 99;
        assert_non_null(mount_at(r.doc, order[i], &at_index));
        assert_int_equal(at_index, i);
    }
    _cleanup_free_ char *proc = mount_options(r.doc, "/proc");
    assert_string_equal(proc, "nosuid nodev noexec");
    /* /dev stays nodev: its nodes are the host's, bound in. */
    _cleanup_free_ char *dev = mount_options(r.doc, "/dev");
    assert_string_equal(dev, "nosuid nodev noexec mode=0755 size=65536k");
    assert_string_equal(str_at(mount_at(r.doc, "/dev/null", NULL), "type"), "bind");
    assert_string_equal(str_at(mount_at(r.doc, "/dev/null", NULL), "source"), "/dev/null");
    _cleanup_free_ char *pts = mount_options(r.doc, "/dev/pts");
    assert_string_equal(pts, "nosuid noexec newinstance ptmxmode=0666 mode=0620");
    _cleanup_free_ char *sys = mount_options(r.doc, "/sys");
    assert_string_equal(sys, "ro nosuid nodev noexec");
    assert_string_equal(str_at(mount_at(r.doc, "/sys/fs/cgroup", NULL), "type"), "cgroup");
    _cleanup_free_ char *cg = mount_options(r.doc, "/sys/fs/cgroup");
    assert_string_equal(cg, "nosuid noexec nodev ro");
    /* The profile's tmpfs: its flags as options, the rest for tmpfs. */
    _cleanup_free_ char *run = mount_options(r.doc, "/run");
    assert_string_equal(run, "nosuid nodev noexec size=1m mode=700");
    /* Below a read-only path, binds are read-only through their whole tree. */
    assert_string_equal(str_at(mount_at(r.doc, "/srv/data", NULL), "source"), src);
    _cleanup_free_ char *data = mount_options(r.doc, "/srv/data");
    assert_non_null(strstr(data, "rbind ro "));
    assert_true(str_has_suffix(data, " rro rnosuid rnodev"));
    _cleanup_free_ char *open_ro = mount_options(r.doc, "/srv/open");
    assert_true(str_has_suffix(open_ro, " rro"));
    result_free(&r);

    /*
     * Not below one, a writable bind is nosuid and nodev through its tree,
     * and keeps its source's other flags; with suid and dev it has no flag
     * to set, and runc remounts nothing.
     */
    congo(&r, "--print", "--format", "oci", "--reset", "readonly_paths", p);
    assert_int_equal(r.status, 0);
    _cleanup_free_ char *rw = mount_options(r.doc, "/srv/data");
    assert_true(strncmp(rw, "rbind ", 6) == 0);
    assert_non_null(strstr(rw, " nosuid nodev "));
    assert_true(str_has_suffix(rw, " rnosuid rnodev"));
    _cleanup_free_ char *open_rw = mount_options(r.doc, "/srv/open");
    assert_string_equal(open_rw, "rbind");
    /* runc's device cgroup keeps what congo's dev: true lets open: a note says so. */
    assert_non_null(strstr(r.err, "mounts: `/srv/open` is bound with `dev: true`"));
    assert_null(strstr(r.err, "`/srv/data` is bound"));
    _cleanup_free_ char *ro = mount_options(r.doc, "/srv/ro");
    assert_non_null(strstr(ro, "rbind ro "));
    assert_strings(r.doc, "linux.readonlyPaths",
                   "/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger");
    assert_strings(r.doc, "linux.maskedPaths",
                   "/proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys "
                   "/proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug "
                   "/proc/scsi /sys/firmware /sys/devices/virtual/powercap /srv/secret");
    assert_string_equal(str_at(r.doc, "linux.rootfsPropagation"), "rprivate");
    result_free(&r);
}

/* ---- linux ---- */

static void test_namespaces_and_resources(void **state)
{
    (void)state;
    _cleanup_free_ char *p =
        profile("limits.yaml", "name: web\n"
                               "namespaces: {net: false, uts: false, cgroup: true}\n"
                               "limits: {pids: 64, memory: 64m, memory_swap: 96m, cpus: 0.5}\n"
                               "cgroup_parent: /batch/jobs\n"
                               "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    json_t *ns = at(r.doc, "linux.namespaces");
    assert_int_equal(json_array_size(ns), 4);
    assert_string_equal(str_at(ns, "0.type"), "pid");
    assert_string_equal(str_at(ns, "1.type"), "ipc");
    assert_string_equal(str_at(ns, "2.type"), "mount");
    assert_string_equal(str_at(ns, "3.type"), "cgroup");
    /* No uts namespace, no host name (runc refuses one without it), no HOSTNAME. */
    assert_null(at(r.doc, "hostname"));
    _cleanup_free_ char *env = strings_at(r.doc, "process.env");
    assert_null(strstr(env, "HOSTNAME"));
    assert_int_equal(int_at(r.doc, "linux.resources.pids.limit"), 64);
    assert_int_equal(int_at(r.doc, "linux.resources.memory.limit"), 64 << 20);
    assert_int_equal(int_at(r.doc, "linux.resources.memory.swap"), 96 << 20);
    assert_int_equal(int_at(r.doc, "linux.resources.cpu.quota"), 50000);
    assert_int_equal(int_at(r.doc, "linux.resources.cpu.period"), 100000);
    assert_null(at(r.doc, "linux.resources.cpu.shares"));
    assert_string_equal(str_at(r.doc, "linux.cgroupsPath"), "/batch/jobs/congo-web");
    /* Every device denied, then those congo's /dev holds. */
    json_t *dev = at(r.doc, "linux.resources.devices");
    assert_true(json_is_false(at(dev, "0.allow")));
    assert_string_equal(str_at(dev, "0.access"), "rwm");
    assert_null(at(dev, "0.type"));
    static const int nodes[][2] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}};
    for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
        json_t *rule = json_array_get(dev, i + 1);
        assert_true(json_is_true(at(rule, "allow")));
        assert_string_equal(str_at(rule, "type"), "c");
        assert_int_equal(int_at(rule, "major"), nodes[i][0]);
        assert_int_equal(int_at(rule, "minor"), nodes[i][1]);
    }
    assert_int_equal(int_at(dev, "7.major"), 136);
    assert_null(at(dev, "7.minor"));
    assert_int_equal(int_at(dev, "8.major"), 5);
    assert_int_equal(int_at(dev, "8.minor"), 2);
    assert_int_equal(json_array_size(dev), 9);
    result_free(&r);

    /* auto: no path, so runc makes the cgroup below its own, as congo does below the launcher. */
    congo(&r, "--print", "--format", "oci", "--set", "cgroup_parent=auto", p);
    assert_int_equal(r.status, 0);
    assert_null(at(r.doc, "linux.cgroupsPath"));
    result_free(&r);
}

/* ---- seccomp ---- */

static void test_seccomp(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("sc.yaml", "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    json_t *sc = at(r.doc, "linux.seccomp");
    assert_string_equal(str_at(sc, "defaultAction"), "SCMP_ACT_ALLOW");
#if defined(__x86_64__)
    assert_strings(sc, "architectures", "SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32");
#endif
    /* Whole calls with one errno share an entry. */
    _cleanup_free_ char *names = strings_at(sc, "syscalls.0.names");
    assert_true(strncmp(names, "kexec_load kexec_file_load reboot ", 34) == 0);
    assert_non_null(strstr(names, " mount "));
    assert_non_null(strstr(names, " ptrace "));
    assert_string_equal(str_at(sc, "syscalls.0.action"), "SCMP_ACT_ERRNO");
    assert_int_equal(int_at(sc, "syscalls.0.errnoRet"), EPERM);
    assert_strings(sc, "syscalls.1.names", "clone3");
    assert_int_equal(int_at(sc, "syscalls.1.errnoRet"), ENOSYS);
    /* clone with CLONE_NEWNS set, whatever else is. */
    assert_strings(sc, "syscalls.2.names", "clone");
    assert_int_equal(int_at(sc, "syscalls.2.args.0.value"), 0x20000);
    assert_int_equal(int_at(sc, "syscalls.2.args.0.valueTwo"), 0x20000);
    assert_string_equal(str_at(sc, "syscalls.2.args.0.op"), "SCMP_CMP_MASKED_EQ");
    /* ioctl TIOCSTI, on the request's low 32 bits. */
    size_t n = json_array_size(at(sc, "syscalls"));
    _cleanup_free_ char *last = xasprintf("syscalls.%zu", n - 2);
    json_t *tiocsti = at(sc, last);
    assert_strings(tiocsti, "names", "ioctl");
    assert_int_equal(int_at(tiocsti, "args.0.index"), 1);
    assert_int_equal(int_at(tiocsti, "args.0.value"), 0xffffffff);
    assert_int_equal(int_at(tiocsti, "args.0.valueTwo"), 0x5412);
    result_free(&r);

    /* A file of the profile's: its errnos, and what a `!` line took back is gone. */
    _cleanup_free_ char *rules = test_write(dir, "rules.seccomp",
                                            "@default\n!mount\nptrace ESRCH\nioctl TIOCSCTTY\n");
    _cleanup_free_ char *text = xasprintf("seccomp: %s\ncommand: /bin/true\n", rules);
    _cleanup_free_ char *q = profile("file.yaml", text);
    congo(&r, "--print", "--format", "oci", q);
    assert_int_equal(r.status, 0);
    sc = at(r.doc, "linux.seccomp");
    _cleanup_free_ char *eperm = strings_at(sc, "syscalls.0.names");
    assert_null(strstr(eperm, " mount "));
    assert_null(strstr(eperm, " ptrace"));
    bool esrch = false, tiocsctty = false;
    size_t i;
    json_t *rule;
    json_array_foreach(at(sc, "syscalls"), i, rule)
    {
        _cleanup_free_ char *nm = strings_at(rule, "names");
        esrch |= strcmp(nm, "ptrace") == 0 && int_at(rule, "errnoRet") == ESRCH;
        tiocsctty |= strcmp(nm, "ioctl") == 0 && int_at(rule, "args.0.valueTwo") == 0x540e;
    }
    assert_true(esrch);
    assert_true(tiocsctty);
    result_free(&r);

    congo(&r, "--print", "--format", "oci", "--set", "seccomp=unconfined", p);
    assert_int_equal(r.status, 0);
    assert_non_null(at(r.doc, "linux"));
    assert_null(at(r.doc, "linux.seccomp"));
    result_free(&r);
}


/* umask, groups, oom_score_adj and the ambient set, as the run applies them. */
static void test_process_keys(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("pkeys.yaml", "user: app\n"
                                                   "umask: '027'\n"
                                                   "groups: [audio, 4242, staff]\n"
                                                   "oom_score_adj: -500\n"
                                                   "capabilities: {ambient: [NET_BIND_SERVICE]}\n"
                                                   "no_new_privileges: false\n"
                                                   "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    assert_int_equal(int_at(r.doc, "process.user.umask"), 027);
    /* The user's own, then the profile's, a name looked up in the root, one already there kept once. */
    json_t *gids = at(r.doc, "process.user.additionalGids");
    assert_int_equal(json_array_size(gids), 5);
    static const int want[] = {1000, 10, 50, 29, 4242};
    for (size_t i = 0; i < ARRAY_SIZE(want); i++)
        assert_int_equal(json_integer_value(json_array_get(gids, i)), want[i]);
    assert_int_equal(int_at(r.doc, "process.oomScoreAdj"), -500);
    assert_strings(r.doc, "process.capabilities.ambient", "CAP_NET_BIND_SERVICE");
    assert_strings(r.doc, "process.capabilities.inheritable", "CAP_NET_BIND_SERVICE");
    /* runc raises the ambient set from the permitted one: the kept set, which execve reduces. */
    _cleanup_free_ char *bounding = strings_at(r.doc, "process.capabilities.bounding");
    _cleanup_free_ char *permitted = strings_at(r.doc, "process.capabilities.permitted");
    assert_string_equal(permitted, bounding);
    result_free(&r);

    /* The defaults: 0022, the launcher's oom_score_adj (none written), no ambient set. */
    congo(&r, "--print", "--format", "oci", "--reset", "umask", "--reset", "oom_score_adj",
          "--reset", "capabilities.ambient", "--reset", "groups", p);
    assert_int_equal(r.status, 0);
    assert_int_equal(int_at(r.doc, "process.user.umask"), 022);
    assert_null(at(r.doc, "process.oomScoreAdj"));
    assert_int_equal(json_array_size(at(r.doc, "process.capabilities.ambient")), 0);
    assert_int_equal(json_array_size(at(r.doc, "process.capabilities.inheritable")), 0);
    assert_int_equal(json_array_size(at(r.doc, "process.capabilities.permitted")), 0);
    assert_int_equal(json_array_size(at(r.doc, "process.user.additionalGids")), 3);
    result_free(&r);

    /* A group the root does not have stops the export where it would stop the run. */
    congo(&r, "--print", "--format", "oci", "--set", "groups=[video]", p);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "error: groups: group `video` is not in the container's "
                                  "/etc/group\n"));
    result_free(&r);
}

/* base_env: the environment the run would give, either way. */
static void test_base_env(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("benv.yaml", "hostname: box\n"
                                                  "env: {A: b, PATH: /bin}\n"
                                                  "base_env: false\n"
                                                  "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    _cleanup_free_ char *alone = strings_at(r.doc, "process.env");
    assert_null(strstr(alone, "HOSTNAME="));
    assert_non_null(strstr(alone, "HOME=/root"));
    assert_non_null(strstr(alone, "A=b"));
    assert_non_null(strstr(alone, "PATH=/bin"));
    assert_int_equal(json_array_size(at(r.doc, "process.env")), 3);
    result_free(&r);

    congo(&r, "--print", "--format", "oci", "--set", "base_env=true", p);
    assert_int_equal(r.status, 0);
    assert_strings(r.doc, "process.env", "PATH=/bin HOME=/root HOSTNAME=box A=b");
    result_free(&r);
}

/* sysctl, domainname, annotations, a namespace joined, cgroup_path. */
static void test_linux_keys(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("lkeys.yaml", "domainname: example.org\n"
                                                   "sysctl: {net.ipv4.ip_forward: '1', "
                                                   "kernel.msgmax: '8192'}\n"
                                                   "annotations: {org.example.owner: ops, "
                                                   "note: 'a=b'}\n"
                                                   "namespaces: {net: /proc/1/ns/net}\n"
                                                   "cgroup_path: /batch/exact\n"
                                                   "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    assert_string_equal(str_at(r.doc, "domainname"), "example.org");
    _cleanup_free_ char *domain_note =
        xasprintf("%s:3: note: domainname: runc before 1.2 ignores config.json's domainname", p);
    assert_non_null(strstr(r.err, domain_note));
    assert_string_equal(json_string_value(json_object_get(at(r.doc, "linux.sysctl"),
                                                          "net.ipv4.ip_forward")),
                        "1");
    assert_string_equal(json_string_value(json_object_get(at(r.doc, "linux.sysctl"),
                                                          "kernel.msgmax")),
                        "8192");
    assert_int_equal(json_object_size(at(r.doc, "linux.sysctl")), 2);
    assert_string_equal(json_string_value(json_object_get(at(r.doc, "annotations"),
                                                          "org.example.owner")),
                        "ops");
    assert_string_equal(json_string_value(json_object_get(at(r.doc, "annotations"), "note")),
                        "a=b");
    /* The net namespace joined by its path, in the place of a new one. */
    bool joined = false;
    size_t i;
    json_t *ns;
    json_array_foreach(at(r.doc, "linux.namespaces"), i, ns)
    {
        if (strcmp(str_at(ns, "type"), "network") != 0)
            continue;
        assert_false(joined);
        joined = true;
        assert_string_equal(str_at(ns, "path"), "/proc/1/ns/net");
    }
    assert_true(joined);
    /* cgroup_path is the cgroup itself. */
    assert_string_equal(str_at(r.doc, "linux.cgroupsPath"), "/batch/exact");
    result_free(&r);

    congo(&r, "--print", "--format", "oci", "--set", "cgroup_path=/top", "--reset", "sysctl",
          "--reset", "annotations", "--reset", "domainname", p);
    assert_int_equal(r.status, 0);
    assert_string_equal(str_at(r.doc, "linux.cgroupsPath"), "/top");
    assert_null(at(r.doc, "linux.sysctl"));
    assert_null(at(r.doc, "annotations"));
    assert_null(at(r.doc, "domainname"));
    result_free(&r);
}

/* upper: none writes into rootfs itself, as runc does with root.path: named in place. */
static void test_upper_none(void **state)
{
    (void)state;
    _cleanup_free_ char *text = xasprintf("rootfs: %s\nupper: none\ncommand: /bin/true\n", root);
    _cleanup_free_ char *p = test_write(dir, "direct.yaml", text);
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    _cleanup_free_ char *real = realpath(root, NULL);
    assert_string_equal(str_at(r.doc, "root.path"), real);
    assert_true(json_is_false(at(r.doc, "root.readonly")));
    result_free(&r);
}

/* The mount types and options of the profile, and built-ins removed with `type: none`. */
static void test_mount_types(void **state)
{
    (void)state;
    _cleanup_free_ char *src = xasprintf("%s/data", dir);
    free(test_write(src, "file", "x"));
    _cleanup_free_ char *text =
        xasprintf("mounts:\n"
                  "  - {target: /dev/mqueue, type: none}\n"
                  "  - {target: /tmp, type: none}\n"
                  "  - {target: /sys/fs/cgroup, type: cgroup, options: rw}\n"
                  "  - {target: /proc, type: proc, options: 'hidepid=2'}\n"
                  "  - {target: /srv/ro, type: bind, source: %s, options: 'bind,nosuid,ro'}\n"
                  "  - {target: /srv/data, type: bind, source: %s, options: 'noexec,noatime'}\n"
                  "command: /bin/true\n",
                  src, src);
    _cleanup_free_ char *p = profile("types.yaml", text);
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    assert_null(mount_at(r.doc, "/dev/mqueue", NULL));
    assert_null(mount_at(r.doc, "/tmp", NULL));
    /* The profile's cgroup mount, made writable (congo's own is read-only). */
    _cleanup_free_ char *cg = mount_options(r.doc, "/sys/fs/cgroup");
    assert_string_equal(cg, "nosuid noexec nodev");
    _cleanup_free_ char *proc = mount_options(r.doc, "/proc");
    assert_string_equal(proc, "nosuid nodev noexec hidepid=2");
    /* A plain bind: its flags, the source's others, and nothing recursive. */
    _cleanup_free_ char *ro = mount_options(r.doc, "/srv/ro");
    assert_true(strncmp(ro, "bind ro nosuid", 14) == 0);
    assert_null(strstr(ro, "rbind"));
    assert_null(strstr(ro, "rro"));
    /* A recursive one: each flag again for what is below, one atime mode. */
    _cleanup_free_ char *data = mount_options(r.doc, "/srv/data");
    assert_true(strncmp(data, "rbind ", 6) == 0);
    assert_non_null(strstr(data, " noexec "));
    assert_non_null(strstr(data, " noatime"));
    assert_null(strstr(data, "relatime"));
    assert_true(str_has_suffix(data, " rnoexec rnoatime"));
    result_free(&r);
}

/* `!PATH` takes a built-in masked or read-only path back: the bundle lacks it too. */
static void test_paths_taken_back(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("back.yaml", "masked_paths: ['!/proc/kcore', /srv/secret]\n"
                                                  "readonly_paths: ['!/proc/sys']\n"
                                                  "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    _cleanup_free_ char *masked = strings_at(r.doc, "linux.maskedPaths");
    assert_null(strstr(masked, "/proc/kcore"));
    assert_non_null(strstr(masked, "/proc/keys"));
    assert_true(str_has_suffix(masked, " /srv/secret"));
    assert_strings(r.doc, "linux.readonlyPaths", "/proc/bus /proc/fs /proc/irq /proc/sysrq-trigger");
    result_free(&r);
}

/* An OCI policy is exported as the policy it is: an inline map, or a .json file. */
static void test_seccomp_policy(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("pol.yaml",
                                     "seccomp:\n"
                                     "  defaultAction: SCMP_ACT_ERRNO\n"
                                     "  defaultErrnoRet: 38\n"
                                     "  flags: [SECCOMP_FILTER_FLAG_LOG]\n"
                                     "  syscalls:\n"
                                     "    - {names: [read, write, exit_group], action: SCMP_ACT_ALLOW}\n"
                                     "    - names: [personality]\n"
                                     "      action: SCMP_ACT_ERRNO\n"
                                     "      errnoRet: 3\n"
                                     "      args: [{index: 0, value: 8, op: SCMP_CMP_NE}]\n"
                                     "command: /bin/true\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    json_t *sc = at(r.doc, "linux.seccomp");
    assert_string_equal(str_at(sc, "defaultAction"), "SCMP_ACT_ERRNO");
    assert_int_equal(int_at(sc, "defaultErrnoRet"), 38);
    assert_strings(sc, "flags", "SECCOMP_FILTER_FLAG_LOG");
    assert_null(at(sc, "architectures"));
    assert_int_equal(json_array_size(at(sc, "syscalls")), 2);
    assert_strings(sc, "syscalls.0.names", "read write exit_group");
    assert_string_equal(str_at(sc, "syscalls.0.action"), "SCMP_ACT_ALLOW");
    assert_int_equal(int_at(sc, "syscalls.1.errnoRet"), 3);
    assert_int_equal(int_at(sc, "syscalls.1.args.0.value"), 8);
    assert_string_equal(str_at(sc, "syscalls.1.args.0.op"), "SCMP_CMP_NE");
    result_free(&r);

    _cleanup_free_ char *file =
        test_write(dir, "policy.json",
                   "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                   " \"syscalls\": [{\"names\": [\"unshare\"], \"action\": \"SCMP_ACT_ERRNO\","
                   " \"errnoRet\": 3}]}\n");
    _cleanup_free_ char *set = xasprintf("seccomp=%s", file);
    congo(&r, "--print", "--format", "oci", "--set", set, p);
    assert_int_equal(r.status, 0);
    sc = at(r.doc, "linux.seccomp");
    assert_string_equal(str_at(sc, "defaultAction"), "SCMP_ACT_ALLOW");
    assert_strings(sc, "architectures", "SCMP_ARCH_X86_64");
    assert_strings(sc, "syscalls.0.names", "unshare");
    assert_int_equal(int_at(sc, "syscalls.0.errnoRet"), 3);
    assert_null(at(sc, "flags"));
    result_free(&r);
}

/* ---- the round trip: config.json read back as a profile ---- */

/*
 * a without the entries whose key (NULL: the whole entry) repeats an
 * earlier one's: the importer's own /dev binds and their device rules.
 */
static json_t *first_of_each(json_t *a, const char *key)
{
    json_t *out = json_array();
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(a, i, v)
    {
        bool seen = false;
        json_array_foreach(out, j, w)
        {
            seen |= key ? json_equal(json_object_get(v, key), json_object_get(w, key))
                        : json_equal(v, w);
        }
        if (!seen)
            json_array_append(out, v);
    }
    return out;
}

static void assert_same_at(json_t *a, json_t *b, const char *path)
{
    json_t *x = at(a, path), *y = at(b, path);
    if (json_equal(x, y) || (!x && !y))
        return;
    _cleanup_free_ char *tx = x ? json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("none");
    _cleanup_free_ char *ty = y ? json_dumps(y, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("none");
    fail_msg("%s: %s, read back %s", path, tx, ty);
}

/*
 * profile -> --print --format oci -> config.json, which congo reads as a
 * profile of its own: exported again, every value both sides map is the
 * same (the importer lists congo's /dev binds as mounts of the config's,
 * so a repeat of a target is not counted; env may change order). A bind's
 * dev: true is not read back: config.json binds are nodev under congo,
 * which has no device cgroup to keep their nodes shut as runc's does.
 */
static void round_trip(const char *profile_path, const char *const *extra)
{
    const char *args[16] = {"--print", "--format", "oci"};
    size_t n = 3;
    for (size_t i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n++] = profile_path;
    args[n] = NULL;
    struct result a;
    run_congo(&a, args);
    if (a.status != 0)
        fail_msg("export: %s", a.err);
    assert_non_null(a.doc);
    _cleanup_free_ char *bundle = xasprintf("%s/rt-bundle", dir);
    _cleanup_free_ char *config = test_write(bundle, "config.json", a.out);
    struct result b;
    congo(&b, "--print", "--format", "oci", config);
    if (b.status != 0)
        fail_msg("read back: %s", b.err);
    assert_non_null(b.doc);
    static const char *const same[] = {
        "root", "hostname", "domainname", "annotations", "process.user", "process.args",
        "process.cwd", "process.capabilities", "process.rlimits", "process.noNewPrivileges",
        "process.oomScoreAdj", "linux.namespaces", "linux.sysctl", "linux.cgroupsPath",
        "linux.resources.memory", "linux.resources.cpu", "linux.resources.pids",
        "linux.maskedPaths", "linux.readonlyPaths", "linux.seccomp", "linux.rootfsPropagation",
        "linux.uidMappings", "linux.gidMappings",
    };
    for (size_t i = 0; i < ARRAY_SIZE(same); i++)
        assert_same_at(a.doc, b.doc, same[i]);
    json_t *env_a = at(a.doc, "process.env"), *env_b = at(b.doc, "process.env");
    assert_int_equal(json_array_size(env_a), json_array_size(env_b));
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(env_a, i, v)
    {
        bool found = false;
        json_array_foreach(env_b, j, w) found |= json_equal(v, w);
        if (!found)
            fail_msg("process.env: %s is not read back", json_string_value(v));
    }
    json_t *mounts = first_of_each(json_object_get(b.doc, "mounts"), "destination");
    json_t *wrap = json_pack("{s:o}", "mounts", mounts);
    assert_same_at(a.doc, wrap, "mounts");
    json_decref(wrap);
    json_t *devices = first_of_each(at(b.doc, "linux.resources.devices"), NULL);
    json_t *want_devices = at(a.doc, "linux.resources.devices");
    assert_true(json_equal(want_devices, devices));
    json_decref(devices);
    result_free(&a);
    result_free(&b);
    test_rmrf(bundle);
}

static void test_round_trip(void **state)
{
    (void)state;
    _cleanup_free_ char *src = xasprintf("%s/data", dir);
    free(test_write(src, "file", "x"));
    _cleanup_free_ char *text = xasprintf(
        "name: trip\n"
        "hostname: trip-host\n"
        "domainname: example.org\n"
        "user: app\n"
        "umask: '0077'\n"
        "groups: [audio, 4242]\n"
        "workdir: /srv\n"
        "env: {ONE: '1', PATH: /bin}\n"
        "oom_score_adj: 250\n"
        "capabilities: {add: [NET_ADMIN], drop: [SETFCAP], ambient: [NET_BIND_SERVICE]}\n"
        "sysctl: {kernel.msgmax: '4096', net.ipv4.ip_forward: '1'}\n"
        "annotations: {org.example.owner: ops}\n"
        "namespaces: {cgroup: true, uts: true}\n"
        "limits: {pids: 50, memory: 64m, memory_swap: 96m, cpus: 1.5}\n"
        "rlimits: {nofile: 100:200, core: 0}\n"
        "no_new_privileges: false\n"
        "cgroup_path: /trip/exact\n"
        "mounts:\n"
        "  - {target: /dev/mqueue, type: none}\n"
        "  - {target: /run, type: tmpfs, options: 'size=1m,mode=700'}\n"
        "  - {target: /srv/data, source: %s, options: 'ro,nosuid'}\n"
        "  - {target: /srv/open, source: %s, suid: true}\n"
        "  - {target: /srv/dev, source: %s, options: 'bind,noexec'}\n"
        "masked_paths: ['!/proc/kcore', /srv/secret]\n"
        "readonly_paths: ['!/proc/sys', /srv]\n"
        "seccomp:\n"
        "  defaultAction: SCMP_ACT_ERRNO\n"
        "  defaultErrnoRet: 38\n"
        "  flags: [SECCOMP_FILTER_FLAG_LOG]\n"
        "  syscalls:\n"
        "    - {names: [read, write, exit_group], action: SCMP_ACT_ALLOW}\n"
        "init: false\n"
        "command: [/bin/echo, hi]\n",
        src, src, src);
    _cleanup_free_ char *p = profile("trip.yaml", text);
    round_trip(p, NULL);
    /* The deny-lists, default and of a file, and upper: none (read back as upper: none). */
    _cleanup_free_ char *rules = test_write(dir, "trip.seccomp", "@default\nptrace ESRCH\n");
    _cleanup_free_ char *set_rules = xasprintf("seccomp=%s", rules);
    round_trip(p, (const char *const[]){"--set", set_rules, NULL});
    round_trip(p, (const char *const[]){"--reset", "seccomp", "--set", "upper=none", "--set",
                                        "readonly_rootfs=false", NULL});
    /* A user namespace: its mappings as OCI's, the same uids and gids or not. */
    round_trip(p, (const char *const[]){"--set", "user_namespace=0:300000:65536", NULL});
    round_trip(p, (const char *const[]){"--set", "user_namespace=uid:0:1000:1,gid:0:1001:1", NULL});
}

/* user_namespace: mappings are OCI's own; auto is a lease no bundle can hold. */
static void test_user_namespace(void **state)
{
    (void)state;
    _cleanup_free_ char *text = xasprintf("rootfs: %s\nreadonly_rootfs: true\n"
                                          "user_namespace: '0:100000:65536,uid:65536:300000:1,"
                                          "gid:65536:400000:1'\ncommand: x\n",
                                          root);
    _cleanup_free_ char *p = test_write(dir, "userns.yaml", text);
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    assert_int_equal(r.status, 0);
    json_t *want_uids = json_loads("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536},"
                                   " {\"containerID\": 65536, \"hostID\": 300000, \"size\": 1}]",
                                   0, NULL);
    json_t *want_gids = json_loads("[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536},"
                                   " {\"containerID\": 65536, \"hostID\": 400000, \"size\": 1}]",
                                   0, NULL);
    assert_true(json_equal(at(r.doc, "linux.uidMappings"), want_uids));
    assert_true(json_equal(at(r.doc, "linux.gidMappings"), want_gids));
    json_decref(want_uids);
    json_decref(want_gids);
    bool user = false;
    size_t i;
    json_t *ns;
    json_array_foreach(at(r.doc, "linux.namespaces"), i, ns) user |= strcmp(str_at(ns, "type"), "user") == 0;
    assert_true(user);
    _cleanup_free_ char *note = xasprintf("%s:3: note: user_namespace: runc 1.1 does not id-map", p);
    assert_non_null(strstr(r.err, note));
    result_free(&r);

    congo(&r, "--print", "--format", "oci", "--set", "user_namespace=host", p);
    assert_int_equal(r.status, 0);
    assert_null(at(r.doc, "linux.uidMappings"));
    json_array_foreach(at(r.doc, "linux.namespaces"), i, ns) assert_string_not_equal(str_at(ns, "type"), "user");
    result_free(&r);

    congo(&r, "--print", "--format", "oci", "--set", "user_namespace=auto", p);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "<command line>: error: user_namespace: auto leases its ids"));
    result_free(&r);

    /* A bind that says idmap: runtime-spec 1.1's id-mapped mount, to the container's mappings. */
    _cleanup_free_ char *src = xasprintf("%s/idmap-src", dir);
    free(test_write(src, "file", "x"));
    _cleanup_free_ char *idm_text = xasprintf("rootfs: %s\nreadonly_rootfs: true\n"
                                              "user_namespace: '0:300000:65536'\n"
                                              "mounts: [{source: %s, target: /srv/data, idmap: true}]\n"
                                              "command: x\n",
                                              root, src);
    _cleanup_free_ char *idm = test_write(dir, "idmap.yaml", idm_text);
    congo(&r, "--print", "--format", "oci", idm);
    assert_int_equal(r.status, 0);
    json_t *mount = NULL, *mt;
    json_array_foreach(json_object_get(r.doc, "mounts"), i, mt) if (strcmp(str_at(mt, "destination"), "/srv/data") == 0) mount = mt;
    assert_non_null(mount);
    bool idmap_option = false;
    json_t *o;
    size_t k;
    json_array_foreach(json_object_get(mount, "options"), k, o) idmap_option |= strcmp(json_string_value(o), "idmap") == 0;
    assert_true(idmap_option);
    assert_true(json_equal(json_object_get(mount, "uidMappings"), at(r.doc, "linux.uidMappings")));
    assert_true(json_equal(json_object_get(mount, "gidMappings"), at(r.doc, "linux.gidMappings")));
    assert_non_null(strstr(r.err, "`/srv/data` is id-mapped, which runc before 1.2 does not do"));
    /* Read back, the same bind. */
    _cleanup_free_ char *bundle = xasprintf("%s/idmap-bundle", dir);
    _cleanup_free_ char *config = test_write(bundle, "config.json", r.out);
    result_free(&r);
    congo(&r, "--print", config);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "target: /srv/data, type: bind"));
    assert_non_null(strstr(r.out, "idmap: true"));
    result_free(&r);
    test_rmrf(bundle);
}

/* ---- both formats, the run form ---- */

static void test_formats_agree(void **state)
{
    (void)state;
    _cleanup_free_ char *yaml = profile("same.yaml", "user: app\n"
                                                     "limits: {pids: 10, memory: 32m}\n"
                                                     "env: {A: b}\n"
                                                     "init: false\n"
                                                     "command: [/bin/sh, -c, 'echo $A']\n");
    _cleanup_free_ char *conf_text =
        xasprintf("rootfs = \"%s\";\nreadonly_rootfs = true;\nuser = \"app\";\n"
                  "limits = { pids = 10; memory = \"32m\"; };\nenv = { A = \"b\"; };\n"
                  "init = false;\ncommand = [ \"/bin/sh\", \"-c\", \"echo $A\" ];\n",
                  root);
    _cleanup_free_ char *conf = test_write(dir, "same.conf", conf_text);
    struct result a, b, c;
    congo(&a, "--print", "--format", "oci", yaml);
    congo(&b, "--print", "--format", "oci", conf);
    congo(&c, "--print", "--format", "oci", "run", root, "10", "32m", "-", "A=b",
          "--readonly-rootfs", "--user", "app", "--init=false", "--name", "same", "--", "/bin/sh",
          "-c", "echo $A");
    assert_int_equal(a.status, 0);
    assert_string_equal(a.out, b.out);
    assert_string_equal(a.out, c.out);
    /* init: false, no TERM: nothing to say. */
    assert_string_equal(a.err, "");
    result_free(&a);
    result_free(&b);
    result_free(&c);
}

/* ---- notes: harmless differences, said ---- */

static void test_notes(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("notes.yaml", "limits: {cpu_shares: 512}\n"
                                                   "stop_timeout: 30s\n"
                                                   "command: /bin/true\n");
    setenv("TERM", "xterm-test", 1);
    struct result r;
    congo(&r, "--print", "--format", "oci", p);
    unsetenv("TERM");
    assert_int_equal(r.status, 0);
    assert_non_null(r.doc);
    _cleanup_free_ char *env = strings_at(r.doc, "process.env");
    assert_null(strstr(env, "TERM"));
    assert_non_null(strstr(r.err, "congo-launch: note: TERM: congo passes its caller's TERM"));
    assert_non_null(strstr(r.err, "`TERM=xterm-test` is left out"));
    assert_non_null(strstr(r.err, "congo-launch: note: init: runc starts no init"));
    _cleanup_free_ char *stop = xasprintf("%s:4: note: stop_timeout: a bundle has no stop", p);
    assert_non_null(strstr(r.err, stop));
    _cleanup_free_ char *shares =
        xasprintf("%s:3: note: limits.cpu_shares: where cgroup v2 has cpu.weight", p);
    assert_non_null(strstr(r.err, shares));
    assert_non_null(strstr(r.err, "(20 for 512)"));
    result_free(&r);
}

/* ---- refusals: a promise the bundle would break ---- */

/* The status is 1, nothing is printed, and stderr is exactly want. */
static void assert_refused(struct result *r, const char *want)
{
    assert_int_equal(r->status, 1);
    assert_string_equal(r->out, "");
    assert_string_equal(r->err, want);
}

static void test_refusals(void **state)
{
    (void)state;
    struct result r;
    _cleanup_free_ char *rw_text = xasprintf("rootfs: %s\ncommand: /bin/true\n", root);
    _cleanup_free_ char *rw = test_write(dir, "rw.yaml", rw_text);
    congo(&r, "--print", "--format", "oci", rw);
    _cleanup_free_ char *want = xasprintf(
        "%s:1: error: rootfs: the root is writable, and runc writes into root.path itself: the "
        "container's writes would reach `%s`; set `readonly_rootfs: true`, or use --bundle DIR, "
        "which gives the bundle a root of its own\n",
        rw, root);
    assert_refused(&r, want);
    result_free(&r);

    _cleanup_free_ char *layers_text =
        xasprintf("rootfs: %s\nreadonly_rootfs: true\nlayers:\n  - %s/srv\ncommand: x\n", root, root);
    _cleanup_free_ char *layers = test_write(dir, "layers.yaml", layers_text);
    congo(&r, "--print", "--format", "oci", layers);
    free(want);
    want = xasprintf("%s:4: error: layers: runc mounts one directory as the root and cannot "
                     "stack layers over it; use --bundle DIR, which assembles them into the "
                     "bundle's rootfs\n",
                     layers);
    assert_refused(&r, want);
    result_free(&r);

    _cleanup_free_ char *upper_text =
        xasprintf("rootfs: %s\nupper: %s/srv\ncommand: x\n", root, dir);
    _cleanup_free_ char *upper = test_write(dir, "upper.yaml", upper_text);
    congo(&r, "--print", "--format", "oci", upper);
    free(want);
    want = xasprintf("%s:2: error: upper: runc keeps no upper layer: the container's writes "
                     "would reach rootfs `%s` itself; set `readonly_rootfs: true`, or use "
                     "--bundle DIR, which gives the bundle a root of its own\n",
                     upper, root);
    assert_refused(&r, want);
    result_free(&r);

    /* The host's root has /proc and more mounted below it. */
    _cleanup_free_ char *host = test_write(dir, "host.yaml", "rootfs: /\nreadonly_rootfs: true\n"
                                                             "command: x\n");
    congo(&r, "--print", "--format", "oci", host);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    _cleanup_free_ char *below = xasprintf("%s:1: error: rootfs: a file system is mounted below "
                                           "`/` (at `",
                                           host);
    assert_true(strncmp(r.err, below, strlen(below)) == 0);
    assert_non_null(strstr(r.err, "use --bundle DIR, which copies that\n"));
    result_free(&r);

    /* What congo cannot make in a read-only root, every one of them. */
    _cleanup_free_ char *src = xasprintf("%s/data", dir);
    free(test_write(src, "f", ""));
    _cleanup_free_ char *missing_text = xasprintf("mounts: ['%s:/nowhere']\n"
                                                  "workdir: /work\n"
                                                  "user: bob\n"
                                                  "command: x\n",
                                                  src);
    _cleanup_free_ char *missing = profile("missing.yaml", missing_text);
    congo(&r, "--print", "--format", "oci", missing);
    free(want);
    want = xasprintf(
        "%s:3: error: mounts: target `/nowhere` does not exist in the read-only root, and "
        "neither congo nor runc may make it there: make it in rootfs or a layer\n"
        "%s:4: error: workdir: `/work` does not exist, and readonly_rootfs forbids making it\n"
        "%s:5: error: user: user `bob` is not in the container's /etc/passwd\n",
        missing, missing, missing);
    assert_refused(&r, want);
    result_free(&r);

    /* congo looks the user up in what a mount puts at /etc/passwd; the export cannot. */
    _cleanup_free_ char *passwd = xasprintf("%s/etc/passwd", root);
    _cleanup_free_ char *etc_text =
        xasprintf("mounts: ['%s:/etc/passwd:ro']\ncommand: x\n", passwd);
    _cleanup_free_ char *etc = profile("etc.yaml", etc_text);
    congo(&r, "--print", "--format", "oci", etc);
    free(want);
    want = xasprintf("%s:3: error: mounts: `/etc/passwd` covers the container's `/etc/passwd`, "
                     "where congo looks up `user` as it starts; a bundle names the user by "
                     "number, looked up in the root alone\n",
                     etc);
    assert_refused(&r, want);
    result_free(&r);

    /* An invalid profile is the same status as --print's, with the loader's message. */
    _cleanup_free_ char *bad = profile("bad.yaml", "limits: {pids: lots}\ncommand: x\n");
    congo(&r, "--print", "--format", "oci", bad);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "error: limits.pids: `lots` is not a process limit"));
    result_free(&r);
}

/* ---- the command line ---- */

static void test_usage(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("u.yaml", "command: x\n");
    struct result r;
    congo(&r, "--print", "--format", "oci", "--show-origin", p);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "congo-launch: --show-origin does not go with --format oci\n"
                               "Try `congo-launch --help`.\n");
    result_free(&r);
    congo(&r, "--print", "--format", "json", p);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--format `json`: expected yaml, conf or oci\n"));
    result_free(&r);
    congo(&r, "--bundle", "x", "--format", "oci", p);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--format does not go with --bundle\n"));
    result_free(&r);
    congo(&r, "--bundle", "x", "--print", p);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--bundle and --print exclude each other\n"));
    result_free(&r);
    congo(&r, "--bundle");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "option --bundle needs a value\n"));
    result_free(&r);
}

/* A DIR that holds anything is refused before a file is read, and left as it was. */
static void test_bundle_dir_not_empty(void **state)
{
    (void)state;
    _cleanup_free_ char *p = profile("b.yaml", "command: x\n");
    _cleanup_free_ char *bundle = xasprintf("%s/full", dir);
    _cleanup_free_ char *kept = test_write(bundle, "rootfs", "mine");
    struct result r;
    congo(&r, "--bundle", bundle, p);
    assert_int_equal(r.status, 125);
    assert_string_equal(r.out, "");
    _cleanup_free_ char *want =
        geteuid() == 0
            ? xasprintf("congo-launch: --bundle: `%s` is not empty (it holds `rootfs`); give a "
                        "new directory\n",
                        bundle)
            : xstrdup("congo-launch: --bundle needs root: the bundle's root keeps its files' "
                      "owners and device nodes\n");
    assert_string_equal(r.err, want);
    char *content = NULL;
    size_t len;
    assert_int_equal(read_file_max(kept, 100, &content, &len), 0);
    assert_string_equal(content, "mine");
    free(content);
    result_free(&r);
}

/* A refusal leaves no DIR behind, and an in-place root copies nothing. */
static void test_bundle_refused_leaves_nothing(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    _cleanup_free_ char *rw_text = xasprintf("rootfs: %s\nuser: nobody\ncommand: x\n", root);
    _cleanup_free_ char *p = test_write(dir, "nobody.yaml", rw_text);
    _cleanup_free_ char *bundle = xasprintf("%s/new", dir);
    struct result r;
    congo(&r, "--bundle", bundle, p);
    assert_int_equal(r.status, 1);
    _cleanup_free_ char *want =
        xasprintf("%s:2: error: user: user `nobody` is not in the container's /etc/passwd\n", p);
    assert_non_null(strstr(r.err, want));
    struct stat st;
    assert_int_equal(stat(bundle, &st), -1);
    assert_int_equal(errno, ENOENT);
    result_free(&r);

    _cleanup_free_ char *q = profile("inplace.yaml", "command: x\n");
    congo(&r, "--bundle", bundle, q);
    assert_int_equal(r.status, 0);
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", bundle);
    assert_int_equal(stat(rootfs, &st), -1);
    _cleanup_free_ char *config = xasprintf("%s/config.json", bundle);
    json_t *doc = json_load_file(config, 0, NULL);
    _cleanup_free_ char *real = realpath(root, NULL);
    assert_string_equal(str_at(doc, "root.path"), real);
    json_decref(doc);
    result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_process),
        cmocka_unit_test(test_root_keeps_its_capabilities),
        cmocka_unit_test(test_unlimited_rlimit),
        cmocka_unit_test(test_mounts),
        cmocka_unit_test(test_namespaces_and_resources),
        cmocka_unit_test(test_seccomp),
        cmocka_unit_test(test_process_keys),
        cmocka_unit_test(test_base_env),
        cmocka_unit_test(test_linux_keys),
        cmocka_unit_test(test_upper_none),
        cmocka_unit_test(test_mount_types),
        cmocka_unit_test(test_paths_taken_back),
        cmocka_unit_test(test_seccomp_policy),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_user_namespace),
        cmocka_unit_test(test_formats_agree),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_bundle_dir_not_empty),
        cmocka_unit_test(test_bundle_refused_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
