/*
 * plan_build: a profile resolved into what a run does. No root needed:
 * nothing here starts a container.
 */
#include "helpers.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/plan.h"
#include "runtime/user.h"
#include "util/util.h"

#include <linux/filter.h>

#include "default-filter.h"

#define BIT(c) (UINT64_C(1) << (c))

/* The plan of p; p gets a root and a command when it has none. Fails the test on errors. */
static void build(struct profile *p, struct run_plan *plan)
{
    if (!p->rootfs)
        p->rootfs = xstrdup("/r");
    if (!p->command)
        strv_push(&p->command, xstrdup("/bin/true"));
    struct diags d = {0};
    if (plan_build(p, plan, &d) < 0) {
        _cleanup_free_ char *text = test_diags_text(&d);
        fail_msg("plan_build: %s", text);
    }
    diags_free(&d);
}

/* The plan of a profile file's text (rootfs: /r unless it says otherwise). */
static void build_text(const char *yaml, struct run_plan *plan)
{
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *text = xasprintf("%s%s", strstr(yaml, "rootfs:") ? "" : "rootfs: /r\n", yaml);
    _cleanup_free_ char *path = test_write(dir, "p.yaml", text);
    struct profile p;
    struct diags d = {0};
    if (test_load_file(&p, path, &d) < 0) {
        _cleanup_free_ char *why = test_diags_text(&d);
        fail_msg("load: %s", why);
    }
    diags_free(&d);
    build(&p, plan);
    profile_free(&p);
    test_rmrf(dir);
}

/* ---- the environment (what the command gets: the plan's, HOME filled) ---- */

static void profile_add_env(struct profile *p, const char *name, const char *value)
{
    p->env = xrealloc(p->env, (p->n_env + 1) * sizeof(*p->env));
    p->env[p->n_env++] = (struct profile_env){.name = xstrdup(name), .value = xstrdup(value)};
}

/*
 * What the command of p gets: the plan built while the launcher's TERM is
 * term (NULL: none), with home from the container's passwd, and the host
 * name hostname (NULL: the uts namespace off).
 */
static char **env_build(struct profile *p, const char *home, const char *hostname,
                        const char *term)
{
    const char *old_term = getenv("TERM");
    _cleanup_free_ char *saved_term = old_term ? xstrdup(old_term) : NULL;
    if (term)
        setenv("TERM", term, 1);
    else
        unsetenv("TERM");
    free(p->hostname);
    p->hostname = hostname ? xstrdup(hostname) : NULL;
    p->ns[NS_UTS] = hostname != NULL;
    struct run_plan plan;
    build(p, &plan);
    if (saved_term)
        setenv("TERM", saved_term, 1);
    else
        unsetenv("TERM");
    char **env = user_env(&plan, home);
    plan_free(&plan);
    return env;
}

#define assert_envv(env, ...) assert_strv(env, (const char *const[]){__VA_ARGS__, NULL})

static void assert_strv(char **env, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        if (!env[i])
            fail_msg("env ends at %zu, want %s", i, want[i]);
        assert_string_equal(env[i], want[i]);
    }
    if (env[i])
        fail_msg("extra env entry %s", env[i]);
}

#define BASE_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void test_env_base(void **state)
{
    (void)state;
    /* nothing of the launcher's environment gets in */
    setenv("CONGO_TEST_LEAK", "1", 1);
    struct profile p;
    profile_init(&p);
    _cleanup_strv_ char **env = env_build(&p, "/home/alice", "box", NULL);
    unsetenv("CONGO_TEST_LEAK");
    assert_envv(env, BASE_PATH, "HOME=/home/alice", "HOSTNAME=box");

    _cleanup_strv_ char **nohost = env_build(&p, "/root", NULL, NULL);
    assert_envv(nohost, BASE_PATH, "HOME=/root");

    _cleanup_strv_ char **nohome = env_build(&p, NULL, NULL, NULL);
    assert_envv(nohome, BASE_PATH, "HOME=/");
    profile_free(&p);
}

static void test_env_term(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    _cleanup_strv_ char **env = env_build(&p, "/", "box", "xterm-256color");
    assert_envv(env, BASE_PATH, "HOME=/", "HOSTNAME=box", "TERM=xterm-256color");
    profile_free(&p);
}

