/*
 * Unit tests for config.json as a profile (src/oci/import.c), through the
 * stack as `congo-launch --check bundle/config.json` reads it.
 */
#include "helpers.h"

#include <jansson.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "profile/print.h"
#include "util/util.h"

static char *tmp;

static int setup(void **state)
{
    (void)state;
    tmp = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmrf(tmp);
    free(tmp);
    return 0;
}

/* A config as `runc spec` makes one, with an ambient set left out. */
static const char *const base_config =
    "{\"ociVersion\": \"1.0.2\","
    " \"process\": {\"terminal\": true, \"user\": {\"uid\": 0, \"gid\": 0},"
    "  \"args\": [\"sh\"], \"env\": [\"PATH=/usr/bin:/bin\", \"TERM=xterm\"], \"cwd\": \"/\","
    "  \"capabilities\": {\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "   \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "   \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]},"
    "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 512}],"
    "  \"noNewPrivileges\": true},"
    " \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
    " \"hostname\": \"box\","
    " \"mounts\": ["
    "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "   \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    "  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
    "   \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]},"
    "  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
    "  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
    "   \"options\": [\"rprivate\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
    "  {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"data\","
    "   \"options\": [\"rbind\", \"ro\", \"rprivate\"]}],"
    " \"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}],"
    "   \"memory\": {\"limit\": 67108864, \"swap\": -1}, \"pids\": {\"limit\": 64},"
    "   \"cpu\": {\"shares\": 512, \"quota\": 150000, \"period\": 200000}},"
    "  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
    "   {\"type\": \"uts\"}, {\"type\": \"mount\"}],"
    "  \"maskedPaths\": [\"/proc/acpi\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\","
    "   \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\","
    "   \"/proc/scsi\", \"/proc/asound\", \"/secret\"],"
    "  \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\","
    "   \"/proc/sysrq-trigger\"]}}";

/*
 * base_config with patch merged in (a JSON object whose members replace the
 * base's, recursively; a null member removes one), written as
 * tmp/NAME/config.json.
 */