static void test_env_profile(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    profile_add_env(&p, "FOO", "1");
    profile_add_env(&p, "PATH", "/x:/y");
    profile_add_env(&p, "EMPTY", "");
    profile_add_env(&p, "EQ", "a=b=c");
    profile_add_env(&p, "HOME", "/elsewhere");
    profile_add_env(&p, "TERM", "dumb");
    profile_add_env(&p, "FOO", "2");
    profile_add_env(&p, "PAT", "prefix-of-PATH");
    _cleanup_strv_ char **env = env_build(&p, "/home/alice", "box", NULL);
    /* base names keep their place; profile names follow in order; later wins in place */
    assert_envv(env, "PATH=/x:/y", "HOME=/elsewhere", "HOSTNAME=box", "FOO=2", "EMPTY=",
                "EQ=a=b=c", "TERM=dumb", "PAT=prefix-of-PATH");

    _cleanup_strv_ char **with_term = env_build(&p, "/", NULL, "xterm");
    assert_envv(with_term, "PATH=/x:/y", "HOME=/elsewhere", "TERM=dumb", "FOO=2", "EMPTY=",
                "EQ=a=b=c", "PAT=prefix-of-PATH");
    profile_free(&p);
}

/* base_env: false, as a config.json has it: the profile's env alone, and HOME. */
static void test_env_no_base(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.base_env = false;
    profile_add_env(&p, "FOO", "1");
    _cleanup_strv_ char **env = env_build(&p, "/home/alice", "box", "xterm");
    assert_envv(env, "HOME=/home/alice", "FOO=1");
    profile_add_env(&p, "HOME", "/set");
    _cleanup_strv_ char **own_home = env_build(&p, "/home/alice", "box", "xterm");
    assert_envv(own_home, "HOME=/set", "FOO=1");
    profile_free(&p);
}

/* ---- defaults and sentinels, decoded once ---- */

static void test_defaults(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    struct run_plan plan;
    build(&p, &plan);
    assert_string_equal(plan.name, "congo");
    assert_string_equal(plan.cgroup.name, "congo");
    assert_null(plan.cgroup.parent);
    assert_string_equal(plan.workdir, "/");
    assert_null(plan.user);
    assert_null(plan.root.upper);
    assert_false(plan.root.readonly);
    assert_true(plan.init);
    assert_int_equal(plan.stop_timeout_ms, 10000);
    assert_string_equal(plan.seccomp_source, "default");
    assert_non_null(plan.seccomp);
    assert_int_equal(plan.caps, plan_default_caps);
    assert_true(plan.no_new_privileges);
    /* uts, pid, net, mount, ipc; the cgroup namespace is off */
    assert_int_equal(plan.clone_flags, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNET |
                                           CLONE_NEWIPC);
    assert_int_equal(plan.cgroup.pids, LIMIT_UNLIMITED);
    assert_false(plan.cgroup.need_memory);
    assert_false(plan.cgroup.need_cpu);
    assert_null(plan.cgroup.pids_key);
    plan_free(&plan);

    p.seccomp = xstrdup("unconfined");
    p.ns[NS_CGROUP] = true;
    p.ns[NS_NET] = false;
    build(&p, &plan);
    assert_null(plan.seccomp);
    assert_null(plan.seccomp_rules);
    assert_true(plan.clone_flags & CLONE_NEWCGROUP);
    assert_false(plan.clone_flags & CLONE_NEWNET);
    plan_free(&plan);
    profile_free(&p);
}

/* The key a missing controller's message names is the one the profile set. */
static void test_cgroup_request(void **state)
{
    (void)state;
    struct run_plan plan;
    build_text("name: web\ncgroup_parent: /c.slice\nlimits: {pids: 10, memory_swap: 64m, memory: "
               "32m, cpus: 1.5}\n",
               &plan);
    assert_string_equal(plan.cgroup.name, "web");
    assert_string_equal(plan.cgroup.parent, "/c.slice");
    assert_int_equal(plan.cgroup.pids, 10);
    assert_string_equal(plan.cgroup.pids_key, "limits.pids");
    assert_true(plan.cgroup.need_memory);
    assert_string_equal(plan.cgroup.memory_key, "limits.memory");
    assert_true(plan.cgroup.need_cpu);
    assert_string_equal(plan.cgroup.cpu_key, "limits.cpus");
    assert_int_equal(plan.cgroup.cpu_quota, 150000);
    plan_free(&plan);
    build_text("limits: {cpu_shares: 512}\n", &plan);
    assert_false(plan.cgroup.need_memory);
    assert_string_equal(plan.cgroup.cpu_key, "limits.cpu_shares");
    assert_null(plan.cgroup.exact);
    plan_free(&plan);
    /* cgroup_path: the parent and the cgroup's own name, for messages the key that said so */
    build_text("cgroup_path: /default/c1\n", &plan);
    assert_string_equal(plan.cgroup.parent, "/default");
    assert_string_equal(plan.cgroup.exact, "c1");
    assert_string_equal(plan.cgroup.parent_key, "cgroup_path");
    _cleanup_free_ char *text = plan_print(&plan, NULL);
    assert_non_null(strstr(text, "cgroup: /default/c1 exactly (cgroup_path) in each hierarchy\n"));
    plan_free(&plan);
    build_text("cgroup_path: /top\n", &plan);
    assert_string_equal(plan.cgroup.parent, "/");
    assert_string_equal(plan.cgroup.exact, "top");
    plan_free(&plan);
}

/* ---- the mounts, in the order they are made ---- */

static size_t find_mount(const struct run_plan *plan, const char *target)
{
    for (size_t i = 0; i < plan->n_mounts; i++)
        if (strcmp(plan->mounts[i].target, target) == 0)
            return i;
    fail_msg("no mount at %s", target);
    return 0;
}