static char *write_config(const char *name, const char *patch)
{
    json_error_t err;
    json_t *base = json_loads(base_config, 0, &err);
    if (!base)
        fail_msg("base config: %s at %d:%d", err.text, err.line, err.column);
    if (patch) {
        json_t *p = json_loads(patch, 0, &err);
        if (!p)
            fail_msg("patch: %s", err.text);
        json_object_update_recursive(base, p);
        json_decref(p);
    }
    char *text = json_dumps(base, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(base);
    _cleanup_free_ char *file = xasprintf("%s/config.json", name);
    char *path = test_write(tmp, file, text);
    free(text);
    return path;
}

static void load_config(struct profile *p, struct diags *d, const char *name, const char *patch,
                        int want)
{
    _cleanup_free_ char *path = write_config(name, patch);
    memset(d, 0, sizeof(*d));
    int r = test_load_file(p, path, d);
    if (r != want) {
        _cleanup_free_ char *all = test_diags_text(d);
        fail_msg("loading %s returned %d, expected %d:\n%s", path, r, want, all);
    }
}

static bool has_cap(uint64_t set, int cap)
{
    return (set >> cap) & 1;
}

static void test_runc_like(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "runc", NULL, 0);
    assert_int_equal(d.n, 0);
    _cleanup_free_ char *rootfs = xasprintf("%s/runc/rootfs", tmp);
    assert_string_equal(p.rootfs, rootfs);
    assert_true(p.readonly_rootfs);
    /* The bundle's root itself, made read-only after the mounts, as runc does. */
    assert_string_equal(p.upper, PROFILE_UPPER_NONE);
    assert_string_equal(p.hostname, "box");
    assert_string_equal(p.user, "0:0");
    /* uid, gid and additionalGids are all the process gets: no /etc/group lookup. */
    assert_false(p.initgroups);
    assert_string_equal(p.workdir, "/");
    ASSERT_COMMAND(&p, false, "sh");
    assert_string_equal(env_get(&p, "TERM"), "xterm");
    assert_string_equal(env_get(&p, "PATH"), "/usr/bin:/bin");
    /* What runc does: the command is PID 1, no seccomp unless given, nnp as given. */
    assert_false(p.init);
    assert_string_equal(p.seccomp, "unconfined");
    assert_true(p.no_new_privileges);
    /* The bounding set, as congo's default plus and minus. */
    assert_true(has_cap(p.cap_drop, CAP_CHOWN));
    assert_false(has_cap(p.cap_drop, CAP_KILL));
    /* MKNOD is not congo's by default: nothing to drop. */
    assert_false(has_cap(p.cap_drop, CAP_MKNOD));
    assert_int_equal(p.cap_add, 0);
    assert_int_equal(p.n_rlimits, 1);
    assert_int_equal(p.rlimits[0].soft, 512);
    assert_int_equal(p.rlimits[0].hard, 1024);
    /* Listed namespaces are new, the others the host's. */
    assert_true(p.ns[NS_NET] && p.ns[NS_PID] && p.ns[NS_IPC] && p.ns[NS_UTS] && p.ns[NS_MOUNT]);
    assert_false(p.ns[NS_CGROUP]);
    assert_int_equal(p.memory, 64 << 20);
    assert_int_equal(p.memory_swap, LIMIT_UNLIMITED);
    assert_int_equal(p.pids, 64);
    assert_int_equal(p.cpu_shares, 512);
    assert_int_equal(p.cpu_quota, 75000); /* 150 ms in 200 ms: 0.75 CPUs */
    /* The config's mounts, and congo's own it leaves out removed. */
    const char *targets[] = {"/proc", "/dev", "/dev/pts", "/dev/shm", "/sys", "/data",
                             "/dev/mqueue", "/tmp", "/sys/fs/cgroup"};
    enum mount_type types[] = {MOUNT_PROC, MOUNT_TMPFS, MOUNT_DEVPTS, MOUNT_TMPFS, MOUNT_SYSFS,
                               MOUNT_BIND, MOUNT_NONE,  MOUNT_NONE,   MOUNT_NONE};
    assert_int_equal(p.n_mounts, ARRAY_SIZE(targets));
    for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
        assert_string_equal(p.mounts[i].target, targets[i]);
        assert_int_equal(p.mounts[i].type, types[i]);
    }
    assert_string_equal(p.mounts[1].options, "nosuid,strictatime,mode=755,size=65536k");
    /* rprivate, on a kernel file system too (podman's): what congo does anyway. */
    assert_string_equal(p.mounts[4].options, "nosuid,noexec,nodev,ro");
    _cleanup_free_ char *data = xasprintf("%s/runc/data", tmp);
    assert_string_equal(p.mounts[5].source, data);
    assert_string_equal(p.mounts[5].options, "ro");
    /* congo's masks the config leaves out are taken back; its own are added. */
    const char *masked[] = {"!/proc/interrupts", "!/sys/devices/virtual/powercap", "/secret"};
    assert_int_equal(p.n_masked_paths, ARRAY_SIZE(masked));
    for (size_t i = 0; i < ARRAY_SIZE(masked); i++)
        assert_string_equal(p.masked_paths[i].path, masked[i]);
    assert_int_equal(p.n_readonly_paths, 0);
    /* Every value is located in config.json. */
    assert_non_null(strstr(p.origin[KEY_HOSTNAME].file, "config.json"));
    profile_free(&p);
    diags_free(&d);
}

static void test_writable_root(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "rw",
                "{\"root\": {\"readonly\": false}, \"linux\": {\"cgroupsPath\": \"/default/c1\"}}", 0);
    assert_false(p.readonly_rootfs);
    assert_string_equal(p.cgroup_path, "/default/c1");
    assert_string_equal(p.upper, PROFILE_UPPER_NONE);
    profile_free(&p);
    diags_free(&d);
    /* No capabilities at all: every one of congo's dropped. */
    load_config(&p, &d, "nocaps", "{\"process\": {\"capabilities\": null}, \"linux\": {\"maskedPaths\": null}}", 0);
    assert_int_equal(p.cap_drop, plan_default_caps);
    /* No masked paths: all of congo's taken back. */
    for (size_t i = 0; i < p.n_masked_paths; i++)
        assert_int_equal(p.masked_paths[i].path[0], '!');
    assert_int_equal(p.n_masked_paths, 12);
    profile_free(&p);
    diags_free(&d);
}

/*
 * Device rules: those that allow no more than congo's own nodes say
 * nothing (congo's export writes them); the others are device_rules, an
 * `a` and a missing field as the rule's defaults.
 */