static void test_mount_order(void **state)
{
    (void)state;
    struct run_plan plan;
    build_text("mounts:\n"
               "  - /src/a/b:/data/a/b:ro\n"
               "  - {target: /tmp, type: tmpfs, options: 'size=8m,noexec,mode=0700'}\n"
               "  - /src/a:/data/a\n"
               "  - /src/x:/x\n"
               "masked_paths: [/data/a/secret]\n"
               "readonly_paths: [/x]\n",
               &plan);
    /* /dev before the masks that cover files with /dev/null */
    assert_true(find_mount(&plan, "/dev/null") < find_mount(&plan, "/proc/kcore"));
    /* the profile's /tmp in the built-in one's place */
    size_t tmp_at = find_mount(&plan, "/tmp");
    const struct plan_mount *tmp = &plan.mounts[tmp_at];
    assert_non_null(strstr(tmp->origin, "p.yaml:4"));
    assert_string_equal(tmp->key, "mounts");
    size_t sys = find_mount(&plan, "/sys");
    assert_true(find_mount(&plan, "/dev/mqueue") < tmp_at && tmp_at < sys);
    assert_int_equal(plan.mounts[sys + 1].kind, PLAN_MOUNT_CGROUP);
    /* tmpfs options: the mount flags among them are flags, the rest tmpfs's own */
    assert_int_equal(tmp->flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
    assert_string_equal(tmp->data, "size=8m,mode=0700");
    /* the profile's others: parents first, stable within a depth, after every built-in one */
    size_t last_builtin = find_mount(&plan, "/proc/sysrq-trigger");
    const char *want[] = {"/x", "/data/a", "/data/a/b", "/data/a/secret", "/x"};
    enum plan_mount_kind kinds[] = {PLAN_MOUNT_BIND, PLAN_MOUNT_BIND, PLAN_MOUNT_BIND,
                                    PLAN_MOUNT_MASK, PLAN_MOUNT_READONLY};
    assert_int_equal(plan.n_mounts, last_builtin + 1 + ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        const struct plan_mount *m = &plan.mounts[last_builtin + 1 + i];
        assert_string_equal(m->target, want[i]);
        assert_int_equal(m->kind, kinds[i]);
        assert_non_null(m->key);
        assert_non_null(strstr(m->origin, "p.yaml:"));
    }
    const struct plan_mount *b = &plan.mounts[last_builtin + 3];
    assert_true(b->readonly);
    assert_true(b->recursive);
    assert_string_equal(b->source, "/src/a/b");
    /* A bind of the profile's is nosuid,nodev by default, as bubblewrap's --bind. */
    assert_int_equal(b->flags, MS_RDONLY | MS_NOSUID | MS_NODEV);
    assert_int_equal(plan.mounts[last_builtin + 1].flags, MS_NOSUID | MS_NODEV);
    plan_free(&plan);
}

/* The kernel's file systems of a profile in the built-in ones' places; `none` removes one. */
static void test_mounts_in_place(void **state)
{
    (void)state;
    struct run_plan plan;
    build_text("mounts:\n"
               "  - {target: /sys/fs/cgroup, type: cgroup, options: rw}\n"
               "  - {target: /dev/mqueue, type: none}\n"
               "  - {target: /proc, type: proc, options: 'suid,hidepid=invisible'}\n"
               "  - {target: /dev, type: tmpfs, options: 'exec,size=1m'}\n"
               "  - {target: /dev/pts, type: devpts}\n"
               "  - {target: /data, source: /src, options: 'bind,nosuid,nodev,ro,noatime'}\n"
               "  - {target: /run, type: tmpfs, options: 'nosuid,tmpcopyup,size=1m'}\n",
               &plan);
    const struct plan_mount *proc = &plan.mounts[0];
    assert_string_equal(proc->target, "/proc");
    assert_string_equal(proc->fstype, "proc");
    assert_string_equal(proc->key, "mounts");
    assert_int_equal(proc->flags, MS_NODEV | MS_NOEXEC);
    assert_string_equal(proc->data, "hidepid=invisible");
    const struct plan_mount *dev = &plan.mounts[1];
    assert_string_equal(dev->target, "/dev");
    assert_int_equal(dev->flags, MS_NOSUID | MS_NODEV);
    assert_string_equal(dev->data, "size=1m");
    assert_false(dev->copy_up);
    /* tmpcopyup is congo's to do, not the kernel's option */
    const struct plan_mount *run = &plan.mounts[find_mount(&plan, "/run")];
    assert_true(run->copy_up);
    assert_string_equal(run->data, "size=1m");
    /* devpts given no options of its own keeps the built-in one's */
    const struct plan_mount *pts = &plan.mounts[find_mount(&plan, "/dev/pts")];
    assert_string_equal(pts->data, "newinstance,ptmxmode=0666,mode=0620");
    assert_int_equal(pts->flags, MS_NOSUID | MS_NOEXEC);
    for (size_t i = 0; i < plan.n_mounts; i++)
        assert_string_not_equal(plan.mounts[i].target, "/dev/mqueue");
    const struct plan_mount *cg = &plan.mounts[find_mount(&plan, "/sys/fs/cgroup")];
    assert_int_equal(cg->kind, PLAN_MOUNT_CGROUP);
    assert_false(cg->readonly);
    const struct plan_mount *data = &plan.mounts[find_mount(&plan, "/data")];
    assert_int_equal(data->kind, PLAN_MOUNT_BIND);
    assert_false(data->recursive);
    assert_true(data->readonly);
    assert_int_equal(data->flags, MS_NOSUID | MS_NODEV | MS_RDONLY | MS_NOATIME);
    plan_free(&plan);
}

/* suid: true and dev: true leave a bind's nosuid and nodev out, at a built-in target too. */
static void test_bind_suid_dev(void **state)
{
    (void)state;
    struct run_plan plan;
    build_text("mounts:\n"
               "  - {target: /tmp, source: /host/tmp, suid: true}\n"
               "  - {target: /srv/a, source: /src, dev: true, options: noexec}\n"
               "  - {target: /srv/b, source: /src, suid: true, dev: true}\n"
               "  - {target: /srv/c, source: /src, options: 'suid,dev'}\n",
               &plan);
    const struct plan_mount *tmp = &plan.mounts[find_mount(&plan, "/tmp")];
    assert_int_equal(tmp->kind, PLAN_MOUNT_BIND);
    assert_int_equal(tmp->flags, MS_NODEV);
    assert_int_equal(plan.mounts[find_mount(&plan, "/srv/a")].flags, MS_NOSUID | MS_NOEXEC);
    assert_int_equal(plan.mounts[find_mount(&plan, "/srv/b")].flags, 0);
    assert_int_equal(plan.mounts[find_mount(&plan, "/srv/c")].flags, 0);
    /* The host's device nodes congo binds into /dev stay openable: not the profile's binds. */
    assert_int_equal(plan.mounts[find_mount(&plan, "/dev/null")].kind, PLAN_MOUNT_DEVICE);
    plan_free(&plan);
}

/* A built-in mask or read-only path taken back is not made; one named again after is. */
static void test_paths_taken_back(void **state)
{
    (void)state;
    struct run_plan plan;
    build_text("masked_paths: ['!/proc/kcore', '!/proc/keys', /proc/keys]\n"
               "readonly_paths: ['!/proc/sys']\n",
               &plan);
    size_t masks = 0, keys = 0;
    for (size_t i = 0; i < plan.n_mounts; i++) {
        const struct plan_mount *m = &plan.mounts[i];
        assert_string_not_equal(m->target, "/proc/kcore");
        if (m->kind == PLAN_MOUNT_READONLY)
            assert_string_not_equal(m->target, "/proc/sys");
        masks += m->kind == PLAN_MOUNT_MASK;
        keys += strcmp(m->target, "/proc/keys") == 0;
    }
    /* 12 built-in, 2 taken back, /proc/keys named again: built in, and the profile's own */
    assert_int_equal(masks, 12);
    assert_int_equal(keys, 2);
    plan_free(&plan);
}

static void test_root(void **state)
{
    (void)state;
    struct run_plan plan;
    build_text("rootfs: /base\nlayers: [/l1, /l2]\nupper: /keep\nworkdir: /srv\nuser: app\n",
               &plan);
    assert_string_equal(plan.root.rootfs, "/base");
    assert_int_equal(strv_len(plan.root.layers), 2);
    assert_string_equal(plan.root.layers[0], "/l1");
    assert_string_equal(plan.root.layers[1], "/l2");
    assert_string_equal(plan.root.upper, "/keep");
    assert_string_equal(plan.workdir, "/srv");
    assert_string_equal(plan.user, "app");
    plan_free(&plan);
}

/* Each of lines is somewhere in text (of --print-plan). */
static void assert_lines(const char *text, const char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strstr(text, lines[i]))
            fail_msg("no `%s` in:\n%s", lines[i], text);
}

/* ---- namespaces joined by path, their kernel parameters, the domain name, annotations ---- */

static void test_ns_keys(void **state)
{
    (void)state;
    unsetenv("TERM");
    struct run_plan plan;
    build_text("name: web\n", &plan);
    assert_int_equal(plan.n_ns_joins, 0);
    assert_int_equal(plan.n_sysctls, 0);
    assert_null(plan.domainname);
    assert_null(plan.annotations);
    _cleanup_free_ char *none = plan_print(&plan, NULL);
    static const char *const none_lines[] = {
        "namespaces: ipc mount net pid uts new; cgroup the host's\n",
        "network: loopback only (lo up)\n",
        "sysctl: none\n",
        "  hostname web\n",
        "  domainname unset: as the uts namespace has it\n",
        "  init congo-init as PID 1: forwards signals, reaps zombies\n",
        "annotations: none\n",
    };
    assert_lines(none, none_lines, ARRAY_SIZE(none_lines));
    plan_free(&plan);

    build_text("name: web\n"
               "domainname: nis.example\n"
               "namespaces: {net: /run/netns/blue, pid: /proc/7/ns/pid, uts: /run/uts}\n"
               "sysctl: {net.ipv4.ip_unprivileged_port_start: '0', kernel.shmmax: '65536'}\n"
               "annotations: {org.example.owner: alice smith}\n",
               &plan);
    /* Joined, not made: none of them is a clone flag. */
    assert_int_equal(plan.clone_flags, CLONE_NEWNS | CLONE_NEWIPC);
    assert_int_equal(plan.n_ns_joins, 3);
    assert_int_equal(plan.ns_joins[0].flag, CLONE_NEWNET);
    assert_string_equal(plan.ns_joins[0].key, "namespaces.net");
    assert_string_equal(plan.ns_joins[0].path, "/run/netns/blue");
    assert_int_equal(plan.ns_joins[1].flag, CLONE_NEWPID);
    assert_int_equal(plan.ns_joins[2].flag, CLONE_NEWUTS);
    /* build_text writes rootfs first: line 4. */
    assert_non_null(strstr(plan.ns_joins[2].origin, "p.yaml:4"));
    assert_int_equal(plan.n_sysctls, 2);
    assert_string_equal(plan.sysctls[0].name, "net.ipv4.ip_unprivileged_port_start");
    assert_string_equal(plan.sysctls[0].value, "0");
    assert_int_equal(plan.sysctls[0].ns, CLONE_NEWNET);
    assert_int_equal(plan.sysctls[1].ns, CLONE_NEWIPC);
    assert_string_equal(plan.domainname, "nis.example");
    /* A joined uts namespace keeps its host name: nothing is derived from the name. */
    assert_null(plan.hostname);
    assert_int_equal(strv_len(plan.annotations), 1);
    assert_string_equal(plan.annotations[0], "org.example.owner=alice smith");
    for (size_t i = 0; plan.env[i]; i++)
        assert_false(strncmp(plan.env[i], "HOSTNAME=", 9) == 0);

    _cleanup_free_ char *text = plan_print(&plan, NULL);
    static const char *const lines[] = {
        "namespaces: ipc mount new; net pid uts joined; cgroup the host's\n",
        "  join net /run/netns/blue (checked at the start to be a net namespace)  # ",
        "  join pid /proc/7/ns/pid (checked at the start to be a pid namespace)  # ",
        "network: the joined namespace's, as it is; congo sets nothing up there\n",
        "sysctl, written once the namespaces are joined, before /proc/sys is made read-only:\n"
        "  net.ipv4.ip_unprivileged_port_start = 0 (the net namespace's)  # ",
        "  kernel.shmmax = 65536 (the ipc namespace's)  # ",
        "  hostname the joined uts namespace's own\n",
        "  domainname nis.example\n",
        "  init congo-init, a child subreaper (the pid namespace is not a new one)",
        "annotations, kept with the running container and never read:\n"
        "  \"org.example.owner=alice smith\"\n",
    };
    assert_lines(text, lines, ARRAY_SIZE(lines));
    plan_free(&plan);
}