static void test_device_rules(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "devrules",
                "{\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": \"rw\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200},"
                " {\"allow\": true, \"access\": \"m\"}]}}}",
                0);
    assert_int_equal(p.n_device_rules, 2);
    assert_string_equal(p.device_rules[0].path, "c 10:200 rwm");
    assert_string_equal(p.device_rules[1].path, "a *:* m");
    profile_free(&p);
    diags_free(&d);
    /* Only congo's own: no device cgroup to make. */
    load_config(&p, &d, "devown",
                "{\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 5, \"minor\": 2, \"access\": \"rwm\"}]}}}",
                0);
    assert_int_equal(p.n_device_rules, 0);
    profile_free(&p);
    diags_free(&d);
    /* A first rule that denies less than all is not the list congo reads. */
    load_config(&p, &d, "devfirst",
                "{\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"w\"}]}}}",
                -1);
    assert_non_null(test_find_diag(&d, "must begin with the rule that denies all"));
    profile_free(&p);
    diags_free(&d);
}

/* runc's recursive flags (rro, rnosuid, ...) are the flags: congo sets a bind's through its tree. */
static void test_recursive_flags(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "rflags",
                "{\"mounts\": ["
                " {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
                " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
                " {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"data\","
                "  \"options\": [\"rbind\", \"ro\", \"nosuid\", \"rro\", \"rnosuid\", \"rnoexec\","
                "   \"relatime\"]}]}",
                0);
    const struct profile_mount *data = NULL;
    for (size_t i = 0; i < p.n_mounts; i++)
        if (strcmp(p.mounts[i].target, "/data") == 0)
            data = &p.mounts[i];
    assert_non_null(data);
    assert_string_equal(data->options, "ro,noexec,relatime");
    assert_false(data->suid);
    assert_false(data->dev); /* congo has no device cgroup: nodev keeps the nodes shut */
    profile_free(&p);
    diags_free(&d);
}

/* A bind without options is the source's own mount alone: `bind`, located at the mount. */
static void test_bind_without_options(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "bindnoopts",
                "{\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
                " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
                " {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\"}]}",
                0);
    const struct profile_mount *m = NULL;
    for (size_t i = 0; i < p.n_mounts; i++)
        if (strcmp(p.mounts[i].target, "/data") == 0)
            m = &p.mounts[i];
    assert_non_null(m);
    assert_int_equal(m->type, MOUNT_BIND);
    assert_string_equal(m->source, "/srv/data");
    assert_string_equal(m->options, "bind");
    /* Nor does runc make it nosuid or nodev. */
    assert_true(m->suid);
    assert_false(m->dev);
    profile_free(&p);
    diags_free(&d);
}

/*
 * runc gives a bind no flag its options do not name: without nosuid it is
 * suid: true, without nodev dev: true; the last of two opposite words wins,
 * as runc applies them in order. The words leave the options for the keys.
 */
static void test_bind_suid_dev(void **state)
{
    (void)state;
    static const struct {
        const char *options;
        bool suid, dev;
        const char *left;
    } cases[] = {
        /* Never dev: congo has no device cgroup to open a node that runc's rules allow. */
        {"[\"rbind\", \"nosuid\", \"nodev\", \"ro\"]", false, false, "ro"},
        {"[\"rbind\", \"rnosuid\", \"noexec\"]", false, false, "noexec"},
        {"[\"rbind\", \"nosuid\", \"suid\", \"nodev\"]", true, false, NULL},
        {"[\"rbind\", \"nosuid\", \"suid\", \"nosuid\", \"dev\"]", false, false, NULL},
        {"[\"rbind\"]", true, false, NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        _cleanup_free_ char *patch = xasprintf(
            "{\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
            " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
            "  \"options\": [\"nosuid\", \"dev\"]},"
            " {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\","
            "  \"options\": %s}]}",
            cases[i].options);
        struct profile p;
        struct diags d;
        load_config(&p, &d, "suiddev", patch, 0);
        const struct profile_mount *m = &p.mounts[2];
        assert_string_equal(m->target, "/data");
        if (m->suid != cases[i].suid || m->dev != cases[i].dev)
            fail_msg("%s: suid %d dev %d, want %d %d", cases[i].options, m->suid, m->dev,
                     cases[i].suid, cases[i].dev);
        if (cases[i].left)
            assert_string_equal(m->options, cases[i].left);
        else
            assert_null(m->options);
        /* Not a bind: the words stay the file system's options. */
        assert_string_equal(p.mounts[1].options, "nosuid,dev");
        profile_free(&p);
        diags_free(&d);
    }
}

/* One config that fails: the first error's key (a JSON pointer) and message. */
static void check_error(const char *patch, const char *pointer, const char *msg)
{
    struct profile p;
    struct diags d;
    load_config(&p, &d, "bad", patch, -1);
    const struct diag *g = test_find_diag(&d, msg);
    if (!g) {
        _cleanup_free_ char *all = test_diags_text(&d);
        fail_msg("no error containing `%s` for %s:\n%s", msg, patch, all);
    }
    assert_int_equal(g->level, DIAG_ERROR);
    assert_non_null(strstr(g->file, "config.json"));
    assert_int_equal(g->line, 0);
    if (!str_eq(g->key, pointer))
        fail_msg("`%s` is at %s, expected %s", g->msg, g->key ? g->key : "(none)", pointer);
    profile_free(&p);
    diags_free(&d);
}

static void test_errors(void **state)
{
    (void)state;
    check_error("{\"ociVersion\": \"2.0.0\"}", "/ociVersion", "runtime spec 1.x");
    check_error("{\"ociVersion\": null}", NULL, "`ociVersion` is missing");
    check_error("{\"hooks\": {\"prestart\": [{\"path\": \"x\"}]}}", "/hooks/prestart/0/path",
                "`x` is not an absolute path");
    check_error("{\"hooks\": {\"poststop\": [{\"path\": \"/x\", \"timeout\": -1}]}}",
                "/hooks/poststop/0/timeout", "not a hook's timeout");
    check_error(
        "{\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}}",
        "/linux/uidMappings", "mappings without a user namespace");
    check_error("{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}]}}",
                "/linux/namespaces/1", "a user namespace needs uidMappings and gidMappings");
    check_error("{\"linux\": {\"namespaces\": [{\"type\": \"mount\"},"
                " {\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}]}}",
                "/linux/namespaces/1/path", "joining a user namespace by path is not supported");
    /* The ranges are the profile's to check, at the mappings' pointer. */
    check_error("{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}],"
                " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}],"
                " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}}",
                "/linux/uidMappings", "a count of 0 maps nothing");
    check_error("{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}],"
                " \"uidMappings\": [{\"containerID\": 0, \"hostID\": -1, \"size\": 1}]}}",
                "/linux/uidMappings/0/hostID", "expected an id from 0 to 4294967295");
    check_error("{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}],"
                " \"uidMappings\": [{\"containerID\": 0, \"size\": 1}]}}",
                "/linux/uidMappings/0", "a mapping needs containerID, hostID and size");
    check_error("{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"mount\"}]}}",
                "/linux/namespaces/1", "a second mount namespace");
    /* The spec's default would be the host's mount namespace: refused once, where it is missing. */
    check_error("{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}}", "/linux/namespaces",
                "no mount namespace in /linux/namespaces");
    check_error("{\"linux\": null}", NULL, "no mount namespace in /linux/namespaces");
    struct profile p;
    struct diags d;
    load_config(&p, &d, "nolinux", "{\"linux\": null}", -1);
    if (test_find_diag(&d, "cannot be turned off")) {
        _cleanup_free_ char *all = test_diags_text(&d);
        fail_msg("a missing mount namespace is refused twice:\n%s", all);
    }
    profile_free(&p);
    diags_free(&d);
    /* A check across keys, made once the profile is whole, names the field too. */
    check_error("{\"linux\": {\"resources\": {\"memory\": {\"limit\": null, \"swap\": 134217728}}}}",
                "/linux/resources/memory/swap", "needs limits.memory");
    check_error("{\"process\": {\"args\": []}}", "/process/args", "`args` needs at least one word");
    check_error("{\"process\": {\"args\": null}}", "/process", "`args` is missing");
    check_error("{\"process\": {\"user\": {\"uid\": \"0\"}}}", "/process/user/uid",
                "expected an integer, got a string");
    check_error("{\"linux\": {\"resources\": {\"memory\": {\"limit\": 1000}}}}",
                "/linux/resources/memory/limit", "4m");
    check_error("{\"linux\": {\"resources\": {\"cpu\": {\"cpus\": \"0-1\"}}}}",
                "/linux/resources/cpu/cpus", "cpusets are not supported");
    check_error("{\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwm\"}]}}}",
                "/linux/resources/devices/0", "must begin with the rule that denies all");
    check_error("{\"linux\": {\"rootfsPropagation\": \"rshared\"}}", "/linux/rootfsPropagation",
                "`rshared` is not supported");
    check_error("{\"linux\": {\"cgroupsPath\": \"machine.slice:libpod:x\"}}", "/linux/cgroupsPath",
                "is a systemd slice:prefix:name");
    check_error("{\"linux\": {\"cgroupsPath\": \"/default/../x\"}}", "/linux/cgroupsPath",
                "is not a valid cgroup path");
    check_error("{\"linux\": {\"personality\": {\"domain\": \"LINUX32\"}}}", "/linux/personality",
                "personality");
    check_error("{\"mounts\": [{\"destination\": \"/dev\", \"type\": \"tmpfs\"}]}", "/mounts",
                "no mount at /proc");
    check_error("{\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"},"
                " {\"destination\": \"/dev\", \"type\": \"tmpfs\"},"
                " {\"destination\": \"/x\", \"type\": \"overlay\"}]}",
                "/mounts/2/type", "`overlay` is not one of them");
    check_error("{\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"},"
                " {\"destination\": \"/dev\", \"type\": \"tmpfs\"},"
                " {\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/x\","
                " \"options\": [\"rbind\", \"rshared\"]}]}",
                "/mounts/2/options", "`rshared` is not an option of a bind mount");
    check_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, \"hard\": 1}]}}",
                "/process/rlimits/0/type", "`RLIMIT_FOO` is not a resource limit");
    check_error("{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_FOO\"]}}}",
                "/process/capabilities/bounding/0", "`CAP_FOO` is not a capability");
    check_error("{\"process\": {\"capabilities\": {\"effective\": [\"CAP_KILL\"]}}}",
                "/process/capabilities/effective", "a different effective set is not supported");
    check_error("{\"root\": {\"path\": 7}}", "/root/path", "expected a string, got a number");
    check_error("{\"process\": {\"cwd\": \"relative\"}}", "/process/cwd", "not an absolute path");
}