/* ---- errors ---- */

static void test_no_command(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.rootfs = xstrdup("/r");
    struct run_plan plan;
    struct diags d = {0};
    assert_int_equal(plan_build(&p, &plan, &d), -1);
    _cleanup_free_ char *text = test_diags_text(&d);
    assert_non_null(strstr(text, "congo-launch: no command: the profile has none; give one after `--`"));
    diags_free(&d);
    profile_free(&p);
}

/* ---- the process keys ---- */

/* Unset, the umask is 0022 (never the caller's), no group is added, oom_score_adj is the launcher's. */
static void test_process_defaults(void **state)
{
    (void)state;
    mode_t old = umask(0077);
    struct run_plan plan;
    build_text("", &plan);
    umask(old);
    assert_int_equal(plan.umask, 0022);
    assert_null(plan.groups);
    assert_false(plan.oom_score_adj_set);
    assert_int_equal(plan.caps_ambient, 0);
    _cleanup_free_ char *text = plan_print(&plan, NULL);
    static const char *const lines[] = {
        "  umask 0022\n",
        "  oom_score_adj the launcher's\n",
        "capabilities of a root command (another user gets none):\n",
        "  inheritable, ambient: none\n",
    };
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
        if (!strstr(text, lines[i]))
            fail_msg("no `%s` in:\n%s", lines[i], text);
    assert_null(strstr(text, "  groups"));
    plan_free(&plan);
}