/* A user namespace: its mappings are user_namespace's; none is the host's ids. */
static void test_user_namespace(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "userns",
                "{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"user\"}],"
                " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1},"
                "  {\"containerID\": 1, \"hostID\": 100000, \"size\": 65536}],"
                " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1001, \"size\": 1},"
                "  {\"containerID\": 1, \"hostID\": 100000, \"size\": 65536}]}}",
                0);
    assert_string_equal(p.user_namespace,
                        "uid:0:1000:1,uid:1:100000:65536,gid:0:1001:1,gid:1:100000:65536");
    profile_free(&p);
    diags_free(&d);
    load_config(&p, &d, "userns-same",
                "{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"user\"}],"
                " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": 65536}],"
                " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": 65536}]}}",
                0);
    assert_string_equal(p.user_namespace, "0:300000:65536");
    profile_free(&p);
    diags_free(&d);
    load_config(&p, &d, "userns-none", NULL, 0);
    assert_string_equal(p.user_namespace, "host");
    profile_free(&p);
    diags_free(&d);
}

/* An id-mapped mount (the idmap option, or the container's own mappings) is a bind with idmap. */
static void test_idmapped_mount(void **state)
{
    (void)state;
    static const char *const userns =
        "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
        " {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"user\"}],"
        " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": 65536}],"
        " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": 65536}]}";
    static const char *const mounts[] = {
        "\"options\": [\"rbind\", \"idmap\"]",
        "\"options\": [\"rbind\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 300000,"
        " \"size\": 65536}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 300000, \"size\": 65536}]",
    };
    for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
        _cleanup_free_ char *patch = xasprintf(
            "{%s, \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
            " {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
            " {\"destination\": \"/db\", \"type\": \"bind\", \"source\": \"/srv/db\", %s}]}",
            userns, mounts[i]);
        struct profile p;
        struct diags d;
        load_config(&p, &d, "idmapped", patch, 0);
        const struct profile_mount *m = &p.mounts[2];
        assert_string_equal(m->target, "/db");
        assert_true(m->idmap);
        profile_free(&p);
        diags_free(&d);
    }
    _cleanup_free_ char *other = xasprintf(
        "{%s, \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"},"
        " {\"destination\": \"/dev\", \"type\": \"tmpfs\"},"
        " {\"destination\": \"/db\", \"type\": \"bind\", \"source\": \"/srv/db\","
        " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 400000, \"size\": 65536}],"
        " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 400000, \"size\": 65536}]}]}",
        userns);
    check_error(other, "/mounts/2/uidMappings", "mappings other than the container's");
    check_error("{\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"},"
                " {\"destination\": \"/dev\", \"type\": \"tmpfs\"},"
                " {\"destination\": \"/db\", \"type\": \"bind\", \"source\": \"/srv/db\","
                " \"options\": [\"rbind\", \"ridmap\"]}]}",
                "/mounts/2/options/1", "`ridmap`");
}