static void test_process_keys(void **state)
{
    (void)state;
    struct run_plan plan;
    build_text("user: nobody\numask: '0007'\ngroups: [audio, 2000]\noom_score_adj: -17\n"
               "capabilities: {add: [NET_ADMIN], ambient: [NET_BIND_SERVICE, NET_ADMIN]}\n",
               &plan);
    assert_int_equal(plan.umask, 0007);
    assert_int_equal(strv_len(plan.groups), 2);
    assert_string_equal(plan.groups[0], "audio");
    assert_string_equal(plan.groups[1], "2000");
    assert_true(plan.oom_score_adj_set);
    assert_int_equal(plan.oom_score_adj, -17);
    assert_int_equal(plan.caps_ambient, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_ADMIN));
    assert_int_equal(plan.caps & plan.caps_ambient, plan.caps_ambient);
    _cleanup_free_ char *text = plan_print(&plan, NULL);
    static const char *const lines[] = {
        "  groups audio, 2000, added to the user's; names looked up in the container's "
        "/etc/group\n",
        "  umask 0007\n",
        "  oom_score_adj -17, for the init, the command and --exec's commands\n",
        "capabilities of a root command (another user gets the ambient ones alone):\n",
        "  inheritable, ambient: NET_BIND_SERVICE, NET_ADMIN\n",
    };
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
        if (!strstr(text, lines[i]))
            fail_msg("no `%s` in:\n%s", lines[i], text);
    plan_free(&plan);

    /* 0 is a value: written, not left to the launcher. */
    build_text("oom_score_adj: 0\n", &plan);
    assert_true(plan.oom_score_adj_set);
    assert_int_equal(plan.oom_score_adj, 0);
    plan_free(&plan);
}

/* plan_build's errors for p's text, which must fail. Caller frees. */
static char *plan_errors(const char *yaml, char **path)
{
    _cleanup_free_ char *dir = test_tmpdir();
    *path = test_write(dir, "p.yaml", yaml);
    struct profile p;
    struct diags d = {0};
    if (test_load_file(&p, *path, &d) < 0) {
        _cleanup_free_ char *why = test_diags_text(&d);
        fail_msg("load: %s", why);
    }
    strv_push(&p.command, xstrdup("/bin/true"));
    struct run_plan plan;
    assert_int_equal(plan_build(&p, &plan, &d), -1);
    char *text = test_diags_text(&d);
    diags_free(&d);
    profile_free(&p);
    test_rmrf(dir);
    return text;
}

/* An ambient capability outside the kept set is refused at its key, with the reason. */
static void test_ambient_outside_kept(void **state)
{
    (void)state;
    char *path;
    _cleanup_free_ char *dropped = plan_errors(
        "rootfs: /r\ncapabilities:\n  drop: [NET_BIND_SERVICE]\n  ambient: [NET_BIND_SERVICE]\n",
        &path);
    _cleanup_free_ char *want = xasprintf(
        "%s:4: error: capabilities.ambient: NET_BIND_SERVICE is not in the kept set, which bounds "
        "the ambient set: capabilities.drop takes it away\n%s:3: note: capabilities.drop: set here\n",
        path, path);
    if (!strstr(dropped, want))
        fail_msg("want:\n%sgot:\n%s", want, dropped);
    free(path);

    _cleanup_free_ char *not_added =
        plan_errors("rootfs: /r\ncapabilities:\n  ambient: [SYS_TIME, NET_ADMIN]\n", &path);
    _cleanup_free_ char *want2 =
        xasprintf("%s:3: error: capabilities.ambient: NET_ADMIN, SYS_TIME are not in the kept set, "
                  "which bounds the ambient set: not in the default set, nor in capabilities.add\n",
                  path);
    if (!strstr(not_added, want2))
        fail_msg("want:\n%sgot:\n%s", want2, not_added);
    free(path);

    /* `drop: [ALL]` leaves nothing to keep: ALL as ambient then fails, even the defaults. */
    _cleanup_free_ char *all =
        plan_errors("rootfs: /r\ncapabilities: {drop: [ALL], add: [KILL], ambient: [KILL, CHOWN]}\n",
                    &path);
    assert_non_null(strstr(all, "capabilities.ambient: CHOWN is not in the kept set"));
    assert_null(strstr(all, "KILL is not"));
    free(path);
}

/* ---- --print-plan ---- */