/* Properties the spec does not define are noted and ignored; ${NAME} is not interpolated. */
static void test_unknown_and_literal(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "extra",
                "{\"org.example\": 1, \"process\": {\"env\": [\"HOME_DIR=${HOME}\", \"X=$$\"]}}", 0);
    const struct diag *g = test_find_diag(&d, "not a field of the OCI runtime spec");
    assert_non_null(g);
    assert_int_equal(g->level, DIAG_NOTE);
    assert_string_equal(g->key, "/org.example");
    assert_int_equal(d.n_errors, 0);
    assert_string_equal(env_get(&p, "HOME_DIR"), "${HOME}");
    assert_string_equal(env_get(&p, "X"), "$$");
    profile_free(&p);
    diags_free(&d);
}

/*
 * A name given twice in process.env has its last value, as runc sets it:
 * Slurm appends the job's environment, PATH and TERM included, to the
 * bundle's. An entry without `=` is still an error, at its pointer.
 */
static void test_env_last_wins(void **state)
{
    (void)state;
    struct profile p;
    struct diags d;
    load_config(&p, &d, "env-twice",
                "{\"process\": {\"env\": [\"PATH=/usr/bin:/bin\", \"TERM=xterm\", \"A=1\","
                " \"PATH=/opt/bin:/bin\", \"TERM=dumb\", \"PATHX=2\", \"TERM=\"]}}",
                0);
    assert_int_equal(d.n_errors, 0);
    assert_int_equal(p.n_env, 4);
    test_assert_env(&p, 0, "A", "1");
    test_assert_env(&p, 1, "PATH", "/opt/bin:/bin");
    test_assert_env(&p, 2, "PATHX", "2");
    test_assert_env(&p, 3, "TERM", "");
    profile_free(&p);
    diags_free(&d);
    check_error("{\"process\": {\"env\": [\"A=1\", \"A\", \"A=2\"]}}", "/process/env/1",
                "is not NAME=value");
}

/* --print of an imported config is a profile that loads back to the same profile. */
static void test_print_loads_back(void **state)
{
    (void)state;
    struct profile p, back;
    struct diags d, d2 = {0};
    load_config(&p, &d, "print", NULL, 0);
    for (int f = 0; f < 2; f++) {
        _cleanup_free_ char *text = profile_print(&p, f ? PRINT_CONF : PRINT_YAML, false);
        _cleanup_free_ char *path = test_write(tmp, f ? "printed.conf" : "printed.yaml", text);
        if (test_load_file(&back, path, &d2) != 0) {
            _cleanup_free_ char *all = test_diags_text(&d2);
            fail_msg("%s does not load:\n%s\n%s", path, all, text);
        }
        assert_true(profile_equal(&p, &back));
        profile_free(&back);
        diags_free(&d2);
    }
    profile_free(&p);
    diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runc_like),           cmocka_unit_test(test_writable_root),
        cmocka_unit_test(test_device_rules),
        cmocka_unit_test(test_recursive_flags),     cmocka_unit_test(test_bind_without_options),
        cmocka_unit_test(test_bind_suid_dev),       cmocka_unit_test(test_errors),
        cmocka_unit_test(test_user_namespace),      cmocka_unit_test(test_unknown_and_literal),
        cmocka_unit_test(test_idmapped_mount),      cmocka_unit_test(test_print_loads_back),
        cmocka_unit_test(test_env_last_wins),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