static void test_print(void **state)
{
    (void)state;
    unsetenv("TERM");
    struct run_plan plan;
    build_text(
        "name: web\nhostname: box\nuser: app\nlimits: {pids: 5}\n"
        "mounts: ['/srv/data:/data:ro', {source: /opt, target: /opt, suid: true, dev: true},\n"
        "         {source: /srv/x, target: /x, dev: true, options: noexec}]\n"
        "rlimits: {nofile: '64:128'}\n"
        "capabilities: {drop: [ALL], add: [KILL]}\n"
        "command: [/bin/sh, -c, 'echo \"$$HOME\"']\n",
        &plan);
    _cleanup_free_ char *text = plan_print(&plan, NULL);
    static const char *const lines[] = {
        "container: web\n",
        "  upper  tmpfs, gone with the container\n",
        "  proc     /proc (nosuid,nodev,noexec)\n",
        "  bind     /data from the host's /srv/data (read-only, recursive; nosuid,nodev)  # ",
        "  bind     /opt from the host's /opt (read-write, recursive; suid,dev)  # ",
        "  bind     /x from the host's /srv/x (read-write, recursive; nosuid,dev,noexec)  # ",
        "cgroup: congo-web-PID-STARTTIME (the launcher's pid and start time), below the "
        "launcher's own cgroup\n  pids 5\n",
        "  hostname box\n",
        "  user app, looked up in the container's /etc/passwd and /etc/group\n",
        "  argv /bin/sh -c \"echo \\\"\\$HOME\\\"\"\n",
        "    HOME= from the container's /etc/passwd, else /\n",
        "  bounding, effective, permitted: KILL\n",
        "  nofile 64:128\n",
        "seccomp: the default deny-list, ",
        "  kexec_load -> EPERM\n",
    };
    assert_lines(text, lines, ARRAY_SIZE(lines));
    /* Stable: the same plan prints the same text. */
    _cleanup_free_ char *again = plan_print(&plan, NULL);
    assert_string_equal(text, again);
    plan_free(&plan);
}

/* A seccomp file's rules are the profile's: the plan shows them, and what `!` took back. */
static void test_print_seccomp_file(void **state)
{
    (void)state;
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *rules = test_write(dir, "rules", "@default\n!mount\nacct ENOSYS\n");
    _cleanup_free_ char *yaml = xasprintf("seccomp: %s\n", rules);
    struct run_plan plan;
    build_text(yaml, &plan);
    _cleanup_free_ char *text = plan_print(&plan, NULL);
    _cleanup_free_ char *taken = xasprintf("  taken back: mount -> EPERM  # %s:2\n", rules);
    _cleanup_free_ char *source = xasprintf("seccomp: %s, ", rules);
    const char *const lines[] = {source, "  acct -> ENOSYS\n", "  umount2 -> EPERM\n", taken};
    assert_lines(text, lines, ARRAY_SIZE(lines));
    assert_null(strstr(text, "  mount -> EPERM\n"));
    /* The file is gone: the plan does not read it again. */
    unlink(rules);
    assert_non_null(plan.seccomp);
    plan_free(&plan);
    test_rmrf(dir);
}

int main(void)
{
    /* As congo-launch does: the default filter compiled at build time. */
    plan_use_prebuilt_default(congo_default_filter, ARRAY_SIZE(congo_default_filter),
                              CONGO_DEFAULT_FILTER_ARCH);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_base),    cmocka_unit_test(test_env_term),
        cmocka_unit_test(test_env_profile),
        cmocka_unit_test(test_env_no_base), cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_cgroup_request), cmocka_unit_test(test_mount_order),
        cmocka_unit_test(test_mounts_in_place), cmocka_unit_test(test_bind_suid_dev),
        cmocka_unit_test(test_paths_taken_back),
        cmocka_unit_test(test_root),        cmocka_unit_test(test_no_command),
        cmocka_unit_test(test_print),       cmocka_unit_test(test_print_seccomp_file),
        cmocka_unit_test(test_process_defaults), cmocka_unit_test(test_process_keys),
        cmocka_unit_test(test_ambient_outside_kept), cmocka_unit_test(test_ns_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
